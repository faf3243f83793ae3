import { expectBoolean, expectFunction, expectKnownKeys, expectOneOf, expectOptions } from '../arguments.js';
import type { StylizeOptions } from '../methods/fast/stylize-options.js';
import { resolveStylizeOptions } from '../methods/fast/stylize-options.js';
import { isStyleImages, listStyleImages, type StyleImages } from '../methods/optimization/style-images.js';
import type { ArbitraryStyles, StyleVectors } from '../methods/arbitrary/arbitrary-styles.js';
import type { StyleVector } from '../methods/arbitrary/style-vectors.js';
import { StyleModel } from '../models/style-model.js';
import { abortable } from './abortable.js';
import { openOnDevice } from './device-selection.js';
import { createKernelContext, RUN_KEYS, type KernelContext, type Method } from './kernel-context.js';
import { expectConventions, resolveModelLoadOptions, type LoadStyleOptions } from './load-options.js';
import { checkModelArgument, resolveModelReference } from './model-reference.js';
import { PasticheError } from '../errors.js';
import { typed } from './run-scope.js';
import type { Platform } from './platform.js';
import { runnableBytes } from './runnable-bytes.js';
import type { LoadOptimizerOptions, OptimizeRunOptions, StyleOptimizer, TimedStyleOptimizer } from './style-optimizer.js';
import type {
  ArbitraryRunOptions,
  ArbitraryStylizer,
  LoadArbitraryOptions,
  PredictStyleOptions,
  TimedArbitraryStylizer,
} from './arbitrary-stylizer.js';
import { createStylizer, type LoadedStyleModel, type Stylizer, type TimedStylizer } from './stylizer.js';

/** A style network argument: a built-in name, a path or URL, bytes, or a loaded model. */
export type StyleSource<ModelSource> = ModelSource | StyleModel;

/** Which method a one-shot `stylize` with style images (or vectors) runs. */
export type StyleImageMethod = 'optimization' | 'arbitrary';

/** The methods `method` chooses between for style images. */
export const STYLE_IMAGE_METHODS: readonly StyleImageMethod[] = ['optimization', 'arbitrary'];

/** The `method` option of a one-shot `stylize` with style images. */
export interface MethodOption<M extends StyleImageMethod> {
  /**
   * `'optimization'` (Gatys et al.: iterations against the paintings' Gram matrices; slow, any loss network) or
   * `'arbitrary'` (Magenta: one pass of a style predictor and a transfer network). Style vectors are the arbitrary
   * method's. @default 'optimization' for style images, 'arbitrary' for style vectors
   */
  method?: M;
}

/** The user API one platform gets from core: load once and run many, or one-shot `stylize`. */
export interface Pastiche<Image, Result, Device extends string, StoreOptions extends object, ModelSource> {
  /** Loads a style network once; call `stylize` on the result as often as you like. */
  loadStyle(style: StyleSource<ModelSource>, options?: LoadStyleOptions<Device> & StoreOptions): Promise<Stylizer<Image, Result>>;
  /** Loads the optimisation method (loss network, gradient graphs, sessions) once. */
  loadStyleOptimizer(options?: LoadOptimizerOptions<Device, ModelSource> & StoreOptions): Promise<StyleOptimizer<Image, Result>>;
  /** Loads the arbitrary-style method (style predictor and transfer network) once. */
  loadArbitraryStylizer(options?: LoadArbitraryOptions<Device, ModelSource> & StoreOptions): Promise<ArbitraryStylizer<Image, Result>>;
  /** One-shot: the style vector of a painting (the predictor stays loaded until `dispose()`). */
  predictStyle(image: Image, options?: PredictStyleOptions<Device, ModelSource> & StoreOptions): Promise<StyleVector>;
  /**
   * One-shot: with `{ styleImage }` / `{ styleImages }` the optimisation method, or the arbitrary method with
   * `method: 'arbitrary'` (and always with `{ styleVector }` / `{ styleVectors }`); else the fast method.
   */
  stylize(
    input: Image,
    style: StyleVectors,
    options?: LoadArbitraryOptions<Device, ModelSource> & StoreOptions & ArbitraryRunOptions & MethodOption<'arbitrary'>,
  ): Promise<Result>;
  stylize(
    input: Image,
    style: StyleImages<Image>,
    options: LoadArbitraryOptions<Device, ModelSource> & StoreOptions & ArbitraryRunOptions & Required<MethodOption<'arbitrary'>>,
  ): Promise<Result>;
  stylize(
    input: Image,
    style: StyleImages<Image>,
    options?: LoadOptimizerOptions<Device, ModelSource> & StoreOptions & OptimizeRunOptions & MethodOption<'optimization'>,
  ): Promise<Result>;
  stylize(input: Image, style: StyleSource<ModelSource>, options?: LoadStyleOptions<Device> & StoreOptions & StylizeOptions): Promise<Result>;
  /**
   * Ends every run in flight (each finishes or fails with E_DISPOSED) and releases every session this platform's
   * calls created; stylizers and optimizers still held fail with E_DISPOSED afterwards, later loads work.
   */
  dispose(): Promise<void>;
}

