import { PasticheError } from '../../errors.js';
import { preserveColorsUnchecked } from '../../image/color.js';
import { checkPixelLimit } from '../../image/image-header.js';
import type { PlanarImage } from '../../image/image-types.js';
import { expectPlanarImage } from '../../image/planar-checks.js';
import { fitLongestSideUnchecked, resizeImageUnchecked } from '../../image/resize.js';
import { createResolvedOptimizer, type Objective } from '../../optimizers/optimizer.js';
import { applyAdamDefaults, applyLbfgsDefaults } from '../../optimizers/optimizer-options.js';
import { SeededRandom } from '../../optimizers/seeded-random.js';
import type { GatysEngine } from './gatys-engine.js';
import { lossNetworkSize, resolveGatysOptions, scaleSizes, type GatysOptions, type ResolvedGatysOptions } from './gatys-options.js';
import {
  computeResolvedStyleTargets,
  resolveStyleImages,
  styleImageSize,
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

/** Checks, before any work, that neither the result nor any style image at the finest scale is over `maxPixels`. */
function checkWorkingSizes(content: PlanarImage, styles: ResolvedStyleImages, o: ResolvedGatysOptions, side: number): void {
  checkPixelLimit(content.width, content.height, o.maxPixels, 'the content image');
  styles.images.forEach((image, i) => checkPixelLimit(image.width, image.height, o.maxPixels, `style image ${i + 1}`));
  const finest = fitLongestSideUnchecked(content.width, content.height, side);
  const result = lossNetworkSize(finest.width, finest.height);
  checkPixelLimit(result.width, result.height, o.maxPixels, `the image at size ${o.size}`, 'Pass a smaller size, or a larger maxPixels to allow it.');
  styles.images.forEach((image, i) => {
    const size = styleImageSize(image, o.styleScale, Math.max(result.width, result.height));
    checkPixelLimit(
      size.width,
      size.height,
      o.maxPixels,
      `style image ${i + 1} at styleScale ${o.styleScale} (of the result's ${Math.max(result.width, result.height)}-pixel side)`,
      'Pass a smaller styleScale or size, or a larger maxPixels to allow it.',
    );
  });
}

function numericError(message: string, cause?: unknown): PasticheError {
  return new PasticheError(
    'E_NUMERIC',
    `${message} Nothing usable came of it: try the CPU device, the 'lbfgs' optimizer or a smaller learningRate (Adam), ` +
      `smaller weights (styleWeight, contentWeight, tvWeight), or another loss network.`,
    cause === undefined ? undefined : { cause },
  );
}

/**
 * A scale whose loss ends this many times above where it started diverged: the optimiser made the image worse than
 * its start by an order of magnitude (Adam with a learning rate far too large ends at ×20–×100 with most pixels at 0
 * or 255; a sound run ends below its start). The loss stays finite, so only this tells such garbage from a result.
 */
export const DIVERGENCE_FACTOR = 10;

/**
 * A scale that ends with this share more of its pixel values pinned at 0 or 255 than its start had diverged too: the
 * bounds keep pixels in range, so a runaway optimiser shows as pinned pixels (Adam at learning rate 1e4: 82%, its
 * loss ×6; sound runs pin about 1%).
 */
export const DIVERGENCE_PINNED_SHARE = 0.5;

/** The share of values at the bounds 0 or 255. */
function pinnedShare(data: Float32Array): number {
  let pinned = 0;
  for (let i = 0; i < data.length; i++) if (data[i] <= 0 || data[i] >= 255) pinned++;
  return pinned / data.length;
}

function allFinite(data: Float32Array): boolean {
  for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i])) return false;
  return true;
}

