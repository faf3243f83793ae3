/**
 * Renders the README's gallery of the arbitrary method: two photos × four paintings, then one photo with one painting
 * at strength 0 → 1, as one compact JPEG (docs/images/arbitrary-gallery.jpg, under 300 KB). One stylizer serves every
 * cell: each painting's style vector is predicted once, and the strength strip reruns only the transfer network.
 * Run after `npm run models`:
 *   npx tsx scripts/render-arbitrary-gallery.ts [--size 512] [--transfer-net magenta-transfer-f16]
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import sharp, { type Sharp } from 'sharp';
import { loadArbitraryStylizer } from '../packages/node/src/index.js';

const ASSETS = join(import.meta.dirname, '..', '..', 'shared', 'assets', 'images');
const PHOTOS = ['chelsea.png', 'stata.jpg'];
const PAINTINGS = ['starry_night.jpg', 'great_wave.jpg', 'the_scream.jpg', 'sunday_grande_jatte.jpg'];
const STRIP = { photo: 'stata.jpg', painting: 'starry_night.jpg', strengths: [0, 0.25, 0.5, 0.75, 1] };
const OUTPUT = join(import.meta.dirname, '..', 'docs', 'images', 'arbitrary-gallery.jpg');
const CELL = 256;
const LABEL_HEIGHT = 24;
const MAX_BYTES = 300 * 1024;

const title = (file: string) => file.replace(/\..*/, '').replaceAll('_', ' ');

function label(text: string): Buffer {
  return Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${CELL}" height="${LABEL_HEIGHT}">
    <rect width="100%" height="100%" fill="#111"/>
    <text x="8" y="17" font-family="DejaVu Sans, sans-serif" font-size="14" fill="#eee">${text}</text></svg>`);
}

async function cell(image: Sharp, caption: string): Promise<Buffer> {
  const { data, info } = await image.resize(CELL, CELL, { fit: 'cover' }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return sharp({ create: { width: CELL, height: CELL + LABEL_HEIGHT, channels: 3, background: '#111' } })
    .composite([
      { input: data, raw: info, top: 0, left: 0 },
      { input: label(caption), top: CELL, left: 0 },
    ])
    .png()
    .toBuffer();
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { size: { type: 'string', default: '512' }, 'transfer-net': { type: 'string', default: 'magenta-transfer-f16' } } });
  const size = Number(values.size);
  const stylizer = await loadArbitraryStylizer({ transferNetwork: values['transfer-net'] });
  const photo = (file: string) => join(ASSETS, 'content', file);
  const painting = (file: string) => join(ASSETS, 'style', file);
  const rows: Buffer[][] = [[await cell(sharp({ create: { width: CELL, height: CELL, channels: 3, background: '#111' } }), 'photo × painting')]];
  for (const file of PAINTINGS) rows[0].push(await cell(sharp(painting(file)), title(file)));
  for (const file of PHOTOS) {
    const row = [await cell(sharp(photo(file)), title(file))];
    for (const style of PAINTINGS) {
      const out = await stylizer.stylize(photo(file), { styleImage: painting(style) }, { size });
      console.log(`${file} × ${style}: ${out.width}×${out.height}, ${Math.round(out.info.ms)} ms`);
      row.push(await cell(out.toSharp(), title(style)));
    }
    rows.push(row);
  }
  const strip: Buffer[] = [];
  for (const strength of STRIP.strengths) {
    const out = await stylizer.stylize(photo(STRIP.photo), { styleImage: painting(STRIP.painting) }, { size, strength });
    console.log(`${STRIP.photo} × ${STRIP.painting}, strength ${strength}: ${Math.round(out.info.ms)} ms`);
    strip.push(await cell(out.toSharp(), `${title(STRIP.painting)}, strength ${strength}`));
  }
  rows.push(strip);
  await stylizer.dispose();

  const columns = Math.max(...rows.map((row) => row.length));
  const grid = sharp({
    create: { width: columns * CELL, height: rows.length * (CELL + LABEL_HEIGHT), channels: 3, background: '#111' },
  }).composite(rows.flatMap((row, r) => row.map((input, c) => ({ input, left: c * CELL, top: r * (CELL + LABEL_HEIGHT) }))));
  for (let quality = 82; quality >= 40; quality -= 6) {
    await grid.clone().jpeg({ quality, mozjpeg: true }).toFile(OUTPUT);
    if (statSync(OUTPUT).size <= MAX_BYTES) break;
  }
  const bytes = statSync(OUTPUT).size;
  if (bytes > MAX_BYTES) throw new Error(`${OUTPUT} is ${bytes} bytes, over ${MAX_BYTES}`);
  console.log(`wrote ${OUTPUT} (${Math.round(bytes / 1024)} KB)`);
}

await main();
