import { expectOneOf, expectOptions, expectStringList, invalidType, isObject } from '../arguments.js';
import { PasticheError } from '../errors.js';
import { DEFAULT_POOLING, type LossGraphs } from '../gradient/build-loss-graphs.js';
import { importLossGraphs } from '../gradient/export-loss-graphs.js';
import type { Pooling } from '../gradient/forward-plan.js';
import { LOSS_GRAPH_METADATA } from '../gradient/graph-metadata.js';
import { LOSS_GRAPH_NAMES } from '../gradient/loss-graph-names.js';
import { createPlanar, rawToPlanar } from '../image/pixels.js';
import { DEFAULT_LOSS_NETWORK } from '../catalog/resolve-catalog-name.js';
import { buildGatysGraphs, GatysEngine } from '../methods/optimization/gatys-engine.js';
import { checkLayerNames, resolveGatysOptions, type GatysOptions, type GatysProgress } from '../methods/optimization/gatys-options.js';
import { optimizeStyleResolved } from '../methods/optimization/optimize-style.js';
import { listStyleImages, type StyleImages } from '../methods/optimization/style-images.js';
import { styleShares } from '../methods/optimization/style-targets.js';
import { METADATA_KEYS } from '../models/metadata-keys.js';
import { decodeModel } from '../onnx/onnx-codec.js';
import type { KernelContext } from './kernel-context.js';
import type { ModelLoadOptions } from './load-options.js';
import { checkModelArgument, type ModelReference } from './model-reference.js';
import { typed } from './run-scope.js';
import type { SessionHold } from './session-cache.js';

/**
 * Gradient graphs written earlier by `pastiche export-grad` (`<network>.features.onnx` and
 * `<network>.loss-grad.onnx`): the app then skips building them. Each is a path, a URL or bytes.
 */
export interface GradientGraphSources<Source> {
  features: Source;
  lossGrad: Source;
}

/** Options of `loadStyleOptimizer`: the loss network and its graphs, and where they run. */
export interface LoadOptimizerOptions<Device extends string, Source> extends ModelLoadOptions<Device> {
  /** `'squeezenet'` (fast), `'vgg19'`, another catalog loss network, a path or URL of an .onnx file, or its bytes. @default 'squeezenet' */
  lossNetwork?: Source;
  /** Replace max pooling by average pooling in the loss network. @default 'max' */
  pooling?: Pooling;
  /** Content layers. @default the loss network's `pastiche.default_content_layers` */
  contentLayers?: string[];
  /** Style layers. @default the loss network's `pastiche.default_style_layers` */
  styleLayers?: string[];
  /** Prebuilt gradient graphs instead of `lossNetwork` (their layers and pooling are the ones they were built with). */
  gradientGraphs?: GradientGraphSources<Source>;
}

/** Options of one optimisation run (the loss network's layers are chosen when it loads). */
export type OptimizeRunOptions = Omit<GatysOptions, 'contentLayers' | 'styleLayers'>;

export interface StyleOptimizerInfo {
  /** The loss network's name. */
  readonly lossNetwork: string;
  readonly device: string;
  readonly contentLayers: readonly string[];
  readonly styleLayers: readonly string[];
  readonly pooling: Pooling;
}

/** The optimisation method loaded once (gradient graphs built, sessions open), to stylize many images. */
export interface StyleOptimizer<Image, Result> {
  readonly info: StyleOptimizerInfo;
  /** Optimises `content` towards the style images' Gram matrices; runs on one optimizer are queued. */
  stylize(content: Image, style: StyleImages<Image>, options?: OptimizeRunOptions): Promise<Result>;
  /** Ends the runs in flight (each fails with E_DISPOSED at its next iteration), then releases the sessions. Later calls fail with E_DISPOSED. */
  dispose(): Promise<void>;
}

/** An optimizer whose runs can report time from an earlier start (a one-shot call counts its loading too). */
export interface TimedStyleOptimizer<Image, Result> extends StyleOptimizer<Image, Result> {
  run(content: Image, style: StyleImages<Image>, options: OptimizeRunOptions | undefined, started: number): Promise<Result>;
}

