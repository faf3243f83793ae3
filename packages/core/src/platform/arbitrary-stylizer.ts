import { expectFunction, expectKnownKeys, expectOptions, expectSignal } from '../arguments.js';
import { PasticheError } from '../errors.js';
import { resolveMaxPixels, DEFAULT_MAX_PIXELS } from '../image/image-header.js';
import type { PlanarImage } from '../image/image-types.js';
import { rawToPlanar } from '../image/pixels.js';
import type { StylePredictorModel, StyleTransferModel } from '../methods/arbitrary/arbitrary-networks.js';
import { resolveArbitraryOptions, type ArbitraryStylizeOptions } from '../methods/arbitrary/arbitrary-options.js';
import { listArbitraryStyles, type ArbitraryStyles } from '../methods/arbitrary/arbitrary-styles.js';
import { MemoizedPredictor } from '../methods/arbitrary/memoized-predictor.js';
import { predictStyleUnchecked } from '../methods/arbitrary/predict-style.js';
import { toStyleVector, type StyleVector } from '../methods/arbitrary/style-vectors.js';
import { stylizeArbitraryResolved } from '../methods/arbitrary/stylize-arbitrary.js';
import type { StylizeProgress } from '../methods/fast/stylize-options.js';
import type { KernelContext } from './kernel-context.js';
import type { ModelLoadOptions } from './load-options.js';
import type { StylizeInfo } from './platform.js';
import { typed } from './run-scope.js';
import type { SessionHold } from './session-cache.js';

/** Options of `loadArbitraryStylizer`: the method's two networks and where they run. */
export interface LoadArbitraryOptions<Device extends string, Source> extends Omit<ModelLoadOptions<Device>, 'sha256'> {
  /**
   * The style predictor (image → style vector): a built-in name, a path or URL of an .onnx or .tflite file (a .tflite
   * is converted when it loads), or its bytes. @default DEFAULT_STYLE_PREDICTOR ('magenta-predictor')
   */
  predictor?: Source;
  /**
   * The style transfer network (content + style vector → image), as `predictor`. @default DEFAULT_TRANSFER_NETWORK
   * ('magenta-transfer-f16'; 'magenta-transfer-int8' is Magenta's int8 network)
   */
  transferNetwork?: Source;
  /** Exact rewrites of the transfer network's upsampling for speed (as for style networks); `false` runs it as it is. @default true */
  graphRewrites?: boolean;
}

/** Options of the one-shot `predictStyle`: where the predictor comes from and runs, and the image's limits. */
export interface PredictStyleOptions<Device extends string, Source> extends Omit<LoadArbitraryOptions<Device, Source>, 'transferNetwork' | 'graphRewrites'> {
  /** Most pixels the image may have (read from its header before decoding); over it, E_IMAGE_TOO_LARGE. @default DEFAULT_MAX_PIXELS */
  maxPixels?: number;
}

/** Options of `ArbitraryStylizer.predictStyle`. */
export interface PredictStyleRunOptions {
  /** @default DEFAULT_MAX_PIXELS */
  maxPixels?: number;
  /** Aborts before the predictor runs (E_ABORTED). */
  signal?: AbortSignal;
}

/** Progress of one arbitrary-style run, one report per network run. */
export interface ArbitraryProgress {
  /** Network runs done so far (a style vector found in the stylizer's cache counts as done at once). */
  done: number;
  /**
   * Runs this image needs: one per style image, one for the content's own vector when strength is below 1, and the
   * transfer network's (one, or tiles × passes when the content is split, counted once the transfer starts).
   */
  total: number;
  /** What just finished: a style image's vector, the content's vector, or the transfer network. */
  step: 'style' | 'content' | 'transfer';
}

/** Options of one arbitrary-style run (the networks are chosen when they load). */
export interface ArbitraryRunOptions extends Omit<ArbitraryStylizeOptions, 'styleWeights' | 'onProgress'> {
  onProgress?: (progress: ArbitraryProgress) => void;
}

/** What a loaded arbitrary stylizer is and where it runs. */
export interface ArbitraryStylizerInfo {
  /** The style predictor's name (catalog name or file name). */
  readonly predictor: string;
  /** The transfer network's name. */
  readonly transferNetwork: string;
  /** Device or execution providers the networks run on (`cpu`, `wasm`, …; both when they differ). */
  readonly device: string;
  /** Length of the style vectors (100 for Magenta's networks). */
  readonly styleLength: number;
  /** Size paintings are resized to for the predictor (256×256 for Magenta's). */
  readonly predictorSize: { readonly width: number; readonly height: number };
}

