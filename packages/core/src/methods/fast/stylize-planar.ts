import type { Tensor } from 'onnxruntime-common';
import { PasticheError } from '../../errors.js';
import { blendWithContentUnchecked, preserveColorsUnchecked } from '../../image/color.js';
import { checkPixelLimit } from '../../image/image-header.js';
import type { PlanarImage } from '../../image/image-types.js';
import { cropImageUnchecked, reflectPadUnchecked } from '../../image/padding.js';
import { expectPlanarImage } from '../../image/planar-checks.js';
import { fitLongestSideUnchecked, resizeImageUnchecked } from '../../image/resize.js';
import { addTileRow, coreBlendWeightsUnchecked, planAlignedTilesUnchecked, planTilesUnchecked, tileBlendWeightsUnchecked, type TileRect } from '../../image/tiling.js';
import { StyleModel } from '../../models/style-model.js';
import type { CheckpointSpill } from '../../tiling/checkpoint-storage.js';
import type { ModelTiling } from '../../tiling/model-tiling.js';
import type { DerivableModel } from '../../tiling/shape-probe.js';
import type { TilingAnalysis } from '../../tiling/tiling-analysis.js';
import {
  DEFAULT_TILE_LIMIT,
  MIN_TILE,
  resolveStylizeOptions,
  type FixedSizeMode,
  type ResolvedStylizeOptions,
  type ResolvedTilingOptions,
  type StylizeOptions,
} from './stylize-options.js';

/** The parts of a {@link StyleModel} the pipeline needs. */
export type RunnableStyleModel = Pick<StyleModel, 'name' | 'run' | 'fixedSize' | 'conventions'> & {
  /**
   * The loaded model behind `run`, whose graph exact tiling derives its pass graphs from. A StyleModel is its own;
   * without one, tiles keep per-tile statistics.
   */
  readonly derivable?: DerivableModel;
};

/**
 * A network as {@link runSplit} runs it: whole, on tiles, or exactly over tiles through its graph. The fast method's
 * style networks, and the arbitrary method's transfer network with one style vector.
 */
export interface SplitRunner {
  readonly fixedSize: { width: number; height: number } | undefined;
  readonly conventions: { readonly sizeMultiple: number };
  /** The network on an image (or tile) of any size: padded as it needs, run, and cropped back. */
  runPadded(image: PlanarImage): Promise<PlanarImage>;
  /** The loaded model whose graph exact tiling derives its passes from; without one, tiles keep per-tile statistics. */
  readonly derivable: DerivableModel | undefined;
  /** The graph's inputs besides the image (a style vector), the same for every tile. @default {} */
  readonly runInputs?: Readonly<Record<string, Tensor>>;
  /**
   * Where `runPadded` adds the padding to the size multiple: split evenly around the image, or all at the bottom and
   * right. Exact tiling pads the whole image the same way, so that its tiles sample the image on the same grid as one
   * run would. @default 'centred'
   */
  readonly padding?: 'centred' | 'bottom-right';
}

/** What {@link runSplit} takes of the resolved options (`fixedSize` matters only for a network of one size). */
export type SplitOptions = ResolvedTilingOptions &
  Pick<ResolvedStylizeOptions, 'signal' | 'onProgress'> & {
    /** @default 'tile' */
    fixedSize?: FixedSizeMode;
    /** Storage beside memory for the activations exact tiling caches between passes (the platform's). */
    spill?: CheckpointSpill;
  };

/** Reflect padding added around an image, in pixels. */
export interface Pads {
  top: number;
  right: number;
  bottom: number;
  left: number;
}

/** How one image is cut into network runs. */
export type RunPlan =
  | { kind: 'whole' }
  | { kind: 'resize'; width: number; height: number }
  | { kind: 'tiles'; tiles: TileRect[]; overlap: number }
  /**
   * Exact tiling: the image reflect-padded by `pads` to `width`×`height` (multiples of the network's alignment), cut
   * into aligned tiles whose disjoint `cores` cover it.
   */
  | { kind: 'exact'; tiles: TileRect[]; cores: TileRect[]; overlap: number; pads: Pads; width: number; height: number };

/**
 * Working memory assumed per pixel of a run when the network's own is unknown (a model without a graph to probe): a
 * little above candy's 1.4 kB measured on the CPU.
 */
