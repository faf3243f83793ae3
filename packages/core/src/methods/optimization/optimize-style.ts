import { PasticheError } from '../../errors.js';
import { preserveColorsUnchecked } from '../../image/color.js';
import type { PlanarImage } from '../../image/image-types.js';
import { expectPlanarImage } from '../../image/planar-checks.js';
import { fitLongestSideUnchecked, resizeImageUnchecked } from '../../image/resize.js';
import { createResolvedOptimizer, type Objective } from '../../optimizers/optimizer.js';
import { applyAdamDefaults, applyLbfgsDefaults } from '../../optimizers/optimizer-options.js';
import { SeededRandom } from '../../optimizers/seeded-random.js';
import type { GatysEngine } from './gatys-engine.js';
import { resolveGatysOptions, scaleSizes, type GatysOptions, type ResolvedGatysOptions } from './gatys-options.js';
import {
  computeResolvedStyleTargets,
  resolveStyleImages,
  type ResolvedStyleImages,
  type WeightedStyleImage,
} from './style-targets.js';

function initialImage(content: PlanarImage, o: ResolvedGatysOptions): Float32Array {
  if (o.init === 'content') return content.data.slice();
  const noise = new SeededRandom(o.seed).fillUniform(new Float32Array(content.data.length), 0, 255);
  if (o.init === 'noise') return noise;
  const a = o.initNoise;
  for (let i = 0; i < noise.length; i++) noise[i] = (1 - a) * content.data[i] + a * noise[i];
  return noise;
}

/**
 * The optimisation method (Gatys et al.): iterates the pixels, coarse to fine, to minimise content, style
 * and total-variation losses computed by the engine's loss+gradient graph. Runtime-agnostic: the engine
 * holds the sessions. Checks the content, the style images and the options once, then runs
 * {@link optimizeStyleResolved}.
 */
export async function optimizeStyle(
  engine: GatysEngine,
  content: PlanarImage,
  styles: readonly WeightedStyleImage[],
  options: GatysOptions = {},
): Promise<PlanarImage> {
  expectPlanarImage('content', content);
  const resolvedStyles = resolveStyleImages(styles);
  return optimizeStyleResolved(engine, content, resolvedStyles, resolveGatysOptions(options));
}

/**
 * {@link optimizeStyle} on values resolved already, for adapters that check their options once at their own
 * boundary: `content` a well-formed planar image, `styles` from {@link resolveStyleImages}, `options` from
 * {@link resolveGatysOptions}. Nothing is checked again, here or in the kernels it calls at each scale.
 */
export async function optimizeStyleResolved(
  engine: GatysEngine,
  content: PlanarImage,
  styles: ResolvedStyleImages,
  options: ResolvedGatysOptions,
): Promise<PlanarImage> {
  const o = options;
  const started = performance.now();
  const sizes = scaleSizes(o.size, o.scales);
  // `iterations` means iterations: L-BFGS's default evaluation cap (1.25×, as PyTorch) would cut short runs.
  const common = { lower: 0, upper: 255, maxIterations: o.iterations, signal: o.signal };
  const optimizerOptions =
    o.optimizer === 'adam'
      ? applyAdamDefaults({ ...common, learningRate: o.learningRate })
      : applyLbfgsDefaults({ ...common, maxEvaluations: 2 * o.iterations + 10 });
  let current: PlanarImage | undefined;

  for (const [s, side] of sizes.entries()) {
    if (o.signal?.aborted) throw new PasticheError('E_ABORTED', 'Optimisation was aborted.', { cause: o.signal.reason });
    const { width, height } = fitLongestSideUnchecked(content.width, content.height, side);
    const scaledContent = resizeImageUnchecked(content, width, height);
    const x0 = current ? resizeImageUnchecked(current, width, height).data : initialImage(scaledContent, o);
    const { targets, weights } = await computeResolvedStyleTargets(engine, scaledContent, styles, {
      content: o.contentWeight,
      style: o.styleWeight,
      tv: o.tvWeight,
      styleScale: o.styleScale,
    });

    // Terms of recent evaluations, so that progress can report those of the accepted iterate.
    const termsByLoss = new Map<number, Record<string, number>>();
    const objective: Objective = async (x) => {
      const evaluation = await engine.evaluate(x, width, height, targets, weights);
      termsByLoss.set(evaluation.loss, evaluation.terms);
      if (termsByLoss.size > 64) termsByLoss.delete(termsByLoss.keys().next().value!);
      return evaluation;
    };
    const optimizer = createResolvedOptimizer(o.optimizer, x0, objective, optimizerOptions);
    while (optimizer.stopReason === undefined) {
      const result = await optimizer.step();
      const preview = o.previewEvery > 0 && result.iteration % o.previewEvery === 0;
      o.onProgress?.({
        scale: s + 1,
        scales: sizes.length,
        width,
        height,
        iteration: result.iteration,
        iterations: o.iterations,
        loss: result.loss,
        terms: termsByLoss.get(result.loss) ?? {},
        elapsedMs: performance.now() - started,
        ...(preview ? { preview: { data: optimizer.x.slice(), width, height } } : {}),
      });
    }
    current = { data: optimizer.x.slice(), width, height };
  }
  const result = current!;
  return o.preserveColors ? preserveColorsUnchecked(result, resizeImageUnchecked(content, result.width, result.height)) : result;
}