/**
 * The arbitrary-style method loaded once (predictor and transfer network sessions open), to stylize many images with
 * any painting. Style vectors are cached: the same painting, or the same content at another strength, does not run
 * the predictor again.
 */
export interface ArbitraryStylizer<Image, Result> {
  readonly info: ArbitraryStylizerInfo;
  /** The style vector of a painting, to keep (`JSON.stringify` it) and pass back as `{ styleVector }`. */
  predictStyle(image: Image, options?: PredictStyleRunOptions): Promise<StyleVector>;
  /** Stylizes `content` with style images or kept vectors; runs on one stylizer are queued by its sessions. */
  stylize(content: Image, style: ArbitraryStyles<Image>, options?: ArbitraryRunOptions): Promise<Result>;
  /** Ends the runs in flight (each fails with E_DISPOSED at its next network run), then releases the sessions. Later calls fail with E_DISPOSED. */
  dispose(): Promise<void>;
}

/** A stylizer whose runs can report time from an earlier start (a one-shot call counts its loading too). */
export interface TimedArbitraryStylizer<Image, Result> extends ArbitraryStylizer<Image, Result> {
  run(content: Image, style: ArbitraryStyles<Image>, options: ArbitraryRunOptions | undefined, started: number): Promise<Result>;
}

/** A predictor in the session cache, with the style vectors it has made (shared by every stylizer that holds it). */
export class LoadedPredictor {
  readonly memo: MemoizedPredictor;

  constructor(
    readonly model: StylePredictorModel,
    readonly device: string,
  ) {
    this.memo = new MemoizedPredictor(model);
  }

  dispose(): Promise<void> {
    return this.model.dispose();
  }
}

/** A transfer network in the session cache. */
export class LoadedTransfer {
  constructor(
    readonly model: StyleTransferModel,
    readonly device: string,
  ) {}

  dispose(): Promise<void> {
    return this.model.dispose();
  }
}

const PREDICT_KEYS = new Set(['maxPixels', 'signal']);

/** `predictStyle`'s run options, checked; a load option there says where it belongs. */
export function resolvePredictRunOptions(context: KernelContext<unknown, unknown>, options: unknown): { maxPixels: number; signal: AbortSignal | undefined } {
  const o = expectOptions<PredictStyleRunOptions>('options', options) as PredictStyleRunOptions;
  const elsewhere = new Map<string, string>([...context.loadKeys('arbitrary')].map((key) => [key, 'a load option: pass it to loadArbitraryStylizer()']));
  expectKnownKeys('predictStyle options', o, PREDICT_KEYS, elsewhere);
  return {
    maxPixels: o.maxPixels === undefined ? DEFAULT_MAX_PIXELS : resolveMaxPixels(o.maxPixels),
    signal: o.signal === undefined ? undefined : expectSignal('signal', o.signal),
  };
}

/** Decodes an image for the method, as planar pixels. */
function decodeFor<Image>(context: KernelContext<Image, unknown>, image: Image, what: string, signal: AbortSignal, maxPixels: number): Promise<PlanarImage> {
  return typed('E_IMAGE_DECODE', `Decoding ${what}`, async () => rawToPlanar(await context.platform.decodeImage(image, signal, { maxPixels })));
}

/** The style vector of one image on a held predictor, inside a run of `scope`. */
export async function predictOn<Image>(
  context: KernelContext<Image, unknown>,
  predictor: LoadedPredictor,
  image: Image,
  options: { maxPixels: number; signal: AbortSignal | undefined },
  run: <T>(signal: AbortSignal | undefined, work: (signal: AbortSignal) => Promise<T>) => Promise<T>,
): Promise<StyleVector> {
  context.checkImage(image, 'image');
  return run(options.signal, async (signal) => {
    const planar = await decodeFor(context, image, 'the style image', signal, options.maxPixels);
    if (signal.aborted) throw new PasticheError('E_ABORTED', 'Predicting the style was aborted.', { cause: signal.reason });
    const vector = await typed('E_INFERENCE', `Predicting the style with '${predictor.model.name}' on ${predictor.device}`, () => predictStyleUnchecked(predictor.memo, planar), true);
    return toStyleVector(vector, predictor.model.name);
  });
}

/**
 * Counts network runs for `onProgress`: the predictor's (whose cache hits count too), then the transfer network's
 * as the core reports them.
 */
