import { describe, expect, it } from 'vitest';
import { blendWithContent, preserveColors } from '../../packages/core/src/image/color.js';
import type { PlanarImage } from '../../packages/core/src/image/image-types.js';
import { expectError, loadChelsea, maxAbsDiff, planar, randomPlanar } from './image-helpers.js';

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

describe('preserveColors', () => {
  it('combines the stylized luma with the content chroma (hand-computed)', () => {
    // Content (200, 100, 50): Y = 59.8 + 58.7 + 5.7 = 124.2. Stylized grey 80: Y = 80.
    // Swapping Y shifts every channel by 80 - 124.2 = -44.2.
    const out = preserveColors(planar(1, 1, [80], [80], [80]), planar(1, 1, [200], [100], [50]));
    expect(maxAbsDiff(out.data, [155.8, 55.8, 5.8])).toBeLessThan(1e-4);
  });

  it('keeps the content Cb/Cr and the stylized Y on the real photo (before clamping)', async () => {
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

  it('returns the content when the stylized image has the same luma', () => {
    const content = randomPlanar(6, 5, 2);
    const out = preserveColors(content, content);
    expect(maxAbsDiff(out.data, content.data)).toBeLessThan(1e-4);
  });

  it('requires images of the same size', () => {
    expectError(
      () => preserveColors(randomPlanar(2, 2), randomPlanar(3, 2)),
      RangeError,
      'Expected content of the same size as stylized (2x2) but received 3x2',
    );
    expectError(() => preserveColors(randomPlanar(2, 2), null as never), TypeError, 'Expected PlanarImage for content but received null');
  });
});

describe('blendWithContent', () => {
  const stylized = randomPlanar(7, 4, 11);
  const content = randomPlanar(7, 4, 12);

  it('returns the content exactly at strength 0 and the stylized image exactly at 1', () => {
    const zero = blendWithContent(stylized, content, 0);
    expect(zero.data).not.toBe(content.data);
    expect(Array.from(zero.data)).toEqual(Array.from(content.data));
    expect(Array.from(blendWithContent(stylized, content, 1).data)).toEqual(Array.from(stylized.data));
  });

  it('mixes linearly in between', () => {
    const out = blendWithContent(planar(1, 1, [200], [0], [50]), planar(1, 1, [100], [40], [50]), 0.25);
    expect(Array.from(out.data)).toEqual([125, 30, 50]);
  });

  it('rejects strengths outside 0..1 and mismatched sizes with exact messages', () => {
    expectError(
      () => blendWithContent(stylized, content, 1.5),
      RangeError,
      'Expected number between 0 and 1 for strength but received 1.5 of type number',
    );
    expectError(
      () => blendWithContent(stylized, content, -0.1),
      RangeError,
      'Expected number between 0 and 1 for strength but received -0.1 of type number',
    );
    expectError(
      () => blendWithContent(stylized, content, NaN),
      RangeError,
      'Expected number between 0 and 1 for strength but received NaN of type number',
    );
    expectError(
      () => blendWithContent(stylized, content, '0.5' as never),
      TypeError,
      'Expected number between 0 and 1 for strength but received "0.5" of type string',
    );
    expectError(
      () => blendWithContent(stylized, randomPlanar(4, 7), 0.5),
      RangeError,
      'Expected content of the same size as stylized (7x4) but received 4x7',
    );
  });
});
