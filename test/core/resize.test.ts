import { describe, expect, it } from 'vitest';
import { fitLongestSide, resizeImage } from '../../packages/core/src/image/resize.js';
import type { PlanarImage } from '../../packages/core/src/image/image-types.js';
import { expectError, maxAbsDiff, randomPlanar } from './image-helpers.js';

/** The same values in all three planes. */
function grey(width: number, height: number, values: number[]): PlanarImage {
  return { data: Float32Array.from([...values, ...values, ...values]), width, height };
}

function plane(img: PlanarImage, c: number): number[] {
  const n = img.width * img.height;
  return Array.from(img.data.subarray(c * n, (c + 1) * n));
}

// Pillow 12 `Image.fromarray(a, 'F').resize((w, h), Image.BILINEAR)` on this 6x4 image, rounded to 4 decimals.
const PIL_INPUT = [121, 131, 193, 243, 8, 36, 210, 242, 63, 79, 222, 108, 69, 211, 65, 104, 164, 140, 21, 7, 221, 192, 214, 137];
const PIL_OUTPUT: Record<string, number[]> = {
  '4x3': [153.925, 161.8556, 148.8445, 63.075, 172.125, 121.2222, 122.2778, 149.875, 47.7, 137.9111, 177.6889, 160.8125],
  '3x2': [163.449, 140.9464, 109.1429, 103.0408, 141.3571, 160.2449],
  '9x5': [
    121, 126, 141.3333, 182.6667, 218, 203.8333, 47.1667, 22, 36, 183.3, 196, 190.9167, 119.7833, 115.1, 133.1333, 152.8667, 122.1,
    86.4, 139.5, 183, 199.4167, 91.0833, 77.75, 108.4167, 176.0833, 158.5, 124, 54.6, 102.2, 143.4667, 118.1333, 121.1, 138.5, 170.9,
    159.05, 139.1, 21, 14, 42.6667, 185.3333, 206.5, 195.6667, 210.3333, 175.5, 137,
  ],
  '6x7': [
    121, 131, 193, 243, 8, 36, 152.7857, 170.6429, 146.5714, 184.4286, 84.4286, 61.7143, 203.6429, 234.0714, 72.2857, 90.7143,
    206.7143, 102.8571, 139.5, 226.5, 64, 91.5, 193, 124, 65.5714, 196.4286, 76.1429, 110.2857, 167.5714, 139.7857, 38.1429, 79.8571,
    165.2857, 160.5714, 196.1429, 138.0714, 21, 7, 221, 192, 214, 137,
  ],
};

