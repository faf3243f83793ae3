import {
  expectBoolean,
  expectFunction,
  expectInteger,
  expectNumber,
  expectOneOf,
  expectOptions,
  expectPositiveInteger,
  expectSignal,
  invalidType,
  invalidValue,
  isNumber,
} from '../../arguments.js';
import { DEFAULT_MAX_PIXELS, resolveMaxPixels } from '../../image/image-header.js';
import { MAX_IMAGE_SIDE } from '../../image/resize.js';

export { MAX_IMAGE_SIDE };

/** How a model with a fixed input size (e.g. `[1,3,256,256]`) handles other image sizes. */
export type FixedSizeMode = 'tile' | 'resize';

/**
 * How an image split into tiles is normalised. `'exact'`: every instance-normalisation layer uses its statistics over
 * the whole image, gathered tile by tile in one pass per layer, so the result matches a run on the whole image;
 * `'fast'`: each tile uses its own statistics (one pass; tiles may differ in tone, feathering hides the seams).
 * Networks without such statistics tile the same either way.
 */
export type TileMode = 'exact' | 'fast';

/** Progress of one stylization, reported per network run. */
export interface StylizeProgress {
  /** Network runs done so far, over all passes. */
  done: number;
  /** Network runs this image needs: tiles × passes, or 1. */
  total: number;
  /** The pass over the tiles now running, from 1 (exact tiling makes one pass per statistics layer, then renders). */
  pass: number;
  /** Passes over the tiles this image needs (1 unless exact tiling). */
  passes: number;
}

/**
 * How an image too large for one network run is split into tiles: the fast method's, and the arbitrary method's
 * transfer network.
 */
export interface TilingOptions {
  /**
   * Largest tile side in pixels for models that accept any size; larger images are processed in
   * overlapping tiles to bound memory. An integer ≥ {@link MIN_TILE}; `false` never tiles. Fixed-size models
   * always tile at their size unless `fixedSize` is `'resize'`.
   * @default undefined (chosen from `memoryBudget`: the whole image when its run fits, else the largest tile that does)
   */
  tile?: number | false;
  /**
   * Overlap between neighbouring tiles, in pixels, blended with feathered weights: an integer ≥ 0 (at most a
   * quarter of the tile side is used). More overlap gives each tile more context: in `'exact'` mode 32 pixels
   * come within about 33–38 dB PSNR of a whole-image run, 64 within about 40–44 dB. @default DEFAULT_TILE_OVERLAP
   */
  tileOverlap?: number;
  /** Whole-image (`'exact'`) or per-tile (`'fast'`) normalisation statistics when the image is split. @default 'exact' */
  tileMode?: TileMode;
  /**
   * Bytes the network runs may use beyond the image buffers: onnxruntime's working memory for a tile (which sets the
   * default tile size) and, in `'exact'` mode, activations cached between passes (more memory, less recomputation).
   * A positive integer. @default DEFAULT_MEMORY_BUDGET (512 MiB)
   */
  memoryBudget?: number;
}

/** Options of the fast (feed-forward) method. */
export interface StylizeOptions extends TilingOptions {
  /**
   * Resize so that the longest side has this many pixels before stylizing: an integer from 1 to
   * {@link MAX_IMAGE_SIDE}. @default undefined (keep the size)
   */
  size?: number;
  /** Tile (default) or resize to the model's fixed size and back. @default 'tile' */
  fixedSize?: FixedSizeMode;
  /** Keep the content's colours and transfer only luminance. @default false */
  preserveColors?: boolean;
  /** From 0 to 1: 0 returns the content, 1 the full style. @default DEFAULT_STRENGTH */
  strength?: number;
  /**
   * Most pixels (width × height) an input may have, checked from its header before it is decoded, and the
   * working size after `size` may have: a positive integer, or `Infinity` for no limit. Over it, E_IMAGE_TOO_LARGE.
   * @default DEFAULT_MAX_PIXELS (40 megapixels, which fits a 4 GB machine)
   */
  maxPixels?: number;
  /** Stops between network runs with an `E_ABORTED` error. */
  signal?: AbortSignal;
  onProgress?: (progress: StylizeProgress) => void;
}

