import { PasticheError } from '../../errors.js';
import { preserveColors } from '../../image/color.js';
import type { PlanarImage } from '../../image/image-types.js';
import { fitLongestSide, resizeImage } from '../../image/resize.js';
import { createOptimizer, type Objective } from '../../optimizers/optimizer.js';
import { SeededRandom } from '../../optimizers/seeded-random.js';
import type { GatysEngine } from './gatys-engine.js';
import { resolveGatysOptions, scaleSizes, type GatysOptions, type ResolvedGatysOptions } from './gatys-options.js';
import { computeStyleTargets, validateStyleImages, type WeightedStyleImage } from './style-targets.js';

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
 * holds the sessions.
 */
export async function optimizeStyle(
  engine: GatysEngine,
  content: PlanarImage,
  styles: readonly WeightedStyleImage[],
  options: GatysOptions = {},
): Promise<PlanarImage> {
  const o = resolveGatysOptions(options);
  validateStyleImages(styles);
  const started = performance.now();
  const sizes = scaleSizes(o.size, o.scales);
  let current: PlanarImage | undefined;

  for (const [s, side] of sizes.entries()) {
    if (o.signal?.aborted) throw new PasticheError('E_ABORTED', 'Optimisation was aborted.', { cause: o.signal.reason });
    const { width, height } = fitLongestSide(content.width, content.height, side);
    const scaledContent = resizeImage(content, width, height);
    const x0 = current ? resizeImage(current, width, height).data : initialImage(scaledContent, o);
    const { targets, weights } = await computeStyleTargets(engine, scaledContent, styles, {
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
    const optimizer = createOptimizer(o.optimizer, x0, objective, {
      bounds: [0, 255],
      maxIterations: o.iterations,
      signal: o.signal,
      // `iterations` means iterations: L-BFGS's default evaluation cap (1.25×, as PyTorch) would cut short runs.
      ...(o.optimizer === 'adam' ? { learningRate: o.learningRate } : { maxEvaluations: 2 * o.iterations + 10 }),
    });
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
  return o.preserveColors ? preserveColors(result, resizeImage(content, result.width, result.height)) : result;
}