/** An engine in the session cache; its runs are queued, as one session must not run twice at once. */
export class LoadedEngine {
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

/** The optimizer's load options, checked; what is a model argument is checked by type only. */
export interface ResolvedOptimizerChoice<Source> {
  lossNetwork: Source | string;
  gradientGraphs: GradientGraphSources<Source> | undefined;
  pooling: Pooling | undefined;
  contentLayers: string[] | undefined;
  styleLayers: string[] | undefined;
}

export function resolveOptimizerChoice<Source>(
  context: Pick<KernelContext<unknown, unknown>, 'platform'>,
  options: LoadOptimizerOptions<string, Source>,
): ResolvedOptimizerChoice<Source> {
  const graphs = options.gradientGraphs;
  if (graphs !== undefined) {
    if (!isObject(graphs) || graphs.features === undefined || graphs.lossGrad === undefined) {
      throw invalidType('gradientGraphs', '{ features, lossGrad } (paths, URLs or bytes of .onnx files)', graphs);
    }
    if (options.lossNetwork !== undefined) throw new TypeError('Expected lossNetwork or gradientGraphs, not both: the gradient graphs already hold their loss network');
    if (options.sha256 !== undefined) throw new TypeError('Expected no sha256 with gradientGraphs: sha256 checks a single file (the loss network)');
    checkModelArgument(context.platform, graphs.features, 'gradient graph');
    checkModelArgument(context.platform, graphs.lossGrad, 'gradient graph');
  }
  const lossNetwork = options.lossNetwork ?? DEFAULT_LOSS_NETWORK;
  checkModelArgument(context.platform, lossNetwork, 'loss network');
  return {
    lossNetwork,
    gradientGraphs: graphs,
    pooling: options.pooling === undefined ? undefined : expectOneOf('pooling', options.pooling, ['max', 'average'] as const),
    contentLayers: options.contentLayers === undefined ? undefined : checkLayerNames('contentLayers', expectStringList('contentLayers', options.contentLayers, 'layer names')),
    styleLayers: options.styleLayers === undefined ? undefined : checkLayerNames('styleLayers', expectStringList('styleLayers', options.styleLayers, 'layer names')),
  };
}

function checkBuiltWith(what: string, built: string, wanted: string | undefined, flag: string): void {
  if (wanted !== undefined && wanted !== built) {
    throw new RangeError(
      `Expected ${what} ${wanted} but the gradientGraphs were built with ${built || 'none'}: omit ${what}, or export the graphs again with ` +
        `\`pastiche export-grad ${flag} ${wanted}\`.`,
    );
  }
}

/** Checks prebuilt graphs against the layers and pooling asked for. */
export function checkGraphsMatch(graphs: LossGraphs, choice: ResolvedOptimizerChoice<unknown>): void {
  checkBuiltWith('contentLayers', graphs.contentLayers.join(','), choice.contentLayers?.join(','), '--content-layers');
  checkBuiltWith('styleLayers', graphs.styleLayers.join(','), choice.styleLayers?.join(','), '--style-layers');
  checkBuiltWith('pooling', graphs.lossGrad.metadataProps[LOSS_GRAPH_METADATA.pooling] ?? DEFAULT_POOLING, choice.pooling, '--pooling');
}

/** Graphs from a loss network, or prebuilt ones, with the name results report. */
export async function readLossGraphs(
  choice: ResolvedOptimizerChoice<unknown>,
  references: { lossNetwork: ModelReference } | { features: ModelReference; lossGrad: ModelReference },
): Promise<{ graphs: LossGraphs; name: string }> {
  if ('lossNetwork' in references) {
    const bytes = await references.lossNetwork.read();
    // The layers were checked already: what fails here is the network's own graph (an attribute out of range, say).
    const graphs = await typed(
      'E_MODEL_SIGNATURE',
      `Building the gradient graphs of loss network '${references.lossNetwork.name}'`,
      async () => buildGatysGraphs(decodeModel(bytes), choice),
      true,
    );
    return { graphs, name: references.lossNetwork.name };
  }
  const [features, lossGrad] = await Promise.all([references.features.read(), references.lossGrad.read()]);
  const graphs = importLossGraphs(features, lossGrad);
  checkGraphsMatch(graphs, choice);
  return { graphs, name: graphs.lossGrad.metadataProps[METADATA_KEYS.name] ?? references.features.name.replace(/\.features$/, '') };
}

/**
 * Runs both graphs once on a small grey image. Some execution providers (onnxruntime-web's WebGPU) load graphs
 * whose kernels they cannot run and fail only when they run; this turns such a failure into
 * E_DEVICE_UNAVAILABLE while the engine opens, where `auto` can still fall back.
 */
export async function checkEngineRuns(engine: GatysEngine, name: string, device: string): Promise<void> {
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
      `Device '${device}' cannot run the optimisation method's ${name} gradient graphs: its kernels failed (${reason}). Use the CPU device.`,
      { cause },
    );
  }
}

