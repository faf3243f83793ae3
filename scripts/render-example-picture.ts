/**
 * Draws demo/landscape.jpg, the example picture the README's first command stylizes: a landscape made of shapes
 * (sky, sun, hills, trees, a lake) with a little grain, so that it stylizes like a photo. Made by the project and
 * dedicated to the public domain (CC0). `npx tsx scripts/render-example-picture.ts`
 */
import sharp from 'sharp';

const W = 640;
const H = 426;
let seed = 7;
const random = () => (seed = (seed * 16807) % 2147483647) / 2147483647;

let trees = '';
for (let i = 0; i < 38; i++) {
  const x = random() * W;
  const y = 250 + random() * 40;
  const h = 30 + random() * 50;
  trees += `<polygon points="${x},${y - h} ${x - h / 4},${y} ${x + h / 4},${y}" fill="rgb(${20 + random() * 30},${70 + random() * 50},${30 + random() * 20})"/>`;
}
const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}">
<defs>
 <linearGradient id="sky" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#2b5fa8"/><stop offset="0.7" stop-color="#f3b27a"/><stop offset="1" stop-color="#f7d9a8"/></linearGradient>
 <linearGradient id="lake" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="#e7a877"/><stop offset="1" stop-color="#1f4a7a"/></linearGradient>
 <radialGradient id="sun"><stop offset="0" stop-color="#fff6d0"/><stop offset="1" stop-color="#ffb347" stop-opacity="0"/></radialGradient>
 <filter id="blur"><feGaussianBlur stdDeviation="1.2"/></filter>
</defs>
<rect width="${W}" height="${H}" fill="url(#sky)"/>
<circle cx="470" cy="170" r="90" fill="url(#sun)"/><circle cx="470" cy="170" r="28" fill="#fff1c4"/>
<path d="M0 230 Q 120 120 250 210 T 480 190 T ${W} 215 L ${W} 300 L 0 300 Z" fill="#6d5a7a" opacity="0.8"/>
<path d="M0 260 Q 150 190 300 250 T ${W} 245 L ${W} 310 L 0 310 Z" fill="#3f6b45"/>
${trees}
<rect y="300" width="${W}" height="${H - 300}" fill="url(#lake)"/>
<g filter="url(#blur)" opacity="0.5"><path d="M0 300 Q 150 360 300 305 T ${W} 310" stroke="#fff3d6" stroke-width="3" fill="none"/></g>
<ellipse cx="470" cy="330" rx="40" ry="6" fill="#fff1c4" opacity="0.6"/>
</svg>`;

const grain = Buffer.alloc(W * H * 3);
for (let i = 0; i < grain.length; i++) grain[i] = 128 + (random() - 0.5) * 18;
const pixels = await sharp(Buffer.from(svg)).removeAlpha().raw().toBuffer();
for (let i = 0; i < pixels.length; i++) pixels[i] = Math.max(0, Math.min(255, pixels[i] + grain[i] - 128));
await sharp(pixels, { raw: { width: W, height: H, channels: 3 } }).jpeg({ quality: 82 }).toFile('demo/landscape.jpg');
console.log('wrote demo/landscape.jpg');
