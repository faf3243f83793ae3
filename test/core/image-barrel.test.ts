import { describe, expect, it } from 'vitest';
import * as image from '../../packages/core/src/image/index.js';

describe('image barrel', () => {
  it('exports exactly the image functions', () => {
    expect(Object.keys(image).sort()).toEqual(
      [
        'blendTiles',
        'blendWithContent',
        'createPlanar',
        'cropImage',
        'fitLongestSide',
        'padsToMultiple',
        'planTiles',
        'planarToRaw',
        'planarToTensor',
        'preserveColors',
        'rawToPlanar',
        'reflectPad',
        'resizeImage',
        'tensorToPlanar',
        'tileBlendWeights',
        'validateConventions',
      ].sort(),
    );
    for (const value of Object.values(image)) expect(typeof value).toBe('function');
  });
});
