import { describe, expect, it } from 'vitest';
import { cropImage, padsToMultiple, reflectPad } from '../../packages/core/src/image/padding.js';
import type { PlanarImage } from '../../packages/core/src/image/image-types.js';
import { expectError, maxAbsDiff, randomPlanar } from './image-helpers.js';

/** R plane as given, G = R + 100, B = R + 200, so plane mix-ups show. */
function tagged(width: number, height: number, r: number[]): PlanarImage {
  return { data: Float32Array.from([...r, ...r.map((v) => v + 100), ...r.map((v) => v + 200)]), width, height };
}

function rows(img: PlanarImage, c: number): number[][] {
  const n = img.width * img.height;
  return Array.from({ length: img.height }, (_, y) =>
    Array.from(img.data.subarray(c * n + y * img.width, c * n + (y + 1) * img.width)),
  );
}

describe('reflectPad', () => {
  it('reflects without repeating the edge (numpy reflect)', () => {
    const out = reflectPad(tagged(3, 1, [1, 2, 3]), { top: 0, right: 2, bottom: 0, left: 2 });
    expect(rows(out, 0)).toEqual([[3, 2, 1, 2, 3, 2, 1]]);
    expect(rows(out, 2)).toEqual([[203, 202, 201, 202, 203, 202, 201]]);
  });

  it('mirrors back and forth when a pad is at least the image size', () => {
    // np.pad([[1, 2, 3], [4, 5, 6]], ((3, 1), (5, 4)), mode='reflect')
    const out = reflectPad(tagged(3, 2, [1, 2, 3, 4, 5, 6]), { top: 3, right: 4, bottom: 1, left: 5 });
    expect([out.width, out.height]).toEqual([12, 6]);
    const a = [5, 4, 5, 6, 5, 4, 5, 6, 5, 4, 5, 6];
    const b = [2, 1, 2, 3, 2, 1, 2, 3, 2, 1, 2, 3];
    expect(rows(out, 0)).toEqual([a, b, a, b, a, b]);
    expect(rows(out, 1)[1]).toEqual(b.map((v) => v + 100));
    // np.pad([1, 2, 3], 5, mode='reflect')
    expect(rows(reflectPad(tagged(3, 1, [1, 2, 3]), { top: 0, right: 5, bottom: 0, left: 5 }), 0)).toEqual([
      [2, 1, 2, 3, 2, 1, 2, 3, 2, 1, 2, 3, 2],
    ]);
  });

  it('replicates a 1-pixel dimension', () => {
    const out = reflectPad(tagged(1, 2, [5, 6]), { top: 1, right: 1, bottom: 3, left: 2 });
    expect(rows(out, 0)).toEqual([
      [6, 6, 6, 6],
      [5, 5, 5, 5],
      [6, 6, 6, 6],
      [5, 5, 5, 5],
      [6, 6, 6, 6],
      [5, 5, 5, 5],
    ]);
    expect(rows(reflectPad(tagged(1, 1, [9]), { top: 2, right: 2, bottom: 2, left: 2 }), 1)).toEqual(
      new Array(5).fill([109, 109, 109, 109, 109]),
    );
  });

  it('returns a copy for zero pads', () => {
    const img = randomPlanar(7, 5);
    const same = reflectPad(img, { top: 0, right: 0, bottom: 0, left: 0 });
    expect(same.data).not.toBe(img.data);
    expect(Array.from(same.data)).toEqual(Array.from(img.data));
  });

  it('validates pads', () => {
    const img = randomPlanar(2, 2);
    expectError(
      () => reflectPad(img, { top: -1, right: 0, bottom: 0, left: 0 }),
      RangeError,
      'Expected non-negative integer for pads.top but received -1 of type number',
    );
    expectError(
      () => reflectPad(img, { top: 0, right: 0, bottom: 0 } as never),
      TypeError,
      'Expected non-negative integer for pads.left but received undefined',
    );
    expectError(() => reflectPad(img, 4 as never), TypeError, 'Expected { top, right, bottom, left } for pads but received 4 of type number');
  });
});

describe('cropImage', () => {
  it('copies the rectangle from every plane', () => {
    const img = tagged(4, 3, [0, 1, 2, 3, 10, 11, 12, 13, 20, 21, 22, 23]);
    const out = cropImage(img, { x: 1, y: 1, width: 2, height: 2 });
    expect([out.width, out.height]).toEqual([2, 2]);
    expect(Array.from(out.data)).toEqual([11, 12, 21, 22, 111, 112, 121, 122, 211, 212, 221, 222]);
  });

  it('rejects rectangles outside the image with an exact message', () => {
    const img = randomPlanar(4, 3);
    expectError(
      () => cropImage(img, { x: 2, y: 0, width: 3, height: 1 }),
      RangeError,
      'Expected a rect inside the 4x3 image for rect but received x 2, y 0, width 3, height 1',
    );
    expectError(
      () => cropImage(img, { x: 0, y: 0, width: 0, height: 1 }),
      RangeError,
      'Expected positive integer for rect.width but received 0 of type number',
    );
    expectError(
      () => cropImage(img, { x: -1, y: 0, width: 1, height: 1 }),
      RangeError,
      'Expected non-negative integer for rect.x but received -1 of type number',
    );
  });
});

describe('padsToMultiple', () => {
  it('splits the padding with floor(half) at the top and left', () => {
    expect(padsToMultiple(450, 300, 8)).toEqual({ top: 2, right: 3, bottom: 2, left: 3 });
    expect(padsToMultiple(451, 301, 4)).toEqual({ top: 1, right: 1, bottom: 2, left: 0 });
    expect(padsToMultiple(449, 297, 4)).toEqual({ top: 1, right: 2, bottom: 2, left: 1 });
    expect(padsToMultiple(448, 300, 4)).toEqual({ top: 0, right: 0, bottom: 0, left: 0 });
    expect(padsToMultiple(5, 3, 1)).toEqual({ top: 0, right: 0, bottom: 0, left: 0 });
    expect(padsToMultiple(3, 2, 32)).toEqual({ top: 15, right: 15, bottom: 15, left: 14 });
  });

  it('validates its arguments', () => {
    expectError(() => padsToMultiple(4, 4, 0), RangeError, 'Expected positive integer for multiple but received 0 of type number');
    expectError(() => padsToMultiple(4.5, 4, 2), RangeError, 'Expected positive integer for width but received 4.5 of type number');
  });
});