/**
 * {@link optimizeStyle} on values resolved already, for adapters that check their options once at their own
 * boundary: `content` a well-formed planar image, `styles` from {@link resolveStyleImages}, `options` from
 * {@link resolveGatysOptions}. Nothing is checked again, here or in the kernels it calls at each scale, but the
 * sizes: every working size against `maxPixels` (E_IMAGE_TOO_LARGE) before any work. A loss or gradient that
 * becomes NaN or infinite where the optimiser cannot step around it is E_NUMERIC, never a black or white image.
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
  checkWorkingSizes(content, styles, o, sizes[sizes.length - 1]);
  // `iterations` means iterations: L-BFGS's default evaluation cap (1.25×, as PyTorch) would cut short runs.
  const common = { lower: 0, upper: 255, maxIterations: o.iterations, signal: o.signal };
  const optimizerOptions =
    o.optimizer === 'adam'
      ? applyAdamDefaults({ ...common, learningRate: o.learningRate })
      : applyLbfgsDefaults({ ...common, maxEvaluations: 2 * o.iterations + 10 });
  let coarser: CoarserScale | undefined;
  let target = { width: content.width, height: content.height };

  for (const [s, side] of sizes.entries()) {
    if (o.signal?.aborted) throw new PasticheError('E_ABORTED', 'Optimisation was aborted.', { cause: o.signal.reason });
    target = fitLongestSideUnchecked(content.width, content.height, side);
    // What the loss network runs at: the target, stretched where a side is under MIN_LOSS_SIDE.
    const { width, height } = lossNetworkSize(target.width, target.height);
    const scaledContent = resizeImageUnchecked(content, width, height);
    const x0 = coarser ? startFromCoarser(coarser, scaledContent) : initialImage(scaledContent, o);
    const { targets, weights } = await computeResolvedStyleTargets(engine, scaledContent, styles, {
      content: o.contentWeight,
      style: o.styleWeight,
      tv: o.tvWeight,
      styleScale: o.styleScale,
    });

    // Terms of recent evaluations, so that progress can report those of the accepted iterate.
    const termsByLoss = new Map<number, Record<string, number>>();
    let nonFinite: string | undefined;
    // The loss where this scale starts (its first evaluation is at x0).
    let startLoss: number | undefined;
    const objective: Objective = async (x) => {
      const evaluation = await engine.evaluate(x, width, height, targets, weights);
      startLoss ??= evaluation.loss;
      // L-BFGS steps back from a non-finite trial point; noted, in case the optimiser cannot.
      if (!Number.isFinite(evaluation.loss)) nonFinite = `the loss became ${evaluation.loss}`;
      else if (!allFinite(evaluation.grad)) nonFinite = 'the gradient held NaN or infinite values';
      termsByLoss.set(evaluation.loss, evaluation.terms);
      if (termsByLoss.size > 64) termsByLoss.delete(termsByLoss.keys().next().value!);
      return evaluation;
    };
    const where = () => `at scale ${s + 1} of ${sizes.length} (${width}×${height})`;
    const optimizer = createResolvedOptimizer(o.optimizer, x0, objective, optimizerOptions);
    while (optimizer.stopReason === undefined) {
      let result;
      try {
        result = await optimizer.step();
      } catch (cause) {
        // The optimisers fail with a RangeError on a loss or gradient they cannot step around (Adam, or x0).
        if (nonFinite !== undefined && cause instanceof RangeError) {
          throw numericError(`The optimisation diverged ${where()}, iteration ${optimizer.iteration + 1}: ${nonFinite}.`, cause);
        }
        throw cause;
      }
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
        ...(preview ? { preview: backTo(target, { data: optimizer.x.slice(), width, height }) } : {}),
      });
    }
    const current = { data: optimizer.x.slice(), width, height };
    coarser = { result: current, content: scaledContent };
    if (!Number.isFinite(optimizer.loss) || !allFinite(current.data)) {
      throw numericError(`The optimisation ended ${where()} with a loss of ${optimizer.loss} or pixels that are not finite.`);
    }
    const [pinnedStart, pinnedEnd] = [pinnedShare(x0), pinnedShare(current.data)];
    if (pinnedEnd - pinnedStart > DIVERGENCE_PINNED_SHARE) {
      throw numericError(
        `The optimisation diverged ${where()}: ${(100 * pinnedEnd).toFixed(0)}% of the pixel values ended pinned at 0 or 255 ` +
          `(${(100 * pinnedStart).toFixed(0)}% at its start), with a loss of ${optimizer.loss.toPrecision(3)} from ${startLoss?.toPrecision(3)}.`,
      );
    }
    if (startLoss !== undefined && optimizer.loss > Math.max(DIVERGENCE_FACTOR * startLoss, startLoss + 1e-6)) {
      throw numericError(
        `The optimisation diverged ${where()}: its loss grew from ${startLoss.toPrecision(3)} to ${optimizer.loss.toPrecision(3)} ` +
          `(×${(optimizer.loss / startLoss).toPrecision(3)}, more than ×${DIVERGENCE_FACTOR}) instead of falling.`,
      );
    }
  }
  const result = backTo(target, coarser!.result);
  return o.preserveColors ? preserveColorsUnchecked(result, resizeImageUnchecked(content, result.width, result.height)) : result;
}

/** A finished scale: its result, and the photo at the size it ran at. */
interface CoarserScale {
  result: PlanarImage;
  content: PlanarImage;
}

/**
 * Where a finer scale starts: the coarser result upsampled (Lanczos: sharper than bilinear), plus the photo's detail
 * the coarser scale could not see (the photo at this size minus the photo at the coarser size, upsampled alike). The
 * upsampled result alone is blurred, and the finer scale spent its first iterations restoring edges: chelsea ×
 * starry_night at 512 px now reaches PyTorch's 100-iteration loss at finest-scale iteration 37 instead of 46.
 */
function startFromCoarser(coarser: CoarserScale, scaledContent: PlanarImage): Float32Array {
  const { width, height } = scaledContent;
  const x0 = resizeImageUnchecked(coarser.result, width, height, 'lanczos3').data;
  const seen = resizeImageUnchecked(coarser.content, width, height, 'lanczos3').data;
  for (let i = 0; i < x0.length; i++) x0[i] = Math.min(255, Math.max(0, x0[i] + scaledContent.data[i] - seen[i]));
  return x0;
}

/** `image` resized to `size` where the loss network ran on it stretched. */
function backTo(size: { width: number; height: number }, image: PlanarImage): PlanarImage {
  return image.width === size.width && image.height === size.height ? image : resizeImageUnchecked(image, size.width, size.height);
}
