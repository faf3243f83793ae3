import { StyleModel, createPastiche, rawToPlanar, stylizePlanar } from '@pastiche/core';
import * as web from '@pastiche/web';
import { decodeImage } from '../../../packages/web/src/image-input.js';
import { webPlatform } from '../../../packages/web/src/web-platform.js';
import type {
  HarnessApi,
  PageArbitraryOptions,
  PageArbitraryResult,
  PageArbitraryTiledResult,
  PageGatysOptions,
  PageGatysProgress,
  PageGatysResult,
  PageOptions,
  PageTileOptions,
  PageResult,
  ThrownError,
  WorkerResult,
} from '../../helpers/browser-harness-api.js';
import { describeError, fromBase64, toBase64 } from './codec.js';
import { runParityCases, type AdapterApi } from '../../helpers/parity-cases.js';

type Options = PageOptions & Pick<web.LoadStyleOptions, 'modelBaseUrl'>;

const base: Options = { modelBaseUrl: '/models/', numThreads: 2 };

async function run(input: web.ImageInput, style: web.StyleInput, options: Options = {}): Promise<PageResult> {
  const events: web.LoadProgress[] = [];
  const result = await web.stylize(input, style, { ...base, ...options, onLoadProgress: (e) => events.push(e) });
  return { rgba: toBase64(result.imageData.data), width: result.width, height: result.height, info: { ...result.info }, events };
}

/** The optimisation method on an image URL with one style image URL. */
async function gatys(contentUrl: string, styleUrl: string, options: PageGatysOptions = {}): Promise<PageGatysResult> {
  const events: web.LoadProgress[] = [];
  const progress: PageGatysProgress[] = [];
  const result = await web.stylize(contentUrl, { styleImage: styleUrl }, {
    ...base,
    ...options,
    onLoadProgress: (e) => events.push(e),
    onProgress: ({ scale, iteration, width, height, loss, terms, elapsedMs, preview }) =>
      progress.push({ scale, iteration, width, height, loss, terms, elapsedMs, ...(preview ? { preview: [preview.width, preview.height] } : {}) }),
  });
  return { rgba: toBase64(result.imageData.data), width: result.width, height: result.height, info: { ...result.info }, events, progress };
}

/** The arbitrary method as an app holds it: a stylizer loaded once, the painting's vector, then the photo with it. */
async function arbitrary(contentUrl: string, styleUrl: string, options: PageArbitraryOptions = {}): Promise<PageArbitraryResult> {
  const events: web.LoadProgress[] = [];
  const { transferNetwork, predictor, ...run } = options;
  const stylizer = await web.loadArbitraryStylizer({ ...base, transferNetwork, predictor, onLoadProgress: (e) => events.push(e) });
  try {
    const vector = await stylizer.predictStyle(styleUrl);
    const progress: string[] = [];
    const result = await stylizer.stylize(contentUrl, { styleImage: styleUrl }, { ...run, onProgress: (p) => progress.push(`${p.done}/${p.total} ${p.step}`) });
    const fromVector = await web.stylize(contentUrl, { styleVector: JSON.parse(JSON.stringify(vector)) }, { ...base, ...options });
    return {
      rgba: toBase64(result.imageData.data),
      width: result.width,
      height: result.height,
      info: { ...result.info },
      events,
      vector: { predictor: vector.predictor, values: [...vector.values] },
      fromVector: toBase64(fromVector.imageData.data),
      progress,
    };
  } finally {
    await stylizer.dispose();
  }
}

/** The arbitrary method with a kept style vector, tiled as each of `tilings` says, on one stylizer. */
async function arbitraryTiled(contentUrl: string, vector: number[], options: PageArbitraryOptions, tilings: PageTileOptions[]): Promise<PageArbitraryTiledResult[]> {
  const events: web.LoadProgress[] = [];
  const { transferNetwork, predictor, ...run } = options;
  const stylizer = await web.loadArbitraryStylizer({ ...base, transferNetwork, predictor, onLoadProgress: (e) => events.push(e) });
  try {
    const results: PageArbitraryTiledResult[] = [];
    for (const tiling of tilings) {
      const progress = { done: 0, total: 0 };
      const result = await stylizer.stylize(contentUrl, { styleVector: vector }, { ...run, ...tiling, onProgress: ({ done, total }) => Object.assign(progress, { done, total }) });
      results.push({ rgba: toBase64(result.imageData.data), width: result.width, height: result.height, info: { ...result.info }, events, progress });
    }
    return results;
  } finally {
    await stylizer.dispose();
  }
}

async function caught(promise: Promise<unknown>): Promise<ThrownError | undefined> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    return describeError(error);
  }
}

async function loadImage(url: string): Promise<HTMLImageElement> {
  const img = new Image();
  img.src = url;
  await img.decode();
  return img;
}

