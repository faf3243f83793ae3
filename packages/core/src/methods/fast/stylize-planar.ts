import { PasticheError } from '../../errors.js';
import { blendWithContentUnchecked, preserveColorsUnchecked } from '../../image/color.js';
import { checkPixelLimit } from '../../image/image-header.js';
import type { PlanarImage } from '../../image/image-types.js';
import { cropImageUnchecked, reflectPadUnchecked } from '../../image/padding.js';
import { expectPlanarImage } from '../../image/planar-checks.js';
import { fitLongestSideUnchecked, resizeImageUnchecked } from '../../image/resize.js';
import { addTileRow, planTilesUnchecked, tileBlendWeightsUnchecked, type TileRect } from '../../image/tiling.js';
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
 * Smallest side a free-size network is run on; smaller images (1×1, 3×2000, `size: 3`) are reflect-padded up to it
 * and cropped back. Style networks pad inside too (candy's first 9×9 convolution reflect-pads 4 pixels, and after
 * two stride-2 layers its residual blocks pad 1 pixel of a quarter-size map), and onnxruntime refuses a reflect
 * pad as large as the side: the built-in networks need 8 pixels, 32 leaves room for deeper ones and is the
 * smallest `tile` (MIN_TILE), so that no run is smaller than a tile may be.
 */
export const MIN_RUN_SIDE = 32;

const roundUp = (value: number, multiple: number) => Math.ceil(value / multiple) * multiple;

/**
 * Runs the model on an image of any size it accepts after padding: reflect-pads to the size multiple, at least
 * {@link MIN_RUN_SIDE} (or up to the fixed size), runs, and crops back. Our reflect padding mirrors back and forth,
 * so it pads a side of any length, and replicates a 1-pixel side.
 */
async function runPadded(model: RunnableStyleModel, image: PlanarImage): Promise<PlanarImage> {
  const fixed = model.fixedSize;
  const multiple = model.conventions.sizeMultiple;
  const pads = fixed
    ? padsTo(image.width, image.height, fixed.width, fixed.height)
    : padsTo(image.width, image.height, roundUp(Math.max(image.width, MIN_RUN_SIDE), multiple), roundUp(Math.max(image.height, MIN_RUN_SIDE), multiple));
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
  checkPixelLimit(content.width, content.height, o.maxPixels, 'the content image');
  const target = o.size ? fitLongestSideUnchecked(content.width, content.height, o.size) : content;
  if (o.size) checkPixelLimit(target.width, target.height, o.maxPixels, `the image at size ${o.size}`, 'Pass a smaller size, or a larger maxPixels to allow it.');
  const image =
    target.width === content.width && target.height === content.height
      ? content
      : resizeImageUnchecked(content, target.width, target.height);
  const plan = planRun(image.width, image.height, model, o);

  let stylized: PlanarImage;
  if (plan.kind === 'tiles') {
    stylized = await runTiles(model, image, plan, o);
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

/**
 * Runs the tiles in order and blends them as {@link blendTiles} does (the same weights, summed per row in float64
 * in tile order, so the result is the same to the bit), writing each row once no later tile covers it. Only the
 * outputs of tiles that reach below the rows written are kept: about two rows of tiles, not one output per tile.
 */
async function runTiles(
  model: RunnableStyleModel,
  image: PlanarImage,
  plan: Extract<RunPlan, { kind: 'tiles' }>,
  o: ResolvedStylizeOptions,
): Promise<PlanarImage> {
  const { tiles, overlap } = plan;
  const { width, height } = image;
  const n = width * height;
  const weights = tileBlendWeightsUnchecked(tiles, width, height, overlap);
  const out = new Float32Array(3 * n);
  const acc = new Float64Array(3 * width);
  const outputs = new Map<number, Float32Array>();
  let written = 0;
  const writeRowsBefore = (end: number) => {
    for (let y = written; y < end; y++) {
      acc.fill(0);
      for (const [i, src] of outputs) {
        const t = tiles[i];
        if (y < t.y || y >= t.y + t.height) continue;
        addTileRow(acc, t, src, weights[i], y, width);
      }
      for (let c = 0; c < 3; c++) out.set(acc.subarray(c * width, (c + 1) * width), c * n + y * width);
    }
    written = Math.max(written, end);
    for (const i of [...outputs.keys()]) if (tiles[i].y + tiles[i].height <= written) outputs.delete(i);
  };
  for (const [i, tile] of tiles.entries()) {
    throwIfAborted(o.signal);
    // A Map iterates in insertion order: tile order, as blendTiles adds them up.
    outputs.set(i, (await runPadded(model, cropImageUnchecked(image, tile))).data);
    o.onProgress?.({ done: i + 1, total: tiles.length });
    // Tiles go row by row: no tile after this one starts above the next one's top.
    writeRowsBefore(i + 1 < tiles.length ? tiles[i + 1].y : height);
  }
  return { data: out, width, height };
}
