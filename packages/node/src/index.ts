import {
  createPastiche,
  type ArbitraryRunOptions,
  type ArbitraryStyles as CoreArbitraryStyles,
  type ArbitraryStylizer as CoreArbitraryStylizer,
  type LoadArbitraryOptions as CoreLoadArbitraryOptions,
  type PredictStyleLoadOptions,
  type PredictStyleRunOptions,
  type StyleVector,
  type LoadOptimizerOptions as CoreLoadOptimizerOptions,
  type LoadStyleOptions as CoreLoadStyleOptions,
  type OptimizeRunOptions,
  type StyleImages as CoreStyleImages,
  type StyleModel,
  type StyleOptimizer as CoreStyleOptimizer,
  type Stylizer as CoreStylizer,
} from '@pastiche/core';
import type { ImageInput } from './image-input.js';
import type { ModelLocationOptions } from './model-store.js';
import type { NodeDevice } from './devices.js';
import { nodePlatform } from './node-platform.js';
import type { StylizedImage } from './stylized-image.js';

/** A model file: a built-in name, a path or http(s) URL of an .onnx or .tflite file (converted as it loads), or its bytes. */
export type ModelSource = string | URL | Uint8Array | ArrayBuffer;
/** A style network: a model file, or a `StyleModel` you loaded with @pastiche/core. */
export type StyleInput = ModelSource | StyleModel;
/** The style of the optimisation method: `{ styleImage }`, or `{ styleImages: [img, { image, weight }, …] }`. */
export type StyleImages = CoreStyleImages<ImageInput>;
export type LoadStyleOptions = CoreLoadStyleOptions<NodeDevice> & ModelLocationOptions;
export type LoadOptimizerOptions = CoreLoadOptimizerOptions<NodeDevice, ModelSource> & ModelLocationOptions;
export type Stylizer = CoreStylizer<ImageInput, StylizedImage>;
export type StyleOptimizer = CoreStyleOptimizer<ImageInput, StylizedImage>;
/** The style of the arbitrary method: `{ styleImage }`, `{ styleImages }`, `{ styleVector }` or `{ styleVectors }`. */
export type ArbitraryStyles = CoreArbitraryStyles<ImageInput>;
export type LoadArbitraryOptions = CoreLoadArbitraryOptions<NodeDevice, ModelSource> & ModelLocationOptions;
/** Options of the one-shot {@link predictStyle}: the predictor's load options, `maxPixels` and `signal`. */
export type PredictStyleOptions = PredictStyleLoadOptions<NodeDevice, ModelSource> & ModelLocationOptions;
export type ArbitraryStylizer = CoreArbitraryStylizer<ImageInput, StylizedImage>;

const pastiche = createPastiche<ImageInput, StylizedImage, NodeDevice, ModelLocationOptions, ModelSource>(nodePlatform);

/**
 * Stylizes an image in one call: with a style network (`'candy'`, a path or URL of an .onnx or .tflite file, its
 * bytes) the fast method; with `{ styleImage }` / `{ styleImages }` the optimisation method, or the arbitrary method
 * with `method: 'arbitrary'`; with `{ styleVector }` / `{ styleVectors }` the arbitrary method. What it loads stays
 * loaded until {@link dispose}; use {@link loadStyle} / {@link loadStyleOptimizer} / {@link loadArbitraryStylizer} to
 * hold models yourself.
 */
export const stylize = pastiche.stylize;
/** Loads a style network once: `await (await loadStyle('candy')).stylize('photo.jpg')`. */
export const loadStyle: (style: StyleInput, options?: LoadStyleOptions) => Promise<Stylizer> = pastiche.loadStyle;
/** Loads the optimisation method (loss network, gradient graphs, sessions) once. */
export const loadStyleOptimizer: (options?: LoadOptimizerOptions) => Promise<StyleOptimizer> = pastiche.loadStyleOptimizer;
/**
 * Loads the arbitrary-style method (Magenta's style predictor and transfer network, or yours) once:
 * `await (await loadArbitraryStylizer()).stylize('photo.jpg', { styleImage: 'painting.jpg' }, { strength: 0.8 })`.
 */
export const loadArbitraryStylizer: (options?: LoadArbitraryOptions) => Promise<ArbitraryStylizer> = pastiche.loadArbitraryStylizer;
/**
 * The style vector of a painting, to keep (`JSON.stringify` it) and pass back as `{ styleVector }`; the predictor stays
 * loaded until {@link dispose}.
 */
export const predictStyle: (image: ImageInput, options?: PredictStyleOptions) => Promise<StyleVector> = pastiche.predictStyle;
/**
 * Ends the runs in flight (each finishes or fails with E_DISPOSED) and releases every session this package's calls
 * created; stylizers and optimizers loaded before it fail with E_DISPOSED afterwards, later calls load again.
 */
export const dispose: () => Promise<void> = pastiche.dispose;

// Named, not `export *`: the ESM build splits index and cli into a shared chunk, and esbuild then re-exports only the
// chunk's named bindings, so a star re-export of an external module vanished from dist/index.js (PasticheError with it).
export { ERROR_CODES, PasticheError } from '@pastiche/core/user-api';
export type * from '@pastiche/core/user-api';
export { BUILTIN_CATALOG } from '@pastiche/core';
export type { OptimizeRunOptions as OptimizeOptions, ArbitraryRunOptions as ArbitraryOptions, PredictStyleRunOptions, StyleVector };
export { env, type NodeSettings } from './env.js';
export { exportGradientGraphs, type ExportGradientOptions } from './export-grad.js';
export { clearCachedModels, findBuiltInModel, listBuiltInModels, modelPaths, pullBuiltInModel, verifyCachedModels, type BuiltInModelStatus, type CachedModelCheck, type ModelPaths, type PullOptions, type PulledModel } from './model-admin.js';
export type { ImageInput, RawPixels } from './image-input.js';
export type { ModelLocationOptions } from './model-store.js';
export { NODE_DEVICES, type NodeDevice } from './devices.js';
export { StylizedImage, type EncodeOptions, type OutputFormat } from './stylized-image.js';
