/**
 * Renders the README's tile-border crops (docs/images/tile-border.jpg): a photo stylized with candy in 256-pixel tiles,
 * cropped around the point where four tiles meet that per-tile statistics change most, three ways: per-tile statistics
 * (tileMode 'fast', before), whole-image statistics (tileMode 'exact', after), and one run over the whole image (the
 * reference). Run after `npm run models`:
 *   npx tsx scripts/render-tile-border.ts
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { planRun, resolveStylizeOptions } from '../packages/core/src/index.js';
import { dispose, loadStyle } from '../packages/node/src/index.js';
import type { StylizedImage } from '../packages/node/src/stylized-image.js';

const PHOTO = join(import.meta.dirname, '..', '..', 'shared', 'assets', 'images', 'content', 'kite.jpg');
const OUTPUT = join(import.meta.dirname, '..', 'docs', 'images', 'tile-border.jpg');
const STYLE = 'candy';
const TILE = 256;
const CROP = 240;
const LABEL_HEIGHT = 26;
const MAX_BYTES = 150 * 1024;

function label(text: string, width: number): Buffer {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${LABEL_HEIGHT}">
    <rect width="100%" height="100%" fill="#111"/>
    <text x="8" y="18" font-family="DejaVu Sans, sans-serif" font-size="14" fill="#eee">${text}</text></svg>`;
  return Buffer.from(svg);
}

async function main(): Promise<void> {
  const { width, height } = await sharp(PHOTO).metadata();
  if (!width || !height) throw new Error(`cannot read the size of ${PHOTO}`);
  const plan = planRun(width, height, { fixedSize: undefined, conventions: { sizeMultiple: 4 } as never }, resolveStylizeOptions({ tile: TILE, tileMode: 'fast' }));
  if (plan.kind !== 'tiles') throw new Error(`expected tiles, planned ${plan.kind}`);

  const stylizer = await loadStyle(STYLE);
  const cells = [
    { caption: "before: 'fast' tiles", options: { tile: TILE, tileMode: 'fast' } },
    { caption: "after: 'exact' tiles", options: { tile: TILE, tileMode: 'exact' } },
    { caption: 'one run, whole image', options: { tile: false } },
  ] as const;
  const outputs: StylizedImage[] = [];
  for (const cell of cells) outputs.push(await stylizer.stylize(PHOTO, cell.options));
  await stylizer.dispose();
  await dispose();

  // Corners where four tiles meet, inside the image far enough for a crop around them; the one where per-tile
  // statistics are furthest from the whole-image run.
  const corners = plan.tiles.filter((t) => t.x > 0 && t.y > 0).map((t) => ({ x: t.x, y: t.y }));
  const regionAt = (c: { x: number; y: number }) => ({
    left: Math.min(Math.max(0, c.x - CROP / 2), width - CROP),
    top: Math.min(Math.max(0, c.y - CROP / 2), height - CROP),
    width: CROP,
    height: CROP,
  });
  const difference = (c: { x: number; y: number }) => {
    const r = regionAt(c);
    let sum = 0;
    for (let y = r.top; y < r.top + CROP; y++) {
      for (let x = r.left; x < r.left + CROP; x++) {
        for (let k = 0; k < 3; k++) sum += Math.abs(outputs[0].data[(y * width + x) * 3 + k] - outputs[2].data[(y * width + x) * 3 + k]);
      }
    }
    return sum;
  };
  const corner = corners.reduce((best, c) => (difference(c) > difference(best) ? c : best));
  const region = regionAt(corner);
  const rendered: Buffer[] = [];
  for (const [i, cell] of cells.entries()) {
    const crop = await outputs[i].toSharp().extract(region).png().toBuffer();
    rendered.push(
      await sharp({ create: { width: CROP, height: CROP + LABEL_HEIGHT, channels: 3, background: '#111' } })
        .composite([
          { input: crop, top: 0, left: 0 },
          { input: label(cell.caption, CROP), top: CROP, left: 0 },
        ])
        .png()
        .toBuffer(),
    );
  }
  const gap = 6;
  await sharp({ create: { width: cells.length * CROP + (cells.length - 1) * gap, height: CROP + LABEL_HEIGHT, channels: 3, background: '#111' } })
    .composite(rendered.map((input, i) => ({ input, left: i * (CROP + gap), top: 0 })))
    .jpeg({ quality: 85, mozjpeg: true })
    .toFile(OUTPUT);
  const size = statSync(OUTPUT).size;
  if (size > MAX_BYTES) throw new Error(`${OUTPUT} is ${size} bytes, over ${MAX_BYTES}`);
  console.log(`wrote ${OUTPUT} (${Math.round(size / 1024)} KB): ${STYLE}, ${TILE}-pixel tiles meeting at (${corner.x}, ${corner.y}) of the ${width}×${height} photo`);
}

await main();
