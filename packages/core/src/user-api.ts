/**
 * The names @pastiche/node and @pastiche/web re-export beside their own functions and types (the subpath
 * `@pastiche/core/user-api`), so that both adapters offer the same errors and option types from one list.
 */
export { ERROR_CODES, PasticheError, type ErrorCode } from './errors.js';
export type { Catalog, CatalogLossNetwork, CatalogStyle } from './catalog/catalog-types.js';
export type { StylizeOptions, StylizeProgress } from './methods/fast/stylize-options.js';
export type { GatysProgress } from './methods/optimization/gatys-options.js';
export type { LoadProgress, LoadProgressCallback } from './platform/load-progress.js';
export type { StylizeInfo } from './platform/platform.js';
export type { StylizerInfo } from './platform/stylizer.js';
export type { GradientGraphSources, OptimizeRunOptions, StyleOptimizerInfo } from './platform/style-optimizer.js';
export type { ArbitraryProgress, ArbitraryStylizerInfo } from './platform/arbitrary-stylizer.js';
export type { StyleVector, StyleVectorInput } from './methods/arbitrary/style-vectors.js';
export type { WeightedStyleVector } from './methods/arbitrary/arbitrary-styles.js';
