export * from '@pastiche/core';
export {
  DEFAULT_DEVICE,
  DEVICE_PROVIDERS,
  WEB_DEVICES,
  probeWebGpu,
  type WebDevice,
  type WebGpuAdapterInfo,
} from './devices.js';
export { decodeImage, type ImageInput } from './image-input.js';
export type { LoadProgress, LoadProgressCallback } from './load-progress.js';
export { loadStyle, type LoadStyleOptions, type LoadedStyle } from './load-style.js';
export type { DeviceOptions } from './open-on-device.js';
export { dispose } from './session-cache.js';
export {
  DEFAULT_MODEL_BASE_URL,
  loadCatalog,
  type ModelBaseOptions,
  type WebCatalog,
  type WebCatalogLossNetwork,
  type WebCatalogStyle,
} from './model-catalog.js';
export { MODEL_CACHE_NAME, clearModelCache } from './model-fetch.js';
export type { ResolveStyleOptions, StyleInput } from './resolve-style.js';
export { configureRuntime, runtimeSettings, webRuntime, type WebRuntimeOptions } from './runtime.js';
export {
  stylizeWithImages,
  type GradientGraphSources,
  type ModelSource,
  type StyleImages,
  type WebGatysProgress,
  type WebOptimizeOptions,
  type WeightedImageInput,
} from './optimize.js';
export { stylize, type WebStylizeOptions } from './stylize.js';
export { StylizedImage, planarToImageData, type StylizeInfo } from './stylized-image.js';
