import {
  DEFAULT_LOSS_NETWORK,
  DEFAULT_POOLING,
  GatysEngine,
  LOSS_GRAPH_METADATA,
  LOSS_GRAPH_NAMES,
  METADATA_KEYS,
  PasticheError,
  buildGatysGraphs,
  createPlanar,
  decodeModel,
  describeValue,
  importLossGraphs,
  listStyleImages,
  optimizeStyle,
  rawToPlanar,
  resolveGatysOptions,
  type StyleImages as CoreStyleImages,
  type GatysOptions,
  type GatysProgress,
  type Pooling,
  type WeightedImageInput as CoreWeightedImageInput,
  type WeightedStyleImage,
} from '@pastiche/core';
import type { InferenceSession } from 'onnxruntime-web';
import { validateDevice } from './devices.js';
import { decodeImage, type ImageInput } from './image-input.js';
import { deviceKey, openOnDevice, type DeviceOptions } from './open-on-device.js';
import { LOSS_NETWORKS, resolveStyleReference, type ModelKind, type ResolveStyleOptions, type StyleReference } from './resolve-style.js';
import { configureRuntime, webRuntime, type WebRuntimeOptions } from './runtime.js';
import { sessions } from './session-cache.js';
import { StylizedImage, planarToImageData } from './stylized-image.js';

/** A model file: a URL (absolute or relative to the page), or its bytes. */
export type ModelSource = string | URL | Uint8Array | ArrayBuffer | Blob;

/** A style image with its share of the blend. */
export type WeightedImageInput = CoreWeightedImageInput<ImageInput>;

/** The style of the optimisation method: `{ styleImage }`, or `{ styleImages: [img, { image, weight }, …] }`. */
export type StyleImages = CoreStyleImages<ImageInput>;

/**
 * Gradient graphs built earlier, e.g. by `pastiche export-grad --loss-net squeezenet --out-dir public/grad`,
 * which writes `<network>.features.onnx` and `<network>.loss-grad.onnx`. The page then skips decoding the loss
 * network and building the graphs; their layers and pooling are the ones they were exported with.
 */
export interface GradientGraphSources {
  /** The features graph (`*.features.onnx`). */
  features: ModelSource;
  /** The loss+gradient graph (`*.loss-grad.onnx`). */
  lossGrad: ModelSource;
}

/** One optimiser iteration (see core's GatysProgress), with the preview as ImageData for `putImageData`. */
export type WebGatysProgress = Omit<GatysProgress, 'preview'> & {
  /** The current image, every `previewEvery` iterations: opaque RGBA at this scale's size. */
  preview?: ImageData;
};

/** Options of the optimisation method in the browser. */
export interface WebOptimizeOptions extends Omit<GatysOptions, 'onProgress'>, ResolveStyleOptions, WebRuntimeOptions, DeviceOptions {
  /**
   * `'squeezenet'` (fast), `'vgg19'` (conv1_1…conv3_4), another name from the catalog's `lossNetworks`, a URL
   * of a loss-network `.onnx` file, or its bytes. Fetched like style models (progress events, Cache API,
   * `sha256`). @default 'squeezenet'
   */
  lossNetwork?: ModelSource;
  /** Replace max pooling by average pooling in the loss network. @default 'max' */
  pooling?: Pooling;
  /** Load prebuilt gradient graphs instead of building them from `lossNetwork` in the page. */
  gradientGraphs?: GradientGraphSources;
  /** One report per optimiser iteration: scale, iteration, loss and its terms, and every `previewEvery` a preview. */
  onProgress?: (progress: WebGatysProgress) => void;
}

const GRADIENT_GRAPHS: ModelKind = {
  noun: 'gradient graph',
  param: 'gradientGraphs',
  accepts: 'a URL of an .onnx file or ONNX bytes (Uint8Array, ArrayBuffer, Blob)',
};

/** An engine in the session cache; its runs are queued, as one onnxruntime-web session must not run twice at once. */
class CachedEngine {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly engine: GatysEngine,
    readonly device: string,
    readonly name: string,
  ) {}

  exclusive<T>(work: () => Promise<T>): Promise<T> {
    const result = this.queue.then(work);
    this.queue = result.catch(() => undefined);
    return result;
  }

  async dispose(): Promise<void> {
    await this.queue;
    await this.engine.dispose();
  }
}