describe('resizeImage', () => {
  it('keeps a constant image constant at any size', () => {
    const img = grey(7, 5, new Array(35).fill(100));
    for (const [w, h] of [[3, 2], [13, 11], [1, 1], [7, 9], [20, 5]]) {
      const out = resizeImage(img, w, h);
      expect([out.width, out.height]).toEqual([w, h]);
      expect(out.data.length).toBe(3 * w * h);
      expect(maxAbsDiff(out.data, new Array(3 * w * h).fill(100))).toBeLessThan(1e-4);
    }
  });

  it('averages a pixel checkerboard to 127.5 on a 2x downscale (renormalised taps at the corners)', () => {
    const cb = Array.from({ length: 64 }, (_, i) => ((i % 8) + Math.floor(i / 8)) % 2 * 255);
    const out = resizeImage(grey(8, 8, cb), 4, 4);
    // Interior taps are (1, 3, 3, 1) / 8 over 4 pixels; at the border the outside tap is dropped and the
    // remaining (3, 3, 1) / 7 renormalised, which only leaves a trace where both axes are cut: the corners.
    // Corner (0,0): rows [0,255,0] and [255,0,255] give 765/7 and 1020/7; columns the same weights.
    const corner = (3 * (765 / 7) + 3 * (1020 / 7) + 1 * (765 / 7)) / 7;
    const far = 255 - corner;
    const expected = [corner, 127.5, 127.5, far, 127.5, 127.5, 127.5, 127.5, 127.5, 127.5, 127.5, 127.5, far, 127.5, 127.5, corner];
    for (let c = 0; c < 3; c++) expect(maxAbsDiff(plane(out, c), expected)).toBeLessThan(1e-4);
    expect(corner).toBeCloseTo(124.89796, 4);
  });

  it('interpolates a ramp linearly in the interior on a 2x upscale, clamping at the edges', () => {
    const ramp = [0, 10, 20, 30];
    const out = resizeImage(grey(4, 2, [...ramp, ...ramp]), 8, 2);
    const row = [0, 2.5, 7.5, 12.5, 17.5, 22.5, 27.5, 30];
    expect(maxAbsDiff(plane(out, 1), [...row, ...row])).toBeLessThan(1e-5);
  });

  it('keeps a vertical ramp linear in the interior on a non-integer upscale', () => {
    const col = [0, 40, 80, 120, 160];
    const out = resizeImage(grey(1, 5, col), 1, 13);
    const values = plane(out, 0);
    const scale = 5 / 13;
    for (let y = 0; y < 13; y++) {
      const src = (y + 0.5) * scale - 0.5; // pixel-centre aligned source coordinate
      if (src >= 0 && src <= 4) expect(values[y]).toBeCloseTo(40 * src, 4);
    }
  });

  it.each(Object.keys(PIL_OUTPUT))('matches Pillow BILINEAR for 6x4 -> %s', (size) => {
    const [w, h] = size.split('x').map(Number);
    const out = resizeImage(grey(6, 4, PIL_INPUT), w, h);
    for (let c = 0; c < 3; c++) expect(maxAbsDiff(plane(out, c), PIL_OUTPUT[size])).toBeLessThan(1e-3);
  });

  it('keeps the planes apart', () => {
    const img = randomPlanar(9, 6, 3);
    const out = resizeImage(img, 4, 5);
    for (let c = 0; c < 3; c++) {
      const single = grey(9, 6, plane(img, c));
      expect(maxAbsDiff(plane(out, c), plane(resizeImage(single, 4, 5), 0))).toBe(0);
    }
  });

  it('returns a copy, not the input, when the size is unchanged', () => {
    const img = randomPlanar(5, 4);
    const out = resizeImage(img, 5, 4);
    expect(out.data).not.toBe(img.data);
    expect(Array.from(out.data)).toEqual(Array.from(img.data));
  });

  it('validates its arguments', () => {
    const img = randomPlanar(2, 2);
    expectError(() => resizeImage(img, 0, 2), RangeError, 'Expected positive integer for width but received 0 of type number');
    expectError(() => resizeImage(img, 2, 2.5), RangeError, 'Expected positive integer for height but received 2.5 of type number');
    expectError(() => resizeImage(img, '2' as never, 2), TypeError, 'Expected positive integer for width but received "2" of type string');
    expectError(
      () => resizeImage({ data: new Float32Array(3), width: 2, height: 2 }, 1, 1),
      RangeError,
      'Expected 3 * width * height = 12 (2x2) for img.data.length but received 3 of type number',
    );
  });
});

describe('fitLongestSide', () => {
  it('scales the longest side to size and rounds the other', () => {
    expect(fitLongestSide(448, 300, 224)).toEqual({ width: 224, height: 150 });
    expect(fitLongestSide(300, 448, 1000)).toEqual({ width: 670, height: 1000 });
    expect(fitLongestSide(451, 300, 256)).toEqual({ width: 256, height: 170 }); // 170.29
    expect(fitLongestSide(3, 2, 3)).toEqual({ width: 3, height: 2 });
    expect(fitLongestSide(500, 500, 64)).toEqual({ width: 64, height: 64 });
    expect(fitLongestSide(1000, 3, 10)).toEqual({ width: 10, height: 1 }); // 0.03 rounds up to the minimum 1
  });

  it('validates its arguments', () => {
    expectError(() => fitLongestSide(10, 10, 0), RangeError, 'Expected positive integer for size but received 0 of type number');
    expectError(() => fitLongestSide(-1, 10, 5), RangeError, 'Expected positive integer for width but received -1 of type number');
    expectError(() => fitLongestSide(10, null as never, 5), TypeError, 'Expected positive integer for height but received null');
  });
});
