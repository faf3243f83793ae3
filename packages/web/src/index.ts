import {
  createPastiche,
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

/** A model file: a built-in name, a URL of an .onnx file (absolute or relative to the page), or its bytes. */
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

const pastiche = createPastiche<ImageInput, StylizedImage, WebDevice, WebStoreOptions, ModelSource>(webPlatform);

/**
 * Stylizes an image in one call, on the main thread or in a Web Worker: with a style network (`'candy'`, served
 * at `modelBaseUrl`; a URL of an .onnx file; its bytes) the fast method; with `{ styleImage }` / `{ styleImages }`
 * the optimisation method (loaded on first use, so a page that never asks for it does not download its code).
 */
export const stylize: {
  (input: ImageInput, style: StyleImages, options?: LoadOptimizerOptions & WebOptimizeOptions): Promise<StylizedImage>;
  (input: ImageInput, style: StyleInput, options?: LoadStyleOptions & StylizeOptions): Promise<StylizedImage>;
} = pastiche.stylize as never;
/** Loads a style network once: `await (await loadStyle('candy')).stylize(img)`. */
export const loadStyle: (style: StyleInput, options?: LoadStyleOptions) => Promise<Stylizer> = pastiche.loadStyle;
/** Loads the optimisation method (loss network or prebuilt gradient graphs, sessions) once. */
export const loadStyleOptimizer = pastiche.loadStyleOptimizer as (options?: LoadOptimizerOptions) => Promise<StyleOptimizer>;
/** Releases every session that one-shot calls created on this page (or in this worker). */
export const dispose: () => Promise<void> = pastiche.dispose;

export * from '@pastiche/core/user-api';
export { WEB_DEVICES, probeWebGpu, type WebDevice, type WebGpuAdapterInfo } from './devices.js';
export type { ImageInput } from './image-input.js';
export { MODEL_CACHE_NAME, clearModelCache, loadCatalog, type ModelLocationOptions } from './model-store.js';
export { env } from './env.js';
export { configureRuntime, runtimeSettings, type WebRuntimeOptions } from './runtime.js';
export { StylizedImage } from './stylized-image.js';