const usesWebGpu = (sessionOptions: InferenceSession.SessionOptions) =>
  (sessionOptions.executionProviders ?? []).some((ep) => (typeof ep === 'string' ? ep : ep.name) === 'webgpu');

/**
 * Runs both graphs once on a small grey image. onnxruntime-web loads graphs whose kernels its WebGPU EP
 * cannot run and fails only when they run, so on WebGPU this turns such a failure into
 * E_DEVICE_UNAVAILABLE while the engine opens, where `auto` can still fall back to wasm.
 */
async function checkRunsOnWebGpu(engine: GatysEngine, name: string): Promise<void> {
  const image = createPlanar(32, 32);
  image.data.fill(128);
  try {
    const features = await engine.features(image);
    const { contentLayers, styleLayers, termNames } = engine.graphs;
    const targets = new Map([
      ...contentLayers.map((layer) => [LOSS_GRAPH_NAMES.targetContent(layer), features.get(LOSS_GRAPH_NAMES.content(layer))!] as const),
      ...styleLayers.map((layer) => [LOSS_GRAPH_NAMES.targetGram(layer), features.get(LOSS_GRAPH_NAMES.gram(layer))!] as const),
    ]);
    await engine.evaluate(image.data, image.width, image.height, targets, new Float32Array(termNames.length).fill(1));
  } catch (cause) {
    await engine.dispose();
    const reason = ((cause as Error)?.message ?? String(cause)).split('\n')[0];
    throw new PasticheError(
      'E_DEVICE_UNAVAILABLE',
      `Device 'webgpu' cannot run the optimisation method's ${name} gradient graphs: onnxruntime-web's WebGPU kernels failed (${reason}). Use device 'wasm'.`,
      { cause },
    );
  }
}

/** Opens the engine on the requested device; on WebGPU it must also run (see checkRunsOnWebGpu). */
function openEngine(options: WebOptimizeOptions, name: string, open: (sessionOptions: InferenceSession.SessionOptions) => Promise<GatysEngine>) {
  return openOnDevice(options, async (sessionOptions) => {
    const engine = await open(sessionOptions);
    if (usesWebGpu(sessionOptions)) await checkRunsOnWebGpu(engine, name);
    return engine;
  });
}

function checkOptions(options: WebOptimizeOptions): void {
  resolveGatysOptions({ ...options, onProgress: undefined });
  if (options.device !== undefined) validateDevice(options.device);
  if (options.pooling !== undefined && options.pooling !== 'max' && options.pooling !== 'average') {
    throw new RangeError(`Expected 'max' or 'average' for pooling but received ${describeValue(options.pooling)}`);
  }
  const graphs = options.gradientGraphs;
  if (graphs === undefined) return;
  if (typeof graphs !== 'object' || graphs === null || graphs.features === undefined || graphs.lossGrad === undefined) {
    throw new TypeError(`Expected { features, lossGrad } (URLs or bytes of .onnx files) for gradientGraphs but received ${describeValue(graphs)}`);
  }
  if (options.lossNetwork !== undefined) {
    throw new TypeError('Expected lossNetwork or gradientGraphs, not both: the gradient graphs already hold their loss network');
  }
  if (options.sha256 !== undefined) {
    throw new TypeError('Expected no sha256 with gradientGraphs: sha256 checks a single file (the loss network)');
  }
}

/** Builds the gradient graphs from a loss network (by name, URL or bytes) and opens their sessions. */
async function engineFromLossNetwork(options: WebOptimizeOptions): Promise<CachedEngine> {
  const reference = await resolveStyleReference(options.lossNetwork ?? DEFAULT_LOSS_NETWORK, options, LOSS_NETWORKS);
  const key = JSON.stringify([
    'gatys',
    reference.key,
    options.contentLayers ?? null,
    options.styleLayers ?? null,
    options.pooling ?? DEFAULT_POOLING,
    deviceKey(options),
  ]);
  return sessions.get(key, async () => {
    // Built once, so that `auto` falling back from WebGPU to wasm does not build them again.
    const graphs = buildGatysGraphs(decodeModel(await reference.readBytes()), options);
    const { value, device } = await openEngine(options, reference.name, (sessionOptions) => GatysEngine.fromGraphs(webRuntime, graphs, sessionOptions));
    return new CachedEngine(value, device, reference.name);
  });
}