export function createStyleOptimizer<Image, Result>(
  context: KernelContext<Image, Result>,
  hold: SessionHold<LoadedEngine>,
  pooling: Pooling,
): TimedStyleOptimizer<Image, Result> {
  const loaded = hold.owner;
  const info: StyleOptimizerInfo = Object.freeze({
    lossNetwork: loaded.name,
    device: loaded.device,
    contentLayers: Object.freeze([...loaded.engine.graphs.contentLayers]),
    styleLayers: Object.freeze([...loaded.engine.graphs.styleLayers]),
    pooling,
  });
  const runs = context.runs.child(`This style optimizer (${info.lossNetwork})`);
  let released: Promise<void> | undefined;
  return {
    info,
    stylize(content: Image, style: StyleImages<Image>, options?: OptimizeRunOptions): Promise<Result> {
      return this.run(content, style, options, performance.now());
    },
    async run(content: Image, style: StyleImages<Image>, options: OptimizeRunOptions | undefined, started: number): Promise<Result> {
      const runOptions = context.runOptions('optimization', options) as OptimizeRunOptions;
      const resolved = resolveGatysOptions(runOptions);
      const inputs = listStyleImages(expectOptions<StyleImages<Image>>('style', style) as StyleImages<Image>);
      const shares = styleShares(inputs.map((s) => s.weight), 'styleImages');
      context.checkImage(content, 'content');
      inputs.forEach((s, i) => context.checkImage(s.image, inputs.length === 1 ? 'styleImage' : `styleImages[${i}]`));
      return runs.run(resolved.signal, async (signal) => {
        const limits = { maxPixels: resolved.maxPixels };
        const decode = (image: Image, what: string) => typed('E_IMAGE_DECODE', `Decoding ${what}`, () => context.platform.decodeImage(image, signal, limits));
        const [contentRaw, ...styleRaws] = await Promise.all([
          decode(content, 'the content image'),
          ...inputs.map((s, i) => decode(s.image, inputs.length === 1 ? 'the style image' : `style image ${i + 1}`)),
        ]);
        const styles = { images: styleRaws.map(rawToPlanar), shares };
        const { onProgress } = resolved;
        const preview = context.platform.previewImage;
        const result = await typed(
          'E_INFERENCE',
          `Optimising with ${info.lossNetwork} on ${info.device}`,
          () =>
            loaded.exclusive(() =>
              optimizeStyleResolved(loaded.engine, rawToPlanar(contentRaw), styles, {
                ...resolved,
                signal,
                onProgress:
                  onProgress &&
                  (preview ? ({ preview: image, ...progress }: GatysProgress) => onProgress(image ? ({ ...progress, preview: preview(image) } as GatysProgress) : progress) : onProgress),
              }),
            ),
          true,
        );
        return context.platform.createResult(result, { model: `gatys:${info.lossNetwork}`, device: info.device, ms: performance.now() - started });
      });
    },
    dispose(): Promise<void> {
      // Runs in flight end (E_DISPOSED) at their next iteration, before the sessions are let go.
      released ??= runs.dispose().then(() => hold.release());
      return released;
    },
  };
}
