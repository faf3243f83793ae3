import { expectKnownKeys, expectOptions, invalidType } from '../arguments.js';
import { MODEL_LOAD_KEYS, type ResolvedModelLoadOptions } from './load-options.js';
import type { ReferenceContext } from './model-reference.js';
import type { Platform } from './platform.js';
import { RunScope } from './run-scope.js';
import { SessionCache } from './session-cache.js';

/** The options of one run of each method, by name (for telling them from load options). */
export const RUN_KEYS = {
  fast: ['size', 'tile', 'tileOverlap', 'tileMode', 'memoryBudget', 'fixedSize', 'preserveColors', 'strength', 'maxPixels', 'signal', 'onProgress'],
  optimization: [
    'size', 'iterations', 'scales', 'optimizer', 'learningRate', 'init', 'initNoise', 'seed', 'contentWeight', 'styleWeight',
    'tvWeight', 'styleScale', 'preserveColors', 'previewEvery', 'maxPixels', 'signal', 'onProgress',
  ],
  arbitrary: ['size', 'tile', 'tileOverlap', 'tileMode', 'memoryBudget', 'strength', 'preserveColors', 'maxPixels', 'signal', 'onProgress'],
} as const;

/** The options of each load, by name, beyond those every load and the platform's store take. */
export const LOAD_KEYS = {
  fast: ['conventions', 'graphRewrites'],
  optimization: ['lossNetwork', 'pooling', 'contentLayers', 'styleLayers', 'gradientGraphs'],
  arbitrary: ['predictor', 'transferNetwork', 'graphRewrites'],
} as const;

/** The function that loads each method, for messages. */
export const LOAD_FUNCTIONS: Readonly<Record<Method, string>> = {
  fast: 'loadStyle()',
  optimization: 'loadStyleOptimizer()',
  arbitrary: 'loadArbitraryStylizer()',
};

export type Method = keyof typeof RUN_KEYS;

/** What the stylizers and optimizers of one platform share: the platform, its session cache, one fallback warning. */
export interface KernelContext<Image, Result> {
  readonly platform: Platform<Image, Result, string, object>;
  readonly sessions: SessionCache;
  /**
   * The runs of this platform's API: `dispose()` ends them (E_DISPOSED) and starts a new scope, so that stylizers
   * and optimizers loaded before it fail while later loads work.
   */
  readonly runs: RunScope;
  /** Ends every run (E_DISPOSED), waits for them, then releases every session. */
  dispose(): Promise<void>;
  /** Warns about `auto` falling back once per process (or page). */
  warnFallback(message: string): void;
  /** Warns once per `key` (a model, say): what is odd but not wrong enough to refuse. */
  warnOnce(key: object, message: string, code: string): void;
  /** Checks a run's options object: a load option there is a TypeError that says where it belongs. */
  runOptions<T extends object>(method: Method, options: T | undefined): Partial<T>;
  /** Load option names of a method on this platform. */
  loadKeys(method: Method): ReadonlySet<string>;
  /** Rejects keys a load does not take (a run option there says where it belongs). */
  checkLoadKeys(method: Method, options: object): void;
  /** The platform store's options among `options`, checked by the platform. */
  storeOptions(options: Record<string, unknown>): object;
  /** What reading a model may use, from the resolved load options. */
  referenceContext(load: ResolvedModelLoadOptions<string>, storeOptions: object): ReferenceContext<object>;
  /** A TypeError unless the platform decodes `value`. */
  checkImage(value: unknown, name: string): void;
}

export function createKernelContext<Image, Result>(platform: Platform<Image, Result, string, object>): KernelContext<Image, Result> {
  let warned = false;
  const warnedAbout = new WeakSet<object>();
  let runs = new RunScope(`The ${platform.name} API`);
  const sessions = new SessionCache();
  const loadKeys = (method: Method) => new Set<string>([...MODEL_LOAD_KEYS, ...platform.storeOptionKeys, ...LOAD_KEYS[method]]);
  const loadFunction = LOAD_FUNCTIONS;
  return {
    platform,
    sessions,
    get runs() {
      return runs;
    },
    async dispose() {
      const ended = runs;
      runs = new RunScope(ended.what);
      await ended.dispose();
      await sessions.dispose();
    },
    warnOnce(key, message, code) {
      if (warnedAbout.has(key)) return;
      warnedAbout.add(key);
      platform.warn(message, code);
    },
    warnFallback(message) {
      if (warned) return;
      warned = true;
      platform.warn(message, 'PASTICHE_DEVICE_FALLBACK');
    },
    runOptions(method, options) {
      const checked = expectOptions<object>('options', options);
      const elsewhere = new Map<string, string>();
      for (const key of loadKeys(method)) elsewhere.set(key, `a load option: pass it to ${loadFunction[method]}`);
      expectKnownKeys('run options', checked, new Set(RUN_KEYS[method]), elsewhere);
      return checked as Partial<typeof options & object>;
    },
    loadKeys,
    checkLoadKeys(method, options) {
      const elsewhere = new Map<string, string>(RUN_KEYS[method].map((key) => [key, 'a run option: pass it to stylize()']));
      expectKnownKeys(`${loadFunction[method]} options`, options, loadKeys(method), elsewhere);
    },
    storeOptions(options) {
      const picked: Record<string, unknown> = {};
      for (const key of platform.storeOptionKeys) if (options[key] !== undefined) picked[key] = options[key];
      platform.checkStoreOptions(picked);
      return picked;
    },
    referenceContext(load, storeOptions) {
      return { options: storeOptions, settings: load.settings, sha256: load.sha256, signal: load.signal, onLoadProgress: load.onLoadProgress };
    },
    checkImage(value, name) {
      if (!platform.isImageInput(value)) throw invalidType(name, platform.imageInputs, value);
    },
  };
}