function checkBuiltWith(what: string, built: string, wanted: string | undefined, flag: string): void {
  if (wanted !== undefined && wanted !== built) {
    throw new RangeError(
      `Expected ${what} ${wanted} but the gradientGraphs were built with ${built || 'none'}: omit ${what}, or export the graphs again with ` +
        `\`pastiche export-grad ${flag} ${wanted}\`.`,
    );
  }
}

/** Opens sessions for gradient graphs exported earlier (`pastiche export-grad`). */
async function engineFromGraphs(sources: GradientGraphSources, options: WebOptimizeOptions): Promise<CachedEngine> {
  const [features, lossGrad]: StyleReference[] = await Promise.all([
    resolveStyleReference(sources.features, options, GRADIENT_GRAPHS),
    resolveStyleReference(sources.lossGrad, options, GRADIENT_GRAPHS),
  ]);
  const key = JSON.stringify(['gatys-graphs', features.key, lossGrad.key, deviceKey(options)]);
  const cached = await sessions.get(key, async () => {
    const [featuresBytes, lossGradBytes] = await Promise.all([features.readBytes(), lossGrad.readBytes()]);
    const graphs = importLossGraphs(featuresBytes, lossGradBytes);
    const name = graphs.lossGrad.metadataProps[METADATA_KEYS.name] ?? features.name.replace(/\.features$/, '');
    const { value, device } = await openEngine(options, name, (sessionOptions) => GatysEngine.fromGraphs(webRuntime, graphs, sessionOptions));
    return new CachedEngine(value, device, name);
  });
  const { graphs } = cached.engine;
  checkBuiltWith('contentLayers', graphs.contentLayers.join(','), options.contentLayers?.join(','), '--content-layers');
  checkBuiltWith('styleLayers', graphs.styleLayers.join(','), options.styleLayers?.join(','), '--style-layers');
  checkBuiltWith('pooling', graphs.lossGrad.metadataProps[LOSS_GRAPH_METADATA.pooling] ?? DEFAULT_POOLING, options.pooling, '--pooling');
  return cached;
}

async function loadEngine(options: WebOptimizeOptions): Promise<CachedEngine> {
  configureRuntime(options);
  const loaded = options.gradientGraphs ? await engineFromGraphs(options.gradientGraphs, options) : await engineFromLossNetwork(options);
  // Every caller hears `ready`, also when the engine already existed (then it is the only event).
  options.onLoadProgress?.({ status: 'ready', name: loaded.name, device: loaded.device });
  return loaded;
}

/**
 * The optimisation method (Gatys et al.) in the browser: iterates the content image's pixels to match the
 * style images' Gram matrices through a loss network's gradient graphs, on wasm (or WebGPU). Engines are
 * cached per loss network (or graph files), layers, pooling and device, like style sessions.
 */
export async function stylizeWithImages(content: ImageInput, style: StyleImages, options: WebOptimizeOptions = {}): Promise<StylizedImage> {
  const started = performance.now();
  // Wrong arguments fail before anything is downloaded.
  const inputs = listStyleImages(style);
  checkOptions(options);
  const [contentRaw, styleRaws, loaded] = await Promise.all([
    decodeImage(content),
    Promise.all(inputs.map((s) => decodeImage(s.image))),
    loadEngine(options),
  ]);
  const styles: WeightedStyleImage[] = styleRaws.map((raw, i) => ({ image: rawToPlanar(raw), weight: inputs[i].weight }));
  const { onProgress } = options;
  const result = await loaded.exclusive(() =>
    optimizeStyle(loaded.engine, rawToPlanar(contentRaw), styles, {
      ...options,
      onProgress: onProgress && (({ preview, ...progress }) => onProgress(preview ? { ...progress, preview: planarToImageData(preview) } : progress)),
    }),
  );
  return new StylizedImage(planarToImageData(result), { model: `gatys:${loaded.name}`, device: loaded.device, ms: performance.now() - started });
}