/** The same picture as every input type stylize() accepts. */
async function inputsFor(url: string): Promise<Record<string, web.ImageInput>> {
  const blob = await (await fetch(url)).blob();
  const img = await loadImage(url);
  const bitmap = await createImageBitmap(blob);
  const canvas = document.createElement('canvas');
  canvas.width = bitmap.width;
  canvas.height = bitmap.height;
  canvas.getContext('2d')!.drawImage(bitmap, 0, 0);
  const offscreen = new OffscreenCanvas(bitmap.width, bitmap.height);
  offscreen.getContext('2d')!.drawImage(bitmap, 0, 0);
  const imageData = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
  return { url, urlObject: new URL(url, location.href), blob, img, bitmap, canvas, offscreen, imageData };
}

const harness = {
  settings: () => ({ ...web.runtimeSettings() }),
  probe: () => web.probeWebGpu(),

  /** stylize() on raw RGB pixels sent from the test. */
  stylizeRgb: (rgb: string, width: number, height: number, style: string, options?: Options) =>
    run({ data: fromBase64(rgb), width, height, channels: 3 }, style, options),

  stylizeUrl: (url: string, style: string, options?: Options) => run(url, style, options),

  /** A built-in style with no modelBaseUrl: made in the page from its original files at `remoteHost` on first use. */
  async fromOriginals(url: string, style: string, remoteHost: string): Promise<PageResult> {
    const events: web.LoadProgress[] = [];
    const result = await web.stylize(url, style, { numThreads: base.numThreads, remoteHost, size: 64, onLoadProgress: (e) => events.push(e) });
    return { rgba: toBase64(result.imageData.data), width: result.width, height: result.height, info: { ...result.info }, events };
  },

  /** Two 'auto' runs on a kernel of its own (its fallback warning not yet spent): the devices they got. */
  async autoTwice(url: string): Promise<string[]> {
    const pastiche = createPastiche(webPlatform);
    const devices: string[] = [];
    for (let i = 0; i < 2; i++) devices.push((await pastiche.stylize(url, 'candy', { ...base, device: 'auto', size: 32 })).info.device);
    await pastiche.dispose();
    return devices;
  },

  /** Runs the network alone (no 8-bit rounding) through loadStyle(), for float comparisons between devices. */
  async runFloat(rgb: string, width: number, height: number, style: string, device: web.WebDevice) {
    web.configureRuntime({ numThreads: base.numThreads });
    const bytes = new Uint8Array(await (await fetch(`/models/${style}.onnx`)).arrayBuffer());
    const model = await StyleModel.load(bytes, webPlatform.runtime, { sessionOptions: { executionProviders: [device] } });
    const planar = rawToPlanar({ data: fromBase64(rgb), width, height, channels: 3 });
    const started = performance.now();
    const output = await model.run(planar);
    await model.dispose();
    return { device: model.device ?? device, ms: performance.now() - started, output: Array.from(output.data) };
  },

  /** stylizePlanar() of @pastiche/core on the wasm runtime, tiled as `options` say: the float result and its passes. */
  async tiledFloat(rgb: string, width: number, height: number, style: string, options: PageTileOptions) {
    web.configureRuntime({ numThreads: base.numThreads });
    const bytes = new Uint8Array(await (await fetch(`/models/${style}.onnx`)).arrayBuffer());
    const model = await StyleModel.load(bytes, webPlatform.runtime, { sessionOptions: { executionProviders: ['wasm'] } });
    const planar = rawToPlanar({ data: fromBase64(rgb), width, height, channels: 3 });
    let passes = 0;
    const started = performance.now();
    try {
      const output = await stylizePlanar(model, planar, { ...options, onProgress: (p) => (passes = p.passes) });
      return { ms: performance.now() - started, passes, output: Array.from(output.data) };
    } finally {
      await model.dispose();
    }
  },

  /** decodeImage() of every input type, as base64 RGBA. */
  async decodeAll(url: string): Promise<Record<string, { rgba: string; width: number; height: number; channels: number }>> {
    const out: Record<string, { rgba: string; width: number; height: number; channels: number }> = {};
    for (const [kind, input] of Object.entries(await inputsFor(url))) {
      const raw = await decodeImage(input);
      out[kind] = { rgba: toBase64(raw.data), width: raw.width, height: raw.height, channels: raw.channels };
    }
    return out;
  },

  /** stylize() in a Web Worker on an image URL. */
  inWorker(url: string, style: string, options?: Options): Promise<WorkerResult> {
    const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
    return new Promise((resolve, reject) => {
      worker.onmessage = (event) => {
        worker.terminate();
        resolve(event.data);
      };
      worker.onerror = (event) => {
        worker.terminate();
        reject(new Error(event.message));
      };
      worker.postMessage({ url: new URL(url, location.href).href, style, options: { ...base, ...options, modelBaseUrl: new URL('/models/', location.href).href } });
    });
  },

  async blobsOf(url: string, style: string, types: string[], quality?: number) {
    const result = await web.stylize(url, style, { ...base, size: 128 });
    const canvas = document.createElement('canvas');
    result.drawTo(canvas);
    const drawn = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
    const blobs = await Promise.all(types.map((type) => result.toBlob(type, quality)));
    return {
      blobs: blobs.map((blob) => ({ type: blob.type, bytes: blob.size })),
      canvas: [canvas.width, canvas.height],
      drawnMatches: toBase64(drawn) === toBase64(result.imageData.data),
    };
  },

  async cachedUrls(): Promise<string[]> {
    const cache = await caches.open(web.MODEL_CACHE_NAME);
    return (await cache.keys()).map((r) => r.url);
  },

  dispose: () => web.dispose(),
  /** Releases the sessions and empties the model cache, so that the next load downloads again. */
  async fresh(): Promise<void> {
    await web.dispose();
    await web.clearModelCache();
  },
  catalog: async () => (await web.loadCatalog({ modelBaseUrl: '/models/' })).styles.map((s) => s.name),
  lossNetworks: async () => (await web.loadCatalog({ modelBaseUrl: '/models/' })).lossNetworks.map((n) => n.name),

  /** The shared table of cases (test/helpers/parity-cases.ts) against @pastiche/web. */
  async parity(rgb: string, width: number, height: number, gradUrl: string) {
    const candyBytes = new Uint8Array(await (await fetch('/models/candy.onnx')).arrayBuffer());
    const image = { data: fromBase64(rgb), width, height, channels: 3 as const };
    const modelsUrl = new URL('/models/', location.href).href;
    return runParityCases(web as unknown as AdapterApi, { image, modelsUrl, gradUrl, candyBytes, base: { ...base } });
  },

  gatys,
  arbitrary,
  arbitraryTiled,
  gatysError: (contentUrl: string, styleUrl: string, options?: PageGatysOptions) => caught(gatys(contentUrl, styleUrl, options)),

  /** The errors thrown by bad optimisation calls, as plain data. */
  async gatysErrors(imageUrl: string) {
    const image = await (await fetch(imageUrl)).blob();
    const style = { styleImage: image };
    const graphs = { features: '/grad/squeezenet1.1.features.onnx', lossGrad: '/grad/squeezenet1.1.loss-grad.onnx' };
    return {
      noStyleImage: await caught(web.stylize(image, { styleImages: [] }, base)),
      unknownLossNetwork: await caught(web.stylize(image, style, { ...base, lossNetwork: 'alexnet' })),
      bothSources: await caught(web.stylize(image, style, { ...base, lossNetwork: 'squeezenet', gradientGraphs: graphs })),
      badPooling: await caught(web.stylize(image, style, { ...base, pooling: 'min' as 'max' })),
      badIterations: await caught(web.stylize(image, style, { ...base, iterations: 0 })),
      layersDiffer: await caught(web.stylize(image, style, { ...base, size: 16, iterations: 1, gradientGraphs: graphs, styleLayers: ['fire9'] })),
    };
  },

  /** The errors thrown by a few bad calls, as plain data. */
  async errors(imageUrl: string) {
    const image = await (await fetch(imageUrl)).blob();
    const result = await web.stylize(image, 'candy', { ...base, size: 32 });
    return {
      unknownDevice: await caught(web.stylize(image, 'candy', { ...base, device: 'cuda' as web.WebDevice })),
      badInput: await caught(web.stylize(42 as unknown as web.ImageInput, 'candy', base)),
      notAnImage: await caught(web.stylize(new Blob(['not a png'], { type: 'text/plain' }), 'candy', base)),
      missingImage: await caught(web.stylize('/images/missing.png', 'candy', base)),
      unknownStyle: await caught(web.stylize(image, 'no-such-style', base)),
      missingModel: await caught(web.stylize(image, '/models/missing.onnx', base)),
      badStrength: await caught(web.stylize(image, 'candy', { ...base, strength: 2 })),
      badType: await caught(result.toBlob('image/x-nope')),
      changedThreads: await caught(web.stylize(image, 'candy', { ...base, numThreads: 1 })),
      emptyBlob: await caught(web.stylize(new Blob([], { type: 'image/png' }), 'candy', base)),
      truncatedPng: await caught(web.stylize(image.slice(0, image.size >> 1, 'image/png'), 'candy', base)),
      garbageJpeg: await caught(web.stylize(new Blob([new Uint8Array([0xff, 0xd8, 0xff, 0xe0]), new Uint8Array(400).fill(7)], { type: 'image/jpeg' }), 'candy', base)),
      nullOptions: await caught(web.stylize(image, 'candy', null as never)),
      stringProviders: await caught(web.stylize(image, 'candy', { ...base, executionProviders: 'wasm' as never })),
      rawMismatch: await caught(web.stylize({ data: new Uint8Array(10), width: 4, height: 4, channels: 3 }, 'candy', base)),
      ...(await (async () => {
        const stylizer = await web.loadStyle('candy', base);
        const running = caught(stylizer.stylize(image, { size: 256 }));
        await stylizer.dispose();
        return { disposedDuringRun: await running, runAfterDispose: await caught(stylizer.stylize(image, { size: 32 })) };
      })()),
    };
  },
} satisfies HarnessApi;

declare global {
  interface Window {
    harness: typeof harness;
  }
}
// `?wasmPaths=/ort/` loads onnxruntime-web's .wasm from there instead of the bundle's copy.
const wasmPaths = new URLSearchParams(location.search).get('wasmPaths');
if (wasmPaths) web.configureRuntime({ wasmPaths });
window.harness = harness;
document.getElementById('status')!.textContent = 'ready';
