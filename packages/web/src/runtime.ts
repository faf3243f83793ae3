import type { OrtRuntime } from '@pastiche/core';
import { PasticheError, expectInteger, invalidType, isObject, wasmRewrittenBytes } from '@pastiche/core';
import type * as Ort from 'onnxruntime-web';

/** onnxruntime-web settings that are global to the page (or worker) and read once, when it starts. */
export interface WebRuntimeOptions {
  /**
   * Where onnxruntime-web loads its `ort-wasm-*.wasm` files from: a URL prefix ending in `/` (e.g. `'/ort/'`
   * or a CDN folder), or `{ wasm, mjs }` file URLs. Bundlers that handle `new URL('…', import.meta.url)`
   * (Vite, webpack 5, Parcel, Rollup with a URL plugin) find them without this option.
   * @default the files next to onnxruntime-web's own module
   */
  wasmPaths?: string | { wasm?: string; mjs?: string };
  /**
   * wasm threads. Threads need a cross-origin isolated page (COOP `same-origin`, COEP `require-corp` or
   * `credentialless`); elsewhere onnxruntime-web runs on one, and @pastiche/web says so once in the console.
   * @default every logical core up to {@link DEFAULT_MAX_THREADS} when the page is cross-origin isolated; else 1
   */
  numThreads?: number;
}

/**
 * The most wasm threads @pastiche/web starts by default. onnxruntime-web's own default is half the cores (at most
 * 4): one thread on a 2-core machine, where two run a style network about 1.5× faster (`npm run bench:web`).
 */
export const DEFAULT_MAX_THREADS = 4;

type Setting = keyof WebRuntimeOptions;
const SETTINGS: readonly Setting[] = ['wasmPaths', 'numThreads'];

const requested: WebRuntimeOptions = {};
let ort: typeof Ort | undefined;
let loading: Promise<typeof Ort> | undefined;

/**
 * onnxruntime-web is imported on first use, not with this module: bundlers then give it a chunk of its
 * own, which its wasm threads load as their worker script (a chunk holding the app too would run the
 * app's code in every thread).
 */
function loadOrt(): Promise<typeof Ort> {
  loading ??= import('onnxruntime-web').then((module) => {
    if (requested.wasmPaths !== undefined) module.env.wasm.wasmPaths = requested.wasmPaths;
    module.env.wasm.numThreads = requested.numThreads ?? defaultThreads();
    ort = module;
    return module;
  });
  return loading;
}

/** Every logical core up to DEFAULT_MAX_THREADS where the page allows threads; else 1, said once. */
function defaultThreads(): number {
  const scope = globalThis as { crossOriginIsolated?: boolean; navigator?: { hardwareConcurrency?: number } };
  const cores = scope.navigator?.hardwareConcurrency ?? 1;
  if (scope.crossOriginIsolated) return Math.max(1, Math.min(DEFAULT_MAX_THREADS, cores));
  if (cores > 1) {
    console.info(
      `@pastiche/web: this page is not cross-origin isolated, so onnxruntime-web runs on 1 thread of ${cores}. Serve it ` +
        "with the headers 'Cross-Origin-Opener-Policy: same-origin' and 'Cross-Origin-Embedder-Policy: require-corp' " +
        `(or 'credentialless') to use up to ${Math.min(DEFAULT_MAX_THREADS, cores)}.`,
    );
  }
  return 1;
}

/** Whether a session runs on onnxruntime-web's CPU (wasm) kernels only. */
function onWasmOnly(options: Ort.InferenceSession.SessionOptions | undefined): boolean {
  return (options?.executionProviders ?? ['wasm']).every((ep) => ['wasm', 'cpu'].includes(typeof ep === 'string' ? ep : ep.name));
}

/** Checks `wasmPaths` and `numThreads`. */
export function checkRuntimeOptions(options: WebRuntimeOptions): void {
  const { wasmPaths, numThreads } = options;
  if (wasmPaths !== undefined && typeof wasmPaths !== 'string' && !isObject(wasmPaths)) {
    throw invalidType('wasmPaths', 'a URL prefix string or { wasm, mjs }', wasmPaths);
  }
  if (numThreads !== undefined) expectInteger('numThreads', numThreads, { min: 1 });
}

/**
 * Sets `wasmPaths` and `numThreads` for onnxruntime-web. It reads them once, when it starts (at the first
 * session); asking for different values afterwards throws instead of being ignored.
 */
export function configureRuntime(options: WebRuntimeOptions = {}): void {
  checkRuntimeOptions(options);
  for (const key of SETTINGS) {
    const wanted = options[key];
    if (wanted === undefined) continue;
    if (loading && JSON.stringify(wanted) !== JSON.stringify(requested[key])) {
      const was = requested[key] === undefined ? "onnxruntime-web's default" : JSON.stringify(requested[key]);
      throw new RangeError(
        `Expected ${key} to stay ${was} but received ${JSON.stringify(wanted)}: onnxruntime-web reads it once, when ` +
          'its first session starts. Pass it on the first call (or to configureRuntime() before any).',
      );
    }
    (requested as Record<Setting, unknown>)[key] = wanted;
  }
}

/** What onnxruntime-web was asked to start with, and whether it has. */
export function runtimeSettings(): WebRuntimeOptions & { started: boolean; crossOriginIsolated: boolean } {
  return {
    ...requested,
    started: loading !== undefined,
    crossOriginIsolated: Boolean((globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated),
  };
}

/**
 * onnxruntime-web behind core's runtime seam. A style network (an image in, one image out) in a session on the wasm
 * kernels alone gets core's `applyWasmRewrites` (exact up to float rounding): a last 9×9 layer with 3 outputs as one
 * 3×3 convolution with 27, and Winograd F(4×4, 3×3) for the 3×3 ones, since those kernels have no Winograd or NCHWc
 * convolution of their own;
 * `graphOptimizationLevel: 'disabled'` in the session options leaves the graph as it is.
 */
export const webRuntime: OrtRuntime = Object.freeze({
  name: 'onnxruntime-web',
  createSession: async (model: Uint8Array, options?: Ort.InferenceSession.SessionOptions) => {
    const module = await loadOrt();
    const rewrite = onWasmOnly(options) && options?.graphOptimizationLevel !== 'disabled';
    return module.InferenceSession.create(rewrite ? await wasmRewrittenBytes(model, { imagesOnly: true }) : model, options);
  },
  createTensor: (data: Float32Array, dims: readonly number[]) => {
    // Tensors are made only for a session's run, so onnxruntime-web is loaded by then.
    if (!ort) throw new PasticheError('E_INFERENCE', 'onnxruntime-web is not loaded yet: create a session first.');
    return new ort.Tensor('float32', data, dims);
  },
});
