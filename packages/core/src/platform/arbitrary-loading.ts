import { expectBoolean, expectKnownKeys, expectOptions } from '../arguments.js';
import { DEFAULT_STYLE_PREDICTOR, DEFAULT_TRANSFER_NETWORK } from '../catalog/resolve-catalog-name.js';
import { PasticheError } from '../errors.js';
import { StylePredictorModel, StyleTransferModel } from '../methods/arbitrary/arbitrary-networks.js';
import { abortable } from './abortable.js';
import {
  createArbitraryStylizer,
  LoadedPredictor,
  LoadedTransfer,
  predictOn,
  resolvePredictRunOptions,
  type PredictStyleOptions,
  type TimedArbitraryStylizer,
} from './arbitrary-stylizer.js';
import { openOnDevice } from './device-selection.js';
import type { KernelContext } from './kernel-context.js';
import { resolveModelLoadOptions, type ResolvedModelLoadOptions } from './load-options.js';
import { checkModelArgument, resolveModelReference, type ModelRole } from './model-reference.js';
import { typed } from './run-scope.js';
import { runnableBytes } from './runnable-bytes.js';
import type { SessionHold } from './session-cache.js';
import type { StyleVector } from '../methods/arbitrary/style-vectors.js';

/**
 * Loading the arbitrary-style method (imported on first use, so that a page using only style networks does not
 * bundle it): each network is resolved like any model (built-in names fetched and converted on first use, paths, URLs,
 * bytes; a .tflite converted as it loads), opened on the device, and kept in the session cache on its own, so that a
 * one-shot `predictStyle` and stylizers with other transfer networks share one predictor and its style vectors.
 */

interface ArbitraryChoice {
  load: ResolvedModelLoadOptions<string>;
  storeOptions: object;
}

/** The load options every arbitrary load shares, checked before any I/O; `sha256` is refused (two models load). */
function resolveChoice(context: KernelContext<unknown, unknown>, all: Record<string, unknown>): ArbitraryChoice {
  if (all.sha256 !== undefined) {
    throw new TypeError('Expected no sha256 with the arbitrary method: it loads two models (predictor and transferNetwork). Check a downloaded file yourself and pass its bytes.');
  }
  const load = resolveModelLoadOptions(context.platform.devices, context.platform.env, all);
  const storeOptions = context.storeOptions(all);
  return { load, storeOptions };
}

/** Opens one network (resolved, read, converted if .tflite, rewritten when asked) on the device, through the session cache. */
async function holdNetwork<T extends LoadedPredictor | LoadedTransfer>(
  context: KernelContext<unknown, unknown>,
  source: unknown,
  role: Extract<ModelRole, 'style predictor' | 'transfer network'>,
  choice: ArbitraryChoice,
  graphRewrites: boolean,
): Promise<SessionHold<T>> {
  const { platform } = context;
  const { load, storeOptions } = choice;
  const reference = await resolveModelReference(platform, source, role, context.referenceContext(load, storeOptions));
  const predictor = role === 'style predictor';
  const key = JSON.stringify([predictor ? 'arbitrary-predictor' : 'arbitrary-transfer', reference.key, load.device.key, predictor ? null : graphRewrites]);
  return abortable(
    `Loading the ${role}`,
    context.sessions.acquire<T>(key, async () => {
      const bytes = await reference.read();
      const runnable = predictor ? bytes : await runnableBytes(bytes, graphRewrites);
      const { value, device } = await openOnDevice<StylePredictorModel | StyleTransferModel, string>(
        platform,
        load.device,
        (sessionOptions) =>
          predictor
            ? StylePredictorModel.load(runnable, platform.runtime, { name: reference.name, sessionOptions })
            : StyleTransferModel.load(runnable, platform.runtime, { name: reference.name, sessionOptions }),
        (message) => context.warnFallback(message),
      );
      return (predictor ? new LoadedPredictor(value as StylePredictorModel, device) : new LoadedTransfer(value as StyleTransferModel, device)) as T;
    }),
    load.signal,
    (h) => h.release(),
  );
}

/** E_DISPOSED, releasing what loaded, when `dispose()` came while it loaded. */
async function checkNotDisposed(context: KernelContext<unknown, unknown>, scope: KernelContext<unknown, unknown>['runs'], holds: SessionHold<unknown>[], what: string): Promise<void> {
  if (!scope.disposed) return;
  await Promise.all(holds.map((h) => h.release()));
  throw new PasticheError('E_DISPOSED', `dispose() was called while ${what} loaded; load it again.`);
}