function withProgress(predictor: MemoizedPredictor, total: number, styles: number, report: (p: ArbitraryProgress) => void) {
  let done = 0;
  return {
    predictor: {
      name: predictor.name,
      inputSize: predictor.inputSize,
      async predict(image: PlanarImage) {
        const vector = await predictor.predict(image);
        report({ done: ++done, total, step: done <= styles ? 'style' : 'content' });
        return vector;
      },
    },
    onTransfer(p: StylizeProgress) {
      report({ done: done + p.done, total: total - 1 + p.total, step: 'transfer' });
    },
  };
}

export function createArbitraryStylizer<Image, Result>(
  context: KernelContext<Image, Result>,
  predictorHold: SessionHold<LoadedPredictor>,
  transferHold: SessionHold<LoadedTransfer>,
): TimedArbitraryStylizer<Image, Result> {
  const predictor = predictorHold.owner;
  const transfer = transferHold.owner;
  const device = predictor.device === transfer.device ? transfer.device : `${predictor.device} (predictor), ${transfer.device} (transfer network)`;
  const info: ArbitraryStylizerInfo = Object.freeze({
    predictor: predictor.model.name,
    transferNetwork: transfer.model.name,
    device,
    styleLength: transfer.model.styleLength,
    predictorSize: predictor.model.inputSize,
  });
  const runs = context.runs.child(`This arbitrary stylizer (${info.transferNetwork})`, 'load it again');
  const scoped = <T>(signal: AbortSignal | undefined, work: (signal: AbortSignal) => Promise<T>) => runs.run(signal, work);
  let released: Promise<void> | undefined;
  return {
    info,
    async predictStyle(image: Image, options?: PredictStyleRunOptions): Promise<StyleVector> {
      return predictOn(context, predictor, image, resolvePredictRunOptions(context as KernelContext<unknown, unknown>, options), scoped);
    },
    stylize(content: Image, style: ArbitraryStyles<Image>, options?: ArbitraryRunOptions): Promise<Result> {
      return this.run(content, style, options, performance.now());
    },
    async run(content: Image, style: ArbitraryStyles<Image>, options: ArbitraryRunOptions | undefined, started: number): Promise<Result> {
      const { onProgress, ...rest } = context.runOptions('arbitrary', options) as ArbitraryRunOptions;
      const report = onProgress === undefined ? undefined : expectFunction<(p: ArbitraryProgress) => void>('onProgress', onProgress);
      const items = listArbitraryStyles<Image>(style, info.styleLength);
      const resolved = resolveArbitraryOptions({ ...rest, styleWeights: items.map((item) => item.share) });
      context.checkImage(content, 'content');
      items.forEach((item, i) => item.image !== undefined && context.checkImage(item.image, items.length === 1 ? 'styleImage' : `styleImages[${i}]`));
      return runs.run(resolved.signal, async (signal) => {
        const images = items.filter((item) => item.image !== undefined);
        const [planar, ...paintings] = await Promise.all([
          decodeFor(context, content, 'the content image', signal, resolved.maxPixels),
          ...images.map((item, i) => decodeFor(context, item.image as Image, images.length === 1 ? 'the style image' : `style image ${i + 1}`, signal, resolved.maxPixels)),
        ]);
        const decoded = new Map(images.map((item, i) => [item, paintings[i]]));
        const styles = items.map((item) => item.vector ?? decoded.get(item)!);
        const total = images.length + (resolved.strength < 1 ? 1 : 0) + 1;
        const progress = report && withProgress(predictor.memo, total, images.length, report);
        const networks = { predictor: progress?.predictor ?? predictor.memo, transfer: transfer.model };
        const output = await typed(
          'E_INFERENCE',
          `Stylizing with '${info.transferNetwork}' on ${device}`,
          () => stylizeArbitraryResolved(networks, planar, styles, { ...resolved, signal, onProgress: progress?.onTransfer }, context.platform.checkpointSpill),
          true,
        );
        return context.platform.createResult(output, { model: `arbitrary:${info.transferNetwork}`, device, ms: performance.now() - started } satisfies StylizeInfo);
      });
    },
    dispose(): Promise<void> {
      // Runs in flight end (E_DISPOSED) at their next network run, before the sessions are let go.
      released ??= runs.dispose().then(() => Promise.all([predictorHold.release(), transferHold.release()])).then(() => undefined);
      return released;
    },
  };
}
