import { PasticheError } from '../../errors.js';
import { blendWithContentUnchecked, preserveColorsUnchecked } from '../../image/color.js';
import type { PlanarImage } from '../../image/image-types.js';
import { cropImageUnchecked, padsToMultipleUnchecked, reflectPadUnchecked } from '../../image/padding.js';
import { expectPlanarImage } from '../../image/planar-checks.js';
import { fitLongestSideUnchecked, resizeImageUnchecked } from '../../image/resize.js';
import { blendTilesUnchecked, planTilesUnchecked, type TileRect } from '../../image/tiling.js';
import type { StyleModel } from '../../models/style-model.js';
import { resolveStylizeOptions, type ResolvedStylizeOptions, type StylizeOptions } from './stylize-options.js';

/** The parts of a {@link StyleModel} the pipeline needs. */
export type RunnableStyleModel = Pick<StyleModel, 'name' | 'run' | 'fixedSize' | 'conventions'>;

/** How one image is cut into network runs. */
export type RunPlan =
  | { kind: 'whole' }
  | { kind: 'resize'; width: number; height: number }
  | { kind: 'tiles'; tiles: TileRect[]; overlap: number };

/** Decides between one run, a resize to a fixed model size, and overlapping tiles. */
export function planRun(
  width: number,
  height: number,
  model: Pick<RunnableStyleModel, 'fixedSize' | 'conventions'>,
  options: Pick<ResolvedStylizeOptions, 'tile' | 'tileOverlap' | 'fixedSize'>,
): RunPlan {
  const fixed = model.fixedSize;
  let tileWidth: number;
  let tileHeight: number;
  if (fixed) {
    if (options.fixedSize === 'resize') return { kind: 'resize', ...fixed };
    if (width === fixed.width && height === fixed.height) return { kind: 'whole' };
    tileWidth = fixed.width;
    tileHeight = fixed.height;
  } else {
    if (options.tile === false || Math.max(width, height) <= options.tile) return { kind: 'whole' };
    const multiple = model.conventions.sizeMultiple;
    tileWidth = tileHeight = Math.max(multiple, Math.floor(options.tile / multiple) * multiple);
  }
  // Overlap must leave each tile a core of its own, or tiles would multiply without bound.
  const overlap = Math.min(options.tileOverlap, Math.floor(Math.min(tileWidth, tileHeight) / 4));
  return { kind: 'tiles', tiles: planTilesUnchecked(width, height, { tileWidth, tileHeight, overlap }), overlap };
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new PasticheError('E_ABORTED', 'Stylization was aborted.', { cause: signal.reason });
}

/**
 * Runs the model on an image of any size it accepts after padding: reflect-pads to the size multiple
 * (or up to the fixed size), runs, and crops back.
 */
async function runPadded(model: RunnableStyleModel, image: PlanarImage): Promise<PlanarImage> {
  const fixed = model.fixedSize;
  const pads = fixed
    ? padsTo(image.width, image.height, fixed.width, fixed.height)
    : padsToMultipleUnchecked(image.width, image.height, model.conventions.sizeMultiple);
  const padded = pads.top || pads.right || pads.bottom || pads.left ? reflectPadUnchecked(image, pads) : image;
  let output = await model.run(padded);
  // Some exported networks return a slightly different size (e.g. odd sizes through strided convs).
  if (output.width !== padded.width || output.height !== padded.height) {
    output = resizeImageUnchecked(output, padded.width, padded.height);
  }
  return padded === image
    ? output
    : cropImageUnchecked(output, { x: pads.left, y: pads.top, width: image.width, height: image.height });
}

function padsTo(width: number, height: number, targetWidth: number, targetHeight: number) {
  const padX = Math.max(0, targetWidth - width);
  const padY = Math.max(0, targetHeight - height);
  return { top: Math.floor(padY / 2), bottom: padY - Math.floor(padY / 2), left: Math.floor(padX / 2), right: padX - Math.floor(padX / 2) };
}

/**
 * The fast-method pipeline on planar pixels: resize to `size`, plan the runs (whole, resized to a fixed
 * size, or feathered tiles), run the network, then apply colour preservation and strength. Checks the
 * content and the options once ({@link resolveStylizeOptions}), then runs {@link stylizeResolved}.
 */
export async function stylizePlanar(
  model: RunnableStyleModel,
  content: PlanarImage,
  options: StylizeOptions = {},
): Promise<PlanarImage> {
  expectPlanarImage('content', content);
  return stylizeResolved(model, content, resolveStylizeOptions(options));
}

/**
 * {@link stylizePlanar} on options resolved already, for adapters that check their options once at their own
 * boundary: nothing is checked again, here or in the image kernels it calls. `content` must be a well-formed
 * planar image and `options` the result of {@link resolveStylizeOptions}.
 */
export async function stylizeResolved(
  model: RunnableStyleModel,
  content: PlanarImage,
  options: ResolvedStylizeOptions,
): Promise<PlanarImage> {
  const o = options;
  throwIfAborted(o.signal);
  const target = o.size ? fitLongestSideUnchecked(content.width, content.height, o.size) : content;
  const image =
    target.width === content.width && target.height === content.height
      ? content
      : resizeImageUnchecked(content, target.width, target.height);
  const plan = planRun(image.width, image.height, model, o);

  let stylized: PlanarImage;
  if (plan.kind === 'tiles') {
    const outputs: PlanarImage[] = [];
    for (const tile of plan.tiles) {
      throwIfAborted(o.signal);
      outputs.push(await runPadded(model, cropImageUnchecked(image, tile)));
      o.onProgress?.({ done: outputs.length, total: plan.tiles.length });
    }
    stylized = blendTilesUnchecked(outputs, plan.tiles, image.width, image.height, plan.overlap);
  } else {
    const input = plan.kind === 'resize' ? resizeImageUnchecked(image, plan.width, plan.height) : image;
    const output = await runPadded(model, input);
    stylized = plan.kind === 'resize' ? resizeImageUnchecked(output, image.width, image.height) : output;
    o.onProgress?.({ done: 1, total: 1 });
  }
  throwIfAborted(o.signal);
  if (o.preserveColors) stylized = preserveColorsUnchecked(stylized, image);
  if (o.strength < 1) stylized = blendWithContentUnchecked(stylized, image, o.strength);
  return stylized;
}