const METHOD_NAMES: Readonly<Record<Method, string>> = {
  fast: 'fast method (style networks)',
  optimization: 'optimisation method (style images)',
  arbitrary: "arbitrary method (style images with method: 'arbitrary', style vectors)",
};

/** Splits a one-shot call's options (less `method`) into load and run options, rejecting keys of neither. */
function splitOptions(context: KernelContext<unknown, unknown>, method: Method, all: Record<string, unknown>) {
  const loadKeys = context.loadKeys(method);
  const runKeys = new Set<string>(RUN_KEYS[method]);
  const elsewhere = new Map<string, string>();
  for (const other of Object.keys(RUN_KEYS) as Method[]) {
    if (other === method) continue;
    for (const key of [...context.loadKeys(other), ...RUN_KEYS[other]]) {
      if (!elsewhere.has(key)) elsewhere.set(key, `an option of the ${METHOD_NAMES[other]}`);
    }
  }
  expectKnownKeys('options', all, new Set([...loadKeys, ...runKeys]), elsewhere);
  const load: Record<string, unknown> = {};
  const run: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(all)) {
    if (loadKeys.has(key)) load[key] = value;
    if (runKeys.has(key)) run[key] = value;
  }
  return { load, run };
}

/** `{ styleVector }` / `{ styleVectors }` (as methods/arbitrary's isStyleVectors, which is not loaded up front). */
const isStyleVectors = (style: unknown) => typeof style === 'object' && style !== null && ('styleVector' in style || 'styleVectors' in style);

/** The method a one-shot call runs, from its style and `method` option; the options less `method`. */
function chooseMethod(style: unknown, options: unknown): { method: Method; options: Record<string, unknown> } {
  const { method: given, ...rest } = expectOptions<Record<string, unknown>>('options', options) as Record<string, unknown>;
  const images = isStyleImages(style);
  const vectors = isStyleVectors(style);
  if (given === undefined) return { method: vectors ? 'arbitrary' : images ? 'optimization' : 'fast', options: rest };
  const method = expectOneOf('method', given, STYLE_IMAGE_METHODS);
  if (!images && !vectors) {
    throw new TypeError(`Expected { styleImage } or { styleImages } with method '${method}': a style network runs the fast method, which takes no method option`);
  }
  if (vectors && method === 'optimization') {
    throw new TypeError("Expected { styleImage } or { styleImages } with method 'optimization': style vectors are the arbitrary method's");
  }
  return { method, options: rest };
}

/**
 * The one adapter kernel: everything `@pastiche/node` and `@pastiche/web` share, over a {@link Platform}.
 * Options are checked once, here, before any decode, download or session.
 */
