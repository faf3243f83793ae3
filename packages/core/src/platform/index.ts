export * from './platform.js';
export type * from '../runtime/runtime.js';
export type * from './load-progress.js';
export type { DeviceOptions } from './device-selection.js';
export { resolveMaxModelBytes, type LoadStyleOptions, type ModelLoadOptions } from './load-options.js';
export { DEFAULT_DOWNLOAD_STALL_MS, DEFAULT_MAX_MODEL_BYTES, downloadModel, type DownloadOptions } from './model-download.js';
export { webCryptoSha256 } from './sha256.js';
export type { Stylizer, StylizerInfo } from './stylizer.js';
export type { GradientGraphSources, LoadOptimizerOptions, OptimizeRunOptions, StyleOptimizer, StyleOptimizerInfo } from './style-optimizer.js';
export { createPastiche, STYLE_IMAGE_METHODS, type MethodOption, type Pastiche, type StyleImageMethod, type StyleSource } from './pastiche.js';
export type {
  ArbitraryProgress,
  ArbitraryRunOptions,
  ArbitraryStylizer,
  ArbitraryStylizerInfo,
  LoadArbitraryOptions,
  PredictStyleOptions as PredictStyleLoadOptions,
  PredictStyleRunOptions,
} from './arbitrary-stylizer.js';
export { checkModelArgument, convertedModelKey, resolveModelReference, type ModelReference, type ModelRole } from './model-reference.js';
export { fetchAndConvert, sourceFileUrl } from './catalog-model.js';
export { DEFAULT_REMOTE_HOST, type ModelSettings } from './model-settings.js';
export type { CheckpointSpill, CheckpointStorage, StorageTerms, StoredBlock } from '../tiling/checkpoint-storage.js';
