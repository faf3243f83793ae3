/** The arbitrary-style method (Magenta): style predictor + style transfer network, any painting in one pass. */
export * from './arbitrary-networks.js';
export * from './arbitrary-options.js';
export { predictStyle, predictStyleUnchecked, type PredictStyleOptions } from './predict-style.js';
export * from './style-vectors.js';
export * from './stylize-arbitrary.js';
export * from './arbitrary-styles.js';
export { MemoizedPredictor, STYLE_VECTOR_CACHE_SIZE } from './memoized-predictor.js';
