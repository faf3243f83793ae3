/**
 * Renders the README's gallery of the optimisation method: two photos, two paintings, both built-in loss
 * networks, as one compact JPEG (docs/images/gatys-gallery.jpg, under 300 KB). Run after `npm run models`:
 *   npx tsx scripts/render-gatys-gallery.ts [--size N] [--iterations N] (default: the library's defaults)
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import sharp, { type Sharp } from 'sharp';
import { dispose, stylize } from '../packages/node/src/index.js';

const ASSETS = join(import.meta.dirname, '..', '..', 'shared', 'assets', 'images');
const PHOTOS = ['chelsea.png', 'stata.jpg'];
const PAINTINGS = ['starry_night.jpg', 'great_wave.jpg'];
const LOSS_NETWORKS = ['squeezenet', 'vgg19'];
const OUTPUT = join(import.meta.dirname, '..', 'docs', 'images', 'gatys-gallery.jpg');
const CELL = 256;
const LABEL_HEIGHT = 24;
const MAX_BYTES = 300 * 1024;

function label(text: string): Buffer {
  return Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${CELL}" height="${LABEL_HEIGHT}">
    <rect width="100%" height="100%" fill="#111"/>
    <text x="8" y="17" font-family="DejaVu Sans, sans-serif" font-size="14" fill="#eee">${text}</text></svg>`);
}

async function cell(image: Sharp, caption: string): Promise<Buffer> {
  const { data, info } = await image.resize(CELL, CELL, { fit: 'cover' }).raw().toBuffer({ resolveWithObject: true });
  return sharp({ create: { width: CELL, height: CELL + LABEL_HEIGHT, channels: 3, background: '#111' } })
    .composite([
      { input: data, raw: info, top: 0, left: 0 },
      { input: label(caption), top: CELL, left: 0 },
    ])
    .png()
    .toBuffer();
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { size: { type: 'string' }, iterations: { type: 'string' } } });
  const rows: Buffer[][] = [];
  for (const photo of PHOTOS) {
    const row = [await cell(sharp(join(ASSETS, 'content', photo)), photo.replace(/\..*/, ''))];
    for (const painting of PAINTINGS) {
      for (const lossNetwork of LOSS_NETWORKS) {
        const out = await stylize(join(ASSETS, 'content', photo), { styleImage: join(ASSETS, 'style', painting) }, {
          lossNetwork,
          ...(values.size ? { size: Number(values.size) } : {}),
          ...(values.iterations ? { iterations: Number(values.iterations) } : {}),
        });
        console.log(`${photo} × ${painting} (${lossNetwork}): ${Math.round(out.info.ms / 1000)} s`);
        row.push(await cell(out.toSharp(), `${painting.replace(/\..*/, '').replace('_', ' ')}, ${lossNetwork}`));
      }
    }
    rows.push(row);
  }
  await dispose();
  const columns = rows[0].length;
  const grid = sharp({
    create: { width: columns * CELL, height: rows.length * (CELL + LABEL_HEIGHT), channels: 3, background: '#111' },
  }).composite(rows.flatMap((row, r) => row.map((input, c) => ({ input, left: c * CELL, top: r * (CELL + LABEL_HEIGHT) }))));
  for (let quality = 82; quality >= 40; quality -= 6) {
    await grid.clone().jpeg({ quality, mozjpeg: true }).toFile(OUTPUT);
    if (statSync(OUTPUT).size <= MAX_BYTES) break;
  }
  const size = statSync(OUTPUT).size;
  if (size > MAX_BYTES) throw new Error(`${OUTPUT} is ${size} bytes, over ${MAX_BYTES}`);
  console.log(`wrote ${OUTPUT} (${Math.round(size / 1024)} KB)`);
}

await main();
