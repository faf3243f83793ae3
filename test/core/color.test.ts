import { describe, expect, it } from 'vitest';
import { blendWithContent, preserveColors } from '../../packages/core/src/image/color.js';
import type { PlanarImage } from '../../packages/core/src/image/image-types.js';
import { expectError, maxAbsDiff, planar, randomPlanar } from './image-helpers.js';

describe('preserveColors', () => {
  it('combines the stylized luma with the content chroma (hand-computed)', () => {
    // Content (200, 100, 50): Y = 59.8 + 58.7 + 5.7 = 124.2. Stylized grey 80: Y = 80.
    // Swapping Y shifts every channel by 80 - 124.2 = -44.2.
    const out = preserveColors(planar(1, 1, [80], [80], [80]), planar(1, 1, [200], [100], [50]));
    expect(maxAbsDiff(out.data, [155.8, 55.8, 5.8])).toBeLessThan(1e-4);
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
      'Expected the size of stylized (2x2) for content but received 3x2',
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
      'Expected the size of stylized (7x4) for content but received 4x7',
    );
  });
});
