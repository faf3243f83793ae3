/**
 * The image functions on the shared 448×300 photo (../shared/assets/images/content/chelsea_448x300.png):
 * the `models` tier. Their synthetic-image cases are in the per-module files of the `unit` tier.
 */
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { preserveColors } from '../../packages/core/src/image/color.js';
import type { PlanarImage } from '../../packages/core/src/image/image-types.js';
import { cropImage, reflectPad } from '../../packages/core/src/image/padding.js';
import { planarToRaw, rawToPlanar } from '../../packages/core/src/image/pixels.js';
import { resizeImage } from '../../packages/core/src/image/resize.js';
import { planarToTensor, tensorToPlanar } from '../../packages/core/src/image/tensor-conversion.js';
import type { TensorConventions } from '../../packages/core/src/image/tensor-conventions.js';
import { blendTiles, planTiles } from '../../packages/core/src/image/tiling.js';
import { contentImage } from '../helpers/assets.js';
import { maxAbsDiff } from './image-helpers.js';

/** The photo as raw RGB bytes; throws (never skips) when the asset is missing. */
async function loadChelseaRaw(): Promise<{ data: Uint8Array; width: number; height: number; channels: 3 }> {
  const { data, info } = await sharp(contentImage('chelsea_448x300.png')).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  expect(info.channels).toBe(3);
  return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height, channels: 3 };
}

const loadChelsea = async (): Promise<PlanarImage> => rawToPlanar(await loadChelseaRaw());

/** BT.601 full-range YCbCr planes (JPEG), computed independently of the implementation. */
function ycbcr(img: PlanarImage): { y: Float64Array; cb: Float64Array; cr: Float64Array } {
  const n = img.width * img.height;
  const y = new Float64Array(n);
  const cb = new Float64Array(n);
  const cr = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const r = img.data[i];
    const g = img.data[n + i];
    const b = img.data[2 * n + i];
    y[i] = 0.299 * r + 0.587 * g + 0.114 * b;
    cb[i] = 128 - 0.168736 * r - 0.331264 * g + 0.5 * b;
    cr[i] = 128 + 0.5 * r - 0.418688 * g - 0.081312 * b;
  }
  return { y, cb, cr };
}

/** A stand-in for a stylized photo: channels rotated and contrast changed, so luma and chroma both differ. */
function fakeStylized(img: PlanarImage): PlanarImage {
  const n = img.width * img.height;
  const data = new Float32Array(3 * n);
  for (let c = 0; c < 3; c++) {
    const from = ((c + 1) % 3) * n;
    for (let i = 0; i < n; i++) data[c * n + i] = 0.6 * img.data[from + i] + 40;
  }
  return { data, width: img.width, height: img.height };
}

describe('image functions on the real 448x300 photo', () => {
  it('planarToRaw ∘ rawToPlanar round-trips it byte for byte', async () => {
    const raw = await loadChelseaRaw();
    const img = rawToPlanar(raw);
    expect([img.width, img.height]).toEqual([448, 300]);
    const back = planarToRaw(img);
    expect(Buffer.from(back.data).equals(Buffer.from(raw.data))).toBe(true);
  });

  it('preserveColors keeps the content Cb/Cr and the stylized Y (before clamping)', async () => {
    const content = await loadChelsea();
    const stylized = fakeStylized(content);
    const out = preserveColors(stylized, content);
    expect([out.width, out.height]).toEqual([448, 300]);
    const o = ycbcr(out);
    const c = ycbcr(content);
    const s = ycbcr(stylized);
    expect(maxAbsDiff(o.cb, c.cb)).toBeLessThan(1e-3);
    expect(maxAbsDiff(o.cr, c.cr)).toBeLessThan(1e-3);
    expect(maxAbsDiff(o.y, s.y)).toBeLessThan(1e-3);
    // And the test is not vacuous: the stylized chroma and content luma really differ.
    expect(maxAbsDiff(s.cb, c.cb)).toBeGreaterThan(20);
    expect(maxAbsDiff(s.y, c.y)).toBeGreaterThan(20);
  });

  it('reflectPad then cropImage gives it back exactly', async () => {
    const photo = await loadChelsea();
    const padded = reflectPad(photo, { top: 3, right: 20, bottom: 1, left: 17 });
    expect([padded.width, padded.height]).toEqual([485, 304]);
    const back = cropImage(padded, { x: 17, y: 3, width: 448, height: 300 });
    expect(maxAbsDiff(back.data, photo.data)).toBe(0);
  });

  it('resizeImage halves it to its 2x2 block means away from the border', async () => {
    const photo = await loadChelsea();
    const out = resizeImage(photo, 224, 150);
    // Interior 2x downscale taps are (1, 3, 3, 1) / 8 per axis.
    const taps = [1 / 8, 3 / 8, 3 / 8, 1 / 8];
    let worst = 0;
    for (const [x, y, c] of [[1, 1, 0], [100, 70, 1], [222, 148, 2], [57, 133, 0]]) {
      let expected = 0;
      for (let j = 0; j < 4; j++) {
        for (let i = 0; i < 4; i++) {
          expected += taps[i] * taps[j] * photo.data[c * 448 * 300 + (2 * y - 1 + j) * 448 + (2 * x - 1 + i)];
        }
      }
      worst = Math.max(worst, Math.abs(out.data[c * 224 * 150 + y * 224 + x] - expected));
    }
    expect(worst).toBeLessThan(1e-3);
  });

  it('planarToTensor / tensorToPlanar round-trip it through NHWC BGR -1-1', async () => {
    const photo = await loadChelsea();
    const conv: TensorConventions = { layout: 'NHWC', range: '-1-1', channelOrder: 'BGR', batch: true };
    const t = planarToTensor(photo, conv);
    expect(t.dims).toEqual([1, 300, 448, 3]);
    expect(maxAbsDiff(tensorToPlanar(t.data, t.dims, conv).data, photo.data)).toBeLessThan(1e-4);
  });

  it('blendTiles reconstructs it from its own tile crops', async () => {
    const photo = await loadChelsea();
    for (const [tile, overlap] of [[256, 32], [128, 48], [100, 0]]) {
      const tiles = planTiles(448, 300, { tileWidth: tile, tileHeight: tile, overlap });
      expect(tiles.length).toBeGreaterThan(1);
      const out = blendTiles(tiles.map((t) => cropImage(photo, t)), tiles, 448, 300, overlap);
      expect(maxAbsDiff(out.data, photo.data)).toBeLessThan(1e-4);
    }
  });
});
