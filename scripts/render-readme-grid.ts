/**
 * Renders the README's before/after grid: one photo and several built-in styles, labelled, as one
 * compact JPEG (docs/images/fast-grid.jpg, kept under 300 KB). Run after `npm run models`:
 *   npx tsx scripts/render-readme-grid.ts
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import sharp, { type Sharp } from 'sharp';
import { dispose, stylize } from '../packages/node/src/index.js';

const PHOTO = join(import.meta.dirname, '..', '..', 'shared', 'assets', 'images', 'content', 'chelsea.png');
const STYLES = ['candy', 'mosaic', 'udnie', 'ml5-wave', 'ml5-scream', 'ml5-la_muse', 'rain_princess'];
const OUTPUT = join(import.meta.dirname, '..', 'docs', 'images', 'fast-grid.jpg');
const CELL = 300;
const COLUMNS = 4;
const LABEL_HEIGHT = 26;
const MAX_BYTES = 300 * 1024;

function label(text: string, width: number): Buffer {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${LABEL_HEIGHT}">
    <rect width="100%" height="100%" fill="#111"/>
    <text x="8" y="18" font-family="DejaVu Sans, sans-serif" font-size="15" fill="#eee">${text}</text></svg>`;
  return Buffer.from(svg);
}

async function cell(image: Sharp, caption: string): Promise<Buffer> {
  const { data, info } = await image.resize(CELL, CELL, { fit: 'cover' }).raw().toBuffer({ resolveWithObject: true });
  return sharp({ create: { width: CELL, height: CELL + LABEL_HEIGHT, channels: 3, background: '#111' } })
    .composite([
      { input: data, raw: info, top: 0, left: 0 },
      { input: label(caption, CELL), top: CELL, left: 0 },
    ])
    .png()
    .toBuffer();
}

async function main(): Promise<void> {
  const cells = [await cell(sharp(PHOTO), 'original')];
  for (const style of STYLES) {
    const out = await stylize(PHOTO, style, { size: 480 });
    cells.push(await cell(out.toSharp(), style));
  }
  await dispose();
  const rows = Math.ceil(cells.length / COLUMNS);
  const grid = sharp({
    create: { width: COLUMNS * CELL, height: rows * (CELL + LABEL_HEIGHT), channels: 3, background: '#111' },
  }).composite(cells.map((input, i) => ({ input, left: (i % COLUMNS) * CELL, top: Math.floor(i / COLUMNS) * (CELL + LABEL_HEIGHT) })));
  for (let quality = 82; quality >= 40; quality -= 6) {
    await grid.clone().jpeg({ quality, mozjpeg: true }).toFile(OUTPUT);
    if (statSync(OUTPUT).size <= MAX_BYTES) break;
  }
  const size = statSync(OUTPUT).size;
  if (size > MAX_BYTES) throw new Error(`${OUTPUT} is ${size} bytes, over ${MAX_BYTES}`);
  console.log(`wrote ${OUTPUT} (${Math.round(size / 1024)} KB, ${cells.length} cells)`);
}

await main();