/**
 * Largest tile side chosen from the memory budget: onnxruntime's working memory grows with the tile's area (candy:
 * about 1.5 GB RSS at 1024², 4 GB at 1536², measured on the CPU), and larger tiles run no faster per pixel (4.5 µs/px
 * at 1024², 6 µs/px at 1536²). A `tile` option may go above it.
 */
export const DEFAULT_TILE_LIMIT = 1024;
export const DEFAULT_TILE_OVERLAP = 32;
export const DEFAULT_TILE_MODE: TileMode = 'exact';
/**
 * 512 MiB: with the image buffers (12 bytes per pixel in and out, plus the decoded bytes) a 6000×4000 photo stays
 * under 1.5 GB.
 */
export const DEFAULT_MEMORY_BUDGET = 512 * 2 ** 20;
export const DEFAULT_STRENGTH = 1;
/** Smallest `tile`: smaller tiles would be mostly overlap. */
export const MIN_TILE = 32;

/** {@link TilingOptions} checked, with the defaults applied. */
export interface ResolvedTilingOptions {
  /** undefined: chosen from `memoryBudget`. */
  tile: number | false | undefined;
  tileOverlap: number;
  tileMode: TileMode;
  memoryBudget: number;
}

/** {@link StylizeOptions} checked, with the defaults applied: what {@link stylizeResolved} takes. */
export interface ResolvedStylizeOptions extends ResolvedTilingOptions {
  size: number | undefined;
  fixedSize: FixedSizeMode;
  preserveColors: boolean;
  strength: number;
  maxPixels: number;
  signal: AbortSignal | undefined;
  onProgress: ((progress: StylizeProgress) => void) | undefined;
}

const FIXED_SIZE_MODES: readonly FixedSizeMode[] = ['tile', 'resize'];
const TILE_MODES: readonly TileMode[] = ['exact', 'fast'];

function resolveTile(tile: unknown): number | false {
  if (tile === false) return false;
  const expected = `integer ≥ ${MIN_TILE} or false`;
  if (!isNumber(tile)) throw invalidType('tile', expected, tile);
  if (!Number.isInteger(tile) || tile < MIN_TILE) throw invalidValue('tile', expected, tile);
  return tile;
}

/** Checks the tiling options (TypeError for types, RangeError for values) and applies their defaults. */
export function resolveTilingOptions(o: TilingOptions): ResolvedTilingOptions {
  return {
    tile: o.tile === undefined ? undefined : resolveTile(o.tile),
    tileOverlap: o.tileOverlap === undefined ? DEFAULT_TILE_OVERLAP : expectInteger('tileOverlap', o.tileOverlap, { min: 0 }),
    tileMode: o.tileMode === undefined ? DEFAULT_TILE_MODE : expectOneOf('tileMode', o.tileMode, TILE_MODES),
    memoryBudget: o.memoryBudget === undefined ? DEFAULT_MEMORY_BUDGET : expectPositiveInteger('memoryBudget', o.memoryBudget),
  };
}

/**
 * Checks the options and applies the defaults, in one place: the public entry points call it once and hand the
 * result down. Wrong types throw TypeError, wrong values RangeError. Resolving resolved options returns them
 * unchanged. Keys it does not know are left alone (adapters pass their own options through).
 */
export function resolveStylizeOptions(options: StylizeOptions = {}): ResolvedStylizeOptions {
  const o = expectOptions<StylizeOptions>('options', options);
  return {
    size: o.size === undefined ? undefined : expectPositiveInteger('size', o.size, MAX_IMAGE_SIDE),
    ...resolveTilingOptions(o),
    fixedSize: o.fixedSize === undefined ? 'tile' : expectOneOf('fixedSize', o.fixedSize, FIXED_SIZE_MODES),
    preserveColors: o.preserveColors === undefined ? false : expectBoolean('preserveColors', o.preserveColors),
    strength: o.strength === undefined ? DEFAULT_STRENGTH : expectNumber('strength', o.strength, { min: 0, max: 1 }),
    maxPixels: o.maxPixels === undefined ? DEFAULT_MAX_PIXELS : resolveMaxPixels(o.maxPixels),
    signal: o.signal === undefined ? undefined : expectSignal('signal', o.signal),
    onProgress: o.onProgress === undefined ? undefined : expectFunction<(progress: StylizeProgress) => void>('onProgress', o.onProgress),
  };
}