/** `loadArbitraryStylizer` on a platform: options checked, both networks resolved and opened (each shared by key). */
export async function loadArbitraryStylizerOn<Image, Result>(context: KernelContext<Image, Result>, options: unknown): Promise<TimedArbitraryStylizer<Image, Result>> {
  const any = context as unknown as KernelContext<unknown, unknown>;
  const all = expectOptions<Record<string, unknown>>('options', options) as Record<string, unknown>;
  context.checkLoadKeys('arbitrary', all);
  const choice = resolveChoice(any, all);
  const graphRewrites = all.graphRewrites === undefined || expectBoolean('graphRewrites', all.graphRewrites);
  const predictorSource = all.predictor ?? DEFAULT_STYLE_PREDICTOR;
  const transferSource = all.transferNetwork ?? DEFAULT_TRANSFER_NETWORK;
  checkModelArgument(context.platform, predictorSource, 'style predictor');
  checkModelArgument(context.platform, transferSource, 'transfer network');
  context.platform.beforeSessions?.(choice.storeOptions);
  const scope = context.runs;
  const [predictorHold, transferHold] = await typed('E_MODEL_LOAD', 'Loading the arbitrary-style method', async () => {
    const holds = await Promise.allSettled([
      holdNetwork<LoadedPredictor>(any, predictorSource, 'style predictor', choice, graphRewrites),
      holdNetwork<LoadedTransfer>(any, transferSource, 'transfer network', choice, graphRewrites),
    ]);
    const failed = holds.find((h) => h.status === 'rejected');
    if (failed) {
      await Promise.all(holds.map((h) => (h.status === 'fulfilled' ? h.value.release() : undefined)));
      throw failed.reason;
    }
    return holds.map((h) => (h as PromiseFulfilledResult<SessionHold<LoadedPredictor | LoadedTransfer>>).value) as [SessionHold<LoadedPredictor>, SessionHold<LoadedTransfer>];
  });
  const predictor = predictorHold.owner.model;
  const transfer = transferHold.owner.model;
  if (predictor.styleLength !== transfer.styleLength) {
    await Promise.all([predictorHold.release(), transferHold.release()]);
    throw new PasticheError(
      'E_MODEL_SIGNATURE',
      `The style predictor '${predictor.name}' makes vectors of ${predictor.styleLength} numbers but the transfer network '${transfer.name}' takes ${transfer.styleLength}: use networks trained together.`,
    );
  }
  await checkNotDisposed(any, scope, [predictorHold, transferHold], `the arbitrary-style method (${transfer.name})`);
  choice.load.onLoadProgress?.({ status: 'ready', name: predictor.name, device: predictorHold.owner.device });
  choice.load.onLoadProgress?.({ status: 'ready', name: transfer.name, device: transferHold.owner.device });
  return createArbitraryStylizer(context, predictorHold, transferHold);
}

/** The one-shot `predictStyle`'s own keys beyond the predictor's load options. */
const PREDICT_RUN_KEYS = ['maxPixels', 'signal'];

/**
 * One-shot `predictStyle(image, options)`: loads the predictor (kept, shared by key, until `dispose()`), decodes the
 * image and returns its style vector.
 */
export async function predictStyleOn<Image>(context: KernelContext<Image, unknown>, image: unknown, options: unknown): Promise<StyleVector> {
  const any = context as unknown as KernelContext<unknown, unknown>;
  const all = expectOptions<PredictStyleOptions<string, unknown>>('options', options) as Record<string, unknown>;
  const loadKeys = new Set([...context.loadKeys('arbitrary')].filter((key) => key !== 'transferNetwork' && key !== 'graphRewrites'));
  const elsewhere = new Map([
    ['transferNetwork', 'an option of loadArbitraryStylizer(): predictStyle runs only the predictor'],
    ['graphRewrites', 'an option of loadArbitraryStylizer(): predictStyle runs only the predictor'],
  ]);
  expectKnownKeys('options', all, new Set([...loadKeys, ...PREDICT_RUN_KEYS]), elsewhere);
  const run = resolvePredictRunOptions(any, { maxPixels: all.maxPixels, signal: all.signal });
  const load = Object.fromEntries(Object.entries(all).filter(([key]) => loadKeys.has(key)));
  const choice = resolveChoice(any, load);
  const source = all.predictor ?? DEFAULT_STYLE_PREDICTOR;
  checkModelArgument(context.platform, source, 'style predictor');
  context.checkImage(image, 'image');
  context.platform.beforeSessions?.(choice.storeOptions);
  const scope = context.runs;
  const hold = await typed('E_MODEL_LOAD', 'Loading the style predictor', () => holdNetwork<LoadedPredictor>(any, source, 'style predictor', choice, false));
  await checkNotDisposed(any, scope, [hold], `the style predictor (${hold.owner.model.name})`);
  choice.load.onLoadProgress?.({ status: 'ready', name: hold.owner.model.name, device: hold.owner.device });
  return predictOn(context, hold.owner, image as Image, run, (signal, work) => scope.run(signal, work));
}
