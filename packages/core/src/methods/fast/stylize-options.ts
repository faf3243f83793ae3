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

/** Progress of one stylization, reported per network run. */
export interface StylizeProgress {
  /** Network runs done so far. */
  done: number;
  /** Network runs this image needs (tiles, or 1). */
  total: number;
}

/** Options of the fast (feed-forward) method. */
export interface StylizeOptions {
  /**
   * Resize so that the longest side has this many pixels before stylizing: an integer from 1 to
   * {@link MAX_IMAGE_SIDE}. @default undefined (keep the size)
   */
  size?: number;
  /**
   * Largest tile side in pixels for models that accept any size; larger images are processed in
   * overlapping tiles to bound memory. An integer ≥ {@link MIN_TILE}; `false` never tiles. Fixed-size models
   * always tile at their size unless `fixedSize` is `'resize'`. @default DEFAULT_TILE_LIMIT
   */
  tile?: number | false;
  /**
   * Overlap between neighbouring tiles, in pixels, blended with feathered weights: an integer ≥ 0 (at most a
   * quarter of the tile side is used). @default DEFAULT_TILE_OVERLAP
   */
  tileOverlap?: number;
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
 * 1024: onnxruntime's working memory grows with the tile's area (candy: about 1.5 GB RSS at 1024², 4 GB at 1536²,
 * measured on the CPU), and smaller tiles run no slower per pixel (4.5 µs/px at 1024², 6 µs/px at 1536²).
 */
export const DEFAULT_TILE_LIMIT = 1024;
export const DEFAULT_TILE_OVERLAP = 32;
export const DEFAULT_STRENGTH = 1;
/** Smallest `tile`: smaller tiles would be mostly overlap. */
export const MIN_TILE = 32;

/** {@link StylizeOptions} checked, with the defaults applied: what {@link stylizeResolved} takes. */
export interface ResolvedStylizeOptions {
  size: number | undefined;
  tile: number | false;
  tileOverlap: number;
  fixedSize: FixedSizeMode;
  preserveColors: boolean;
  strength: number;
  maxPixels: number;
  signal: AbortSignal | undefined;
  onProgress: ((progress: StylizeProgress) => void) | undefined;
}

const FIXED_SIZE_MODES: readonly FixedSizeMode[] = ['tile', 'resize'];

function resolveTile(tile: unknown): number | false {
  if (tile === false) return false;
  const expected = `integer ≥ ${MIN_TILE} or false`;
  if (!isNumber(tile)) throw invalidType('tile', expected, tile);
  if (!Number.isInteger(tile) || tile < MIN_TILE) throw invalidValue('tile', expected, tile);
  return tile;
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
    tile: o.tile === undefined ? DEFAULT_TILE_LIMIT : resolveTile(o.tile),
    tileOverlap: o.tileOverlap === undefined ? DEFAULT_TILE_OVERLAP : expectInteger('tileOverlap', o.tileOverlap, { min: 0 }),
    fixedSize: o.fixedSize === undefined ? 'tile' : expectOneOf('fixedSize', o.fixedSize, FIXED_SIZE_MODES),
    preserveColors: o.preserveColors === undefined ? false : expectBoolean('preserveColors', o.preserveColors),
    strength: o.strength === undefined ? DEFAULT_STRENGTH : expectNumber('strength', o.strength, { min: 0, max: 1 }),
    maxPixels: o.maxPixels === undefined ? DEFAULT_MAX_PIXELS : resolveMaxPixels(o.maxPixels),
    signal: o.signal === undefined ? undefined : expectSignal('signal', o.signal),
    onProgress: o.onProgress === undefined ? undefined : expectFunction<(progress: StylizeProgress) => void>('onProgress', o.onProgress),
  };
}
