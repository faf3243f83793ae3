import { expectOptions } from '../arguments.js';
import { DEFAULT_POOLING } from '../gradient/build-loss-graphs.js';
import { LOSS_GRAPH_METADATA } from '../gradient/graph-metadata.js';
import type { Pooling } from '../gradient/forward-plan.js';
import { GatysEngine } from '../methods/optimization/gatys-engine.js';
import { abortable } from './abortable.js';
import { openOnDevice } from './device-selection.js';
import type { KernelContext } from './kernel-context.js';
import { resolveModelLoadOptions } from './load-options.js';
import { resolveModelReference } from './model-reference.js';
import { PasticheError } from '../errors.js';
import { typed } from './run-scope.js';
import {
  LoadedEngine,
  checkEngineRuns,
  createStyleOptimizer,
  readLossGraphs,
  resolveOptimizerChoice,
  type LoadOptimizerOptions,
  type TimedStyleOptimizer,
} from './style-optimizer.js';

/**
 * `loadStyleOptimizer` on a platform: checks the options, resolves the loss network (or prebuilt graphs), builds
 * the gradient graphs once per network, layers, pooling and device, and opens their sessions.
 */
export async function loadStyleOptimizerOn<Image, Result>(context: KernelContext<Image, Result>, options: unknown): Promise<TimedStyleOptimizer<Image, Result>> {
  const { platform } = context;
  const all = expectOptions<Record<string, unknown>>('options', options) as Record<string, unknown>;
  context.checkLoadKeys('optimization', all);
  const load = resolveModelLoadOptions(platform.devices, platform.env, all);
  const choice = resolveOptimizerChoice(context, all as LoadOptimizerOptions<string, unknown>);
  const storeOptions = context.storeOptions(all);
  platform.beforeSessions?.(storeOptions);
  const scope = context.runs;
  const hold = await typed('E_MODEL_LOAD', 'Loading the optimisation method', async () => {
    const refContext = context.referenceContext(load, storeOptions);
    const references = choice.gradientGraphs
      ? {
          features: await resolveModelReference(platform, choice.gradientGraphs.features, 'gradient graph', refContext),
          lossGrad: await resolveModelReference(platform, choice.gradientGraphs.lossGrad, 'gradient graph', refContext),
        }
      : { lossNetwork: await resolveModelReference(platform, choice.lossNetwork, 'loss network', refContext) };
    const key = JSON.stringify([
      'optimizer',
      Object.values(references).map((r) => r.key),
      choice.contentLayers ?? null,
      choice.styleLayers ?? null,
      choice.pooling ?? null,
      load.device.key,
    ]);
    const { autoOrder } = platform.devices;
    const fallback = autoOrder[autoOrder.length - 1];
    const hold = await abortable(
      'Loading the optimisation method',
      context.sessions.acquire(key, async () => {
        // Built once, so that `auto` falling back to another device does not build them again.
        const { graphs, name } = await readLossGraphs(choice, references);
        const { value, device } = await openOnDevice(
          platform,
          load.device,
          async (sessionOptions) => {
            const engine = await GatysEngine.fromGraphs(platform.runtime, graphs, sessionOptions);
            const providers = (sessionOptions.executionProviders ?? []).map((ep) => (typeof ep === 'string' ? ep : ep.name));
            if (providers.some((p) => p !== fallback && p !== 'cpu')) await checkEngineRuns(engine, name, providers.join(','));
            return engine;
          },
          (message) => context.warnFallback(message),
        );
        return new LoadedEngine(value, device, name);
      }),
      load.signal,
      (h) => h.release(),
    );
    return hold;
  });
  if (scope.disposed) {
    await hold.release();
    throw new PasticheError('E_DISPOSED', `dispose() was called while the optimisation method (${hold.owner.name}) loaded; load it again.`);
  }
  try {
    load.onLoadProgress?.({ status: 'ready', name: hold.owner.name, device: hold.owner.device });
  } catch (error) {
    await hold.release();
    throw error;
  }
  const builtWith = hold.owner.engine.graphs.lossGrad.metadataProps[LOSS_GRAPH_METADATA.pooling] as Pooling | undefined;
  return createStyleOptimizer(context, hold, choice.pooling ?? builtWith ?? DEFAULT_POOLING);
}
