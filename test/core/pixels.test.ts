import { describe, expect, it } from 'vitest';
import { createPlanar, planarToRaw, rawToPlanar } from '../../packages/core/src/image/pixels.js';
import { expectError, planar } from './image-helpers.js';

describe('rawToPlanar', () => {
  it('de-interleaves RGB into R, G and B planes', () => {
    const raw = { data: Uint8Array.from([1, 2, 3, 4, 5, 6]), width: 2, height: 1, channels: 3 as const };
    expect(Array.from(rawToPlanar(raw).data)).toEqual([1, 4, 2, 5, 3, 6]);
  });

  it('drops alpha from RGBA', () => {
    const raw = { data: Uint8ClampedArray.from([10, 20, 30, 0, 40, 50, 60, 128]), width: 1, height: 2, channels: 4 as const };
    const img = rawToPlanar(raw);
    expect(img.width).toBe(1);
    expect(img.height).toBe(2);
    expect(Array.from(img.data)).toEqual([10, 40, 20, 50, 30, 60]);
  });

  it('copies grey into all three planes, with and without alpha', () => {
    expect(Array.from(rawToPlanar({ data: Uint8Array.from([7, 9]), width: 2, height: 1, channels: 1 }).data)).toEqual([
      7, 9, 7, 9, 7, 9,
    ]);
    expect(Array.from(rawToPlanar({ data: Uint8Array.from([7, 255, 9, 0]), width: 1, height: 2, channels: 2 }).data)).toEqual([
      7, 9, 7, 9, 7, 9,
    ]);
  });

  it('rejects data of the wrong length and bad fields with exact messages', () => {
    expectError(
      () => rawToPlanar({ data: new Uint8Array(10), width: 2, height: 2, channels: 3 }),
      RangeError,
      'Expected width * height * channels = 12 (2x2x3) for raw.data.length but received 10 of type number',
    );
    expectError(
      () => rawToPlanar({ data: new Uint8Array(12), width: 2, height: 2, channels: 5 as never }),
      RangeError,
      'Expected 1, 2, 3 or 4 for raw.channels but received 5 of type number',
    );
    expectError(
      () => rawToPlanar({ data: [1, 2, 3] as never, width: 1, height: 1, channels: 3 }),
      TypeError,
      'Expected Uint8Array or Uint8ClampedArray for raw.data but received an array of length 3',
    );
    expectError(
      () => rawToPlanar({ data: new Uint8Array(3), width: 'spoons' as never, height: 1, channels: 3 }),
      TypeError,
      'Expected positive integer for raw.width but received "spoons" of type string',
    );
    expectError(() => rawToPlanar(null as never), TypeError, 'Expected RawImage for raw but received null');
  });
});

describe('planarToRaw', () => {
  it('rounds half up, clamps to 0..255 and maps NaN to 0', () => {
    const img = planar(6, 1, [-5, 0.49, 0.5, 254.5, 300, NaN], [1.4999, 1.5, 2.5, 127.2, 255, -0], [0, 0, 0, 0, 0, 0]);
    const raw = planarToRaw(img);
    expect(raw.channels).toBe(3);
    expect(raw.data).toBeInstanceOf(Uint8Array);
    expect(Array.from(raw.data)).toEqual([0, 1, 0, 0, 2, 0, 1, 3, 0, 255, 127, 0, 255, 255, 0, 0, 0, 0]);
  });

  it('writes opaque alpha for 4 channels', () => {
    const raw = planarToRaw(planar(2, 1, [1, 4], [2, 5], [3, 6]), 4);
    expect(raw.channels).toBe(4);
    expect(Array.from(raw.data)).toEqual([1, 2, 3, 255, 4, 5, 6, 255]);
  });

  it('rejects other channel counts and malformed images', () => {
    expectError(() => planarToRaw(createPlanar(1, 1), 1 as never), RangeError, 'Expected 3 or 4 for channels but received 1 of type number');
    expectError(
      () => planarToRaw({ data: new Float32Array(5), width: 1, height: 2 }),
      RangeError,
      'Expected 3 * width * height = 6 (1x2) for img.data.length but received 5 of type number',
    );
    expectError(
      () => planarToRaw({ data: new Uint8Array(6) as never, width: 1, height: 2 }),
      TypeError,
      'Expected Float32Array for img.data but received an object of type Uint8Array',
    );
  });
});

describe('createPlanar', () => {
  it('allocates a black image of the right size', () => {
    const img = createPlanar(4, 3);
    expect(img.data.length).toBe(36);
    expect(img.data.every((v) => v === 0)).toBe(true);
  });

  it('validates its dimensions', () => {
    expectError(() => createPlanar(0, 3), RangeError, 'Expected positive integer for width but received 0 of type number');
    expectError(() => createPlanar(2, 1.5), RangeError, 'Expected positive integer for height but received 1.5 of type number');
    expectError(() => createPlanar('spoons' as never, 3), TypeError, 'Expected positive integer for width but received "spoons" of type string');
  });
});
