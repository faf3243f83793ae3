import {
  createPastiche,
  type ArbitraryRunOptions,
  type ArbitraryStyles as CoreArbitraryStyles,
  type ArbitraryStylizer as CoreArbitraryStylizer,
  type LoadArbitraryOptions as CoreLoadArbitraryOptions,
  type PredictStyleLoadOptions,
  type StyleVector,
  type StyleVectors,
  type GatysProgress,
  type OptimizeRunOptions,
  type StylizeOptions,
  type LoadOptimizerOptions as CoreLoadOptimizerOptions,
  type LoadStyleOptions as CoreLoadStyleOptions,
  type StyleImages as CoreStyleImages,
  type StyleModel,
  type StyleOptimizer as CoreStyleOptimizer,
  type Stylizer as CoreStylizer,
} from '@pastiche/core';
import type { WebDevice } from './devices.js';
import type { ImageInput } from './image-input.js';
import type { StylizedImage } from './stylized-image.js';
import { webPlatform, type WebStoreOptions } from './web-platform.js';

/** A model file: a built-in name, a URL of an .onnx or .tflite file (absolute or relative to the page; a .tflite is converted as it loads), or its bytes. */
export type ModelSource = string | URL | Uint8Array | ArrayBuffer | Blob;
/** A style network: a model file, or a `StyleModel` you loaded with @pastiche/core. */
export type StyleInput = ModelSource | StyleModel;
/** The style of the optimisation method: `{ styleImage }`, or `{ styleImages: [img, { image, weight }, …] }`. */
export type StyleImages = CoreStyleImages<ImageInput>;
export type LoadStyleOptions = CoreLoadStyleOptions<WebDevice> & WebStoreOptions;
export type LoadOptimizerOptions = CoreLoadOptimizerOptions<WebDevice, ModelSource> & WebStoreOptions;
export type Stylizer = CoreStylizer<ImageInput, StylizedImage>;
/** One optimiser iteration, with the preview as ImageData for `putImageData`. */
export type WebGatysProgress = Omit<GatysProgress, 'preview'> & { preview?: ImageData };
/** Options of one optimisation run in the browser. */
export type WebOptimizeOptions = Omit<OptimizeRunOptions, 'onProgress'> & { onProgress?: (progress: WebGatysProgress) => void };
export type StyleOptimizer = Omit<CoreStyleOptimizer<ImageInput, StylizedImage>, 'stylize'> & {
  stylize(content: ImageInput, style: StyleImages, options?: WebOptimizeOptions): Promise<StylizedImage>;
};

/** The style of the arbitrary method: `{ styleImage }`, `{ styleImages }`, `{ styleVector }` or `{ styleVectors }`. */
export type ArbitraryStyles = CoreArbitraryStyles<ImageInput>;
export type LoadArbitraryOptions = CoreLoadArbitraryOptions<WebDevice, ModelSource> & WebStoreOptions;
/** Options of the one-shot {@link predictStyle}: the predictor's load options, `maxPixels` and `signal`. */
export type PredictStyleOptions = PredictStyleLoadOptions<WebDevice, ModelSource> & WebStoreOptions;
export type ArbitraryStylizer = CoreArbitraryStylizer<ImageInput, StylizedImage>;
export type { ArbitraryRunOptions as ArbitraryOptions, StyleVector };

const pastiche = createPastiche<ImageInput, StylizedImage, WebDevice, WebStoreOptions, ModelSource>(webPlatform);

/**
 * Stylizes an image in one call, on the main thread or in a Web Worker: with a style network (`'candy'`, served
 * at `modelBaseUrl`; a URL of an .onnx or .tflite file; its bytes) the fast method; with `{ styleImage }` /
 * `{ styleImages }` the optimisation method, or the arbitrary method with `method: 'arbitrary'`; with
 * `{ styleVector }` / `{ styleVectors }` the arbitrary method. Both are loaded on first use, so a page that never
 * asks for them does not download their code.
 */
export const stylize: {
  (input: ImageInput, style: StyleVectors, options?: LoadArbitraryOptions & ArbitraryRunOptions & { method?: 'arbitrary' }): Promise<StylizedImage>;
  (input: ImageInput, style: StyleImages, options: LoadArbitraryOptions & ArbitraryRunOptions & { method: 'arbitrary' }): Promise<StylizedImage>;
  (input: ImageInput, style: StyleImages, options?: LoadOptimizerOptions & WebOptimizeOptions & { method?: 'optimization' }): Promise<StylizedImage>;
  (input: ImageInput, style: StyleInput, options?: LoadStyleOptions & StylizeOptions): Promise<StylizedImage>;
} = pastiche.stylize as never;
/** Loads a style network once: `await (await loadStyle('candy')).stylize(img)`. */
export const loadStyle: (style: StyleInput, options?: LoadStyleOptions) => Promise<Stylizer> = pastiche.loadStyle;
/** Loads the optimisation method (loss network or prebuilt gradient graphs, sessions) once. */
export const loadStyleOptimizer = pastiche.loadStyleOptimizer as (options?: LoadOptimizerOptions) => Promise<StyleOptimizer>;
/**
 * Loads the arbitrary-style method (Magenta's style predictor and transfer network, or yours) once; its style vectors
 * are cached, so a strength slider re-renders without running the predictor again.
 */
export const loadArbitraryStylizer: (options?: LoadArbitraryOptions) => Promise<ArbitraryStylizer> = pastiche.loadArbitraryStylizer;
/** The style vector of a painting, to keep (`JSON.stringify` it) and pass back as `{ styleVector }`. */
export const predictStyle: (image: ImageInput, options?: PredictStyleOptions) => Promise<StyleVector> = pastiche.predictStyle;
/** Ends the runs in flight (E_DISPOSED) and releases every session this package's calls created on this page (or in this worker). */
export const dispose: () => Promise<void> = pastiche.dispose;

export * from '@pastiche/core/user-api';
export { WEB_DEVICES, probeWebGpu, type WebDevice, type WebGpuAdapterInfo } from './devices.js';
export type { ImageInput } from './image-input.js';
export { MODEL_CACHE_NAME, clearModelCache, loadCatalog, type ModelLocationOptions } from './model-store.js';
export { env } from './env.js';
export { configureRuntime, runtimeSettings, type WebRuntimeOptions } from './runtime.js';
export { StylizedImage } from './stylized-image.js';
