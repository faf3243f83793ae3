export type * from './image-types.js';
export * from './pixels.js';
export * from './tensor-conversion.js';
export * from './resize.js';
export * from './padding.js';
export * from './tiling.js';
export * from './color.js';