export function createPastiche<Image, Result, Device extends string, StoreOptions extends object, ModelSource>(
  platform: Platform<Image, Result, Device, StoreOptions>,
): Pastiche<Image, Result, Device, StoreOptions, ModelSource> {
  const context = createKernelContext(platform as unknown as Platform<Image, Result, string, object>);

  async function loadStylizer(style: unknown, options: unknown): Promise<TimedStylizer<Image, Result>> {
    const all = expectOptions<Record<string, unknown>>('options', options) as Record<string, unknown>;
    context.checkLoadKeys('fast', all);
    if (style instanceof StyleModel) {
      const given = ['device', 'executionProviders', 'sessionOptions', 'conventions', 'graphRewrites'].filter((key) => all[key] !== undefined);
      if (given.length > 0) {
        throw new TypeError(`Expected no ${given.join(', ')} with a loaded StyleModel: its session already exists. Pass the model's bytes to load it again.`);
      }
      return createStylizer(context, style, style.device ?? platform.devices.default, undefined);
    }
    const load = resolveModelLoadOptions(platform.devices, platform.env, all);
    const conventions = expectConventions(all.conventions);
    const graphRewrites = all.graphRewrites === undefined || expectBoolean('graphRewrites', all.graphRewrites);
    const storeOptions = context.storeOptions(all);
    checkModelArgument(platform, style, 'style');
    platform.beforeSessions?.(storeOptions as Partial<StoreOptions>);
    // A dispose() while this loads ends it: the scope of runs it would have joined is gone.
    const scope = context.runs;
    const hold = await typed('E_MODEL_LOAD', 'Loading the style', async () => {
      const reference = await resolveModelReference(context.platform, style, 'style', context.referenceContext(load, storeOptions));
      const key = JSON.stringify(['style', reference.key, load.device.key, conventions ?? null, graphRewrites]);
      return abortable(
        'Loading the style',
        context.sessions.acquire<LoadedStyleModel>(key, async () => {
          const bytes = await runnableBytes(await reference.read(), graphRewrites);
          const { value: model, device } = await openOnDevice(
            platform,
            load.device,
            (sessionOptions) => StyleModel.load(bytes, platform.runtime, { name: reference.name, conventions, sessionOptions }),
            (message) => context.warnFallback(message),
          );
          return { model, device, dispose: () => model.dispose() };
        }),
        load.signal,
        (h) => h.release(),
      );
    });
    if (scope.disposed) {
      await hold.release();
      throw new PasticheError('E_DISPOSED', `dispose() was called while the style '${hold.owner.model.name}' loaded; load it again.`);
    }
    try {
      load.onLoadProgress?.({ status: 'ready', name: hold.owner.model.name, device: hold.owner.device });
    } catch (error) {
      await hold.release();
      throw error;
    }
    return createStylizer(context, hold.owner.model, hold.owner.device, hold);
  }

  /** The optimisation method is imported on first use, so that apps using only style networks do not bundle it. */
  async function loadOptimizer(options: unknown): Promise<TimedStyleOptimizer<Image, Result>> {
    const { loadStyleOptimizerOn } = await import('./optimizer-loading.js');
    return loadStyleOptimizerOn(context, options);
  }

  /** The arbitrary-style method is imported on first use too. */
  async function loadArbitrary(options: unknown): Promise<TimedArbitraryStylizer<Image, Result>> {
    const { loadArbitraryStylizerOn } = await import('./arbitrary-loading.js');
    return loadArbitraryStylizerOn(context, options);
  }

  async function predictStyle(image: Image, options?: object): Promise<StyleVector> {
    const { predictStyleOn } = await import('./arbitrary-loading.js');
    return predictStyleOn(context, image, options);
  }

  /** One-shot calls keep what they load (shared by key) until `dispose()`, and report the whole call's time. */
  async function stylize(input: Image, style: unknown, options?: object): Promise<Result> {
    const started = performance.now();
    const chosen = chooseMethod(style, options);
    if (chosen.method === 'arbitrary') {
      const { load, run } = splitOptions(context as KernelContext<unknown, unknown>, 'arbitrary', chosen.options);
      const [{ resolveArbitraryOptions }, { listArbitraryStyles }] = await Promise.all([
        import('../methods/arbitrary/arbitrary-options.js'),
        import('../methods/arbitrary/arbitrary-styles.js'),
      ]);
      resolveArbitraryOptions(run);
      if (run.onProgress !== undefined) expectFunction('onProgress', run.onProgress);
      const styles = listArbitraryStyles<Image>(style);
      styles.forEach((s, i) => s.image !== undefined && context.checkImage(s.image, styles.length === 1 ? 'styleImage' : `styleImages[${i}]`));
      context.checkImage(input, 'input');
      const stylizer = await loadArbitrary(load);
      return stylizer.run(input, style as ArbitraryStyles<Image>, run as ArbitraryRunOptions, started);
    }
    if (chosen.method === 'optimization') {
      const { load, run } = splitOptions(context as KernelContext<unknown, unknown>, 'optimization', chosen.options);
      const [{ resolveGatysOptions }, { styleShares }] = await Promise.all([
        import('../methods/optimization/gatys-options.js'),
        import('../methods/optimization/style-targets.js'),
      ]);
      resolveGatysOptions(run);
      const styles = listStyleImages(style as StyleImages<Image>);
      styleShares(styles.map((s) => s.weight), 'styleImages');
      styles.forEach((s, i) => context.checkImage(s.image, styles.length === 1 ? 'styleImage' : `styleImages[${i}]`));
      context.checkImage(input, 'input');
      const optimizer = await loadOptimizer(load);
      return optimizer.run(input, style as StyleImages<Image>, run as OptimizeRunOptions, started);
    }
    const { load, run } = splitOptions(context as KernelContext<unknown, unknown>, 'fast', chosen.options);
    resolveStylizeOptions(run);
    context.checkImage(input, 'input');
    const stylizer = await loadStylizer(style, load);
    return stylizer.run(input, run as StylizeOptions, started);
  }

  return {
    loadStyle: loadStylizer,
    loadStyleOptimizer: loadOptimizer,
    loadArbitraryStylizer: loadArbitrary,
    predictStyle: predictStyle as Pastiche<Image, Result, Device, StoreOptions, ModelSource>['predictStyle'],
    stylize: stylize as Pastiche<Image, Result, Device, StoreOptions, ModelSource>['stylize'],
    dispose: () => context.dispose(),
  };
}
