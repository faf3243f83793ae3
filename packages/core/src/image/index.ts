/**
 * The public image functions. Each checks its arguments; the `…Unchecked` kernels beside them are for the
 * pipeline, which resolved its values already, and are not exported here.
 */
export type * from './image-types.js';
export type { TilePlanOptions, TileRect } from './tiling.js';
export { createPlanar, planarToRaw, rawToPlanar } from './pixels.js';
export { planarToTensor, tensorToPlanar, validateConventions } from './tensor-conversion.js';
export { fitLongestSide, resizeImage } from './resize.js';
export { cropImage, padsToMultiple, reflectPad } from './padding.js';
export { blendTiles, planTiles, tileBlendWeights } from './tiling.js';
export { blendWithContent, preserveColors } from './color.js';