export const DEFAULT_WORKING_BYTES_PER_PIXEL = 1536;

/** What planning takes from a network's tiling analysis. */
export type PlanAnalysis = Pick<TilingAnalysis, 'workingBytesPerPixel' | 'exact'>;

const roundUp = (value: number, multiple: number) => Math.ceil(value / multiple) * multiple;

/**
 * Largest tile side (a multiple of `multiple`) whose run fits in `budget` bytes at `perPixel` bytes per pixel, between
 * {@link MIN_TILE} and {@link DEFAULT_TILE_LIMIT}.
 */
export function tileSideForBudget(budget: number, perPixel: number, multiple: number): number {
  const side = Math.floor(Math.sqrt(budget / perPixel) / multiple) * multiple;
  return Math.max(roundUp(MIN_TILE, multiple), Math.min(Math.floor(DEFAULT_TILE_LIMIT / multiple) * multiple, side));
}

/**
 * Decides between one run, a resize to a fixed model size, and overlapping tiles, exact or fast. `analysis` (from
 * the model's tiling analysis) gives the working memory per pixel that sizes tiles when `tile` is not set, and whether
 * the network tiles exactly; without it, {@link DEFAULT_WORKING_BYTES_PER_PIXEL} and per-tile statistics.
 */
export function planRun(
  width: number,
  height: number,
  model: Pick<SplitRunner, 'fixedSize' | 'conventions' | 'padding'>,
  options: Pick<SplitOptions, 'tile' | 'tileOverlap' | 'fixedSize' | 'tileMode' | 'memoryBudget'>,
  analysis?: PlanAnalysis,
): RunPlan {
  const fixed = model.fixedSize;
  const exact = options.tileMode === 'exact' ? analysis?.exact : undefined;
  const multiple = exact?.alignment ?? model.conventions.sizeMultiple;
  let tileWidth: number;
  let tileHeight: number;
  if (fixed) {
    if (options.fixedSize === 'resize') return { kind: 'resize', ...fixed };
    if (width === fixed.width && height === fixed.height) return { kind: 'whole' };
    tileWidth = fixed.width;
    tileHeight = fixed.height;
  } else {
    if (options.tile === false) return { kind: 'whole' };
    let side = options.tile;
    if (side === undefined) {
      const perPixel = Number.isFinite(analysis?.workingBytesPerPixel) ? analysis!.workingBytesPerPixel : DEFAULT_WORKING_BYTES_PER_PIXEL;
      if (perPixel * roundUp(Math.max(width, MIN_RUN_SIDE), multiple) * roundUp(Math.max(height, MIN_RUN_SIDE), multiple) <= options.memoryBudget) {
        return { kind: 'whole' };
      }
      // Exact tiling leaves half the budget to the activations it caches between passes.
      side = tileSideForBudget(exact ? options.memoryBudget / 2 : options.memoryBudget, perPixel, multiple);
    }
    if (Math.max(width, height) <= side) return { kind: 'whole' };
    tileWidth = tileHeight = Math.max(multiple, Math.floor(side / multiple) * multiple);
  }
  // Overlap must leave each tile a core of its own, or tiles would multiply without bound.
  const overlap = Math.min(options.tileOverlap, Math.floor(Math.min(tileWidth, tileHeight) / 4));
  if (!exact) return { kind: 'tiles', tiles: planTilesUnchecked(width, height, { tileWidth, tileHeight, overlap }), overlap };
  // The whole image padded as a whole-image run would pad it, and to a fixed size where it is smaller.
  const paddedWidth = Math.max(roundUp(Math.max(width, MIN_RUN_SIDE), multiple), fixed?.width ?? 0);
  const paddedHeight = Math.max(roundUp(Math.max(height, MIN_RUN_SIDE), multiple), fixed?.height ?? 0);
  const pads =
    model.padding === 'bottom-right'
      ? { top: 0, left: 0, right: paddedWidth - width, bottom: paddedHeight - height }
      : padsTo(width, height, paddedWidth, paddedHeight);
  const { tiles, cores } = planAlignedTilesUnchecked(paddedWidth, paddedHeight, { tileWidth, tileHeight, overlap, alignment: multiple });
  // One tile is the whole image: its own statistics are the whole image's.
  if (tiles.length === 1) return { kind: 'tiles', tiles: planTilesUnchecked(width, height, { tileWidth, tileHeight, overlap }), overlap };
  return { kind: 'exact', tiles, cores, overlap, pads, width: paddedWidth, height: paddedHeight };
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

function padsTo(width: number, height: number, targetWidth: number, targetHeight: number): Pads {
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

/** What {@link stylizeResolved} may do with the buffers it is given. */
export interface StylizeBuffers {
  /**
   * The content's pixel buffer is the caller's scratch copy, which tiled runs may overwrite with the result as rows
   * finish (one image buffer instead of two; a 8192×8192 image is 805 MB as planar float). @default false
   */
  reuseContent?: boolean;
  /** Storage beside memory where exact tiling may keep the activations it caches between passes (files on Node). */
  spill?: CheckpointSpill;
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
  buffers: StylizeBuffers = {},
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
  const runner: SplitRunner = {
    fixedSize: model.fixedSize,
    conventions: model.conventions,
    derivable: model.derivable ?? (model instanceof StyleModel ? model : undefined),
    runPadded: (input) => runPadded(model, input),
  };
  // The result may go into the image's own buffer when nothing reads the image afterwards.
  const reuse = (image !== content || buffers.reuseContent === true) && !o.preserveColors && o.strength >= 1;
  let stylized = await runSplit(runner, image, { ...o, spill: buffers.spill }, reuse);
  if (o.preserveColors) stylized = preserveColorsUnchecked(stylized, image);
  if (o.strength < 1) stylized = blendWithContentUnchecked(stylized, image, o.strength);
  return stylized;
}

/**
 * Runs a network on an image as {@link planRun} plans it: whole, resized to the network's fixed size and back, in
 * feathered tiles, or in exact tiles (statistics passes, then the tiles rendered with whole-image statistics).
 * Reports each network run to `onProgress` and stops between runs when `signal` aborts (E_ABORTED). `reuse`: the
 * image's buffer may take the result.
 */
export async function runSplit(runner: SplitRunner, image: PlanarImage, o: SplitOptions, reuse = false): Promise<PlanarImage> {
  const { derivable } = runner;
  const plan = planRun(image.width, image.height, runner, o, derivable && (await analysisFor(derivable, runner, image, o)));
  let stylized: PlanarImage;
  if (plan.kind === 'tiles') {
    const into = reuse ? image.data : undefined;
    stylized = await runTiles(image, plan.tiles, plan.overlap, o, 1, 1, (tile) => runner.runPadded(cropImageUnchecked(image, tile)), 0, into);
  } else if (plan.kind === 'exact') {
    stylized = await runExact(derivable!, image, plan, o, reuse, runner.runInputs);
  } else {
    const input = plan.kind === 'resize' ? resizeImageUnchecked(image, plan.width, plan.height) : image;
    const output = await runner.runPadded(input);
    stylized = plan.kind === 'resize' ? resizeImageUnchecked(output, image.width, image.height) : output;
    o.onProgress?.({ done: 1, total: 1, pass: 1, passes: 1 });
  }
  throwIfAborted(o.signal);
  return stylized;
}

/**
 * Working memory per pixel above which no network is assumed to go: an image whose run fits the budget even at this
 * rate runs whole without probing the network.
 */
const MAX_WORKING_BYTES_PER_PIXEL = 4096;

/**
 * The model's tiling, imported when an image is split or its working memory must be probed: apps whose images all
 * run whole never load the graph analysis (it stays out of the code a page loads up front).
 */
async function tilingOf(derivable: DerivableModel): Promise<ModelTiling> {
  const { modelTiling } = await import('../../tiling/model-tiling.js');
  return modelTiling(derivable);
}

/** The model's tiling analysis when planning needs it: to size tiles from the budget, or to tile exactly. */
async function analysisFor(
  derivable: DerivableModel,
  model: Pick<SplitRunner, 'fixedSize'>,
  image: PlanarImage,
  o: SplitOptions,
): Promise<PlanAnalysis | undefined> {
  const fixed = model.fixedSize;
  if (fixed) {
    const split = o.fixedSize !== 'resize' && (image.width !== fixed.width || image.height !== fixed.height);
    return split && o.tileMode === 'exact' ? (await tilingOf(derivable)).analysis() : undefined;
  }
  if (o.tile === false) return undefined;
  if (o.tile !== undefined) return Math.max(image.width, image.height) > o.tile && o.tileMode === 'exact' ? (await tilingOf(derivable)).analysis() : undefined;
  const area = Math.max(image.width, MIN_RUN_SIDE) * Math.max(image.height, MIN_RUN_SIDE);
  return area * MAX_WORKING_BYTES_PER_PIXEL <= o.memoryBudget ? undefined : (await tilingOf(derivable)).analysis();
}

/**
 * Exact tiling: the statistics passes over the padded image's tiles, then the tiles rendered with whole-image
 * statistics and blended as they finish, then the padding cropped off.
 */
async function runExact(
  derivable: DerivableModel,
  image: PlanarImage,
  plan: Extract<RunPlan, { kind: 'exact' }>,
  o: SplitOptions,
  reuse: boolean,
  runInputs: Readonly<Record<string, Tensor>> | undefined,
): Promise<PlanarImage> {
  const [tiling, { ExactTileRun }] = await Promise.all([tilingOf(derivable), import('../../tiling/exact-tile-run.js')]);
  const exact = (await tiling.analysis()).exact!;
  const { pads } = plan;
  const padded = pads.top || pads.right || pads.bottom || pads.left ? reflectPadUnchecked(image, pads) : image;
  return tiling.exclusive(async () => {
    const run = new ExactTileRun({ tiling, exact, image: padded, tiles: plan.tiles, cores: plan.cores, runInputs, budget: o.memoryBudget, spill: o.spill, signal: o.signal });
    const tiles = plan.tiles.length;
    const passes = run.passCount;
    try {
      let done = 0;
      let pass = 0;
      let lastPass = -1;
      await run.gatherStatistics((p) => {
        if (p !== lastPass) {
          lastPass = p;
          pass++;
        }
        o.onProgress?.({ done: ++done, total: tiles * passes, pass, passes });
      });
      // A padded copy is ours to overwrite; the image itself when the caller lets it be.
      const into = padded !== image || reuse ? padded.data : undefined;
      // Tiles exact in their cores are cut there; otherwise feathering hides what differs near their edges.
      const weights = run.plan.exact ? coreBlendWeightsUnchecked(plan.tiles, plan.cores) : undefined;
      const output = await runTiles(padded, plan.tiles, plan.overlap, o, passes, passes, (_, i) => run.renderTile(i), done, into, weights);
      return padded === image ? output : cropImageUnchecked(output, { x: pads.left, y: pads.top, width: image.width, height: image.height });
    } finally {
      await run.finish();
    }
  });
}

/**
 * Runs the tiles in order and blends them as {@link blendTiles} does (the same weights, summed per row in float64
 * in tile order, so the result is the same to the bit), writing each row once no later tile covers it. Only the
 * outputs of tiles that reach below the rows written are kept: about two rows of tiles, not one output per tile.
 * Progress counts on from `doneBefore` runs, in pass `pass` of `passes`. Rows are written into `into` when given (the
 * image's own buffer: no later tile reads a row once it is written). `blendWeights` replaces the feathered weights.
 */
async function runTiles(
  image: PlanarImage,
  tiles: readonly TileRect[],
  overlap: number,
  o: Pick<SplitOptions, 'signal' | 'onProgress'>,
  pass: number,
  passes: number,
  runTile: (tile: TileRect, index: number) => Promise<PlanarImage>,
  doneBefore = 0,
  into?: Float32Array,
  blendWeights?: Float32Array[],
): Promise<PlanarImage> {
  const { width, height } = image;
  const n = width * height;
  const weights = blendWeights ?? tileBlendWeightsUnchecked(tiles, width, height, overlap);
  const out = into ?? new Float32Array(3 * n);
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
  const total = doneBefore + tiles.length;
  for (const [i, tile] of tiles.entries()) {
    throwIfAborted(o.signal);
    // A Map iterates in insertion order: tile order, as blendTiles adds them up.
    outputs.set(i, (await runTile(tile, i)).data);
    o.onProgress?.({ done: doneBefore + i + 1, total, pass, passes });
    // Tiles go row by row: no tile after this one starts above the next one's top.
    writeRowsBefore(i + 1 < tiles.length ? tiles[i + 1].y : height);
  }
  return { data: out, width, height };
}
