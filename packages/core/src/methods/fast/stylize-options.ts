import { describeValue } from '../../errors.js';

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
  /** Resize so that the longest side has this many pixels before stylizing. @default undefined (keep the size) */
  size?: number;
  /**
   * Largest tile side in pixels for models that accept any size; larger images are processed in
   * overlapping tiles to bound memory. `false` never tiles. Fixed-size models always tile at their size
   * unless `fixedSize` is `'resize'`. @default DEFAULT_TILE_LIMIT
   */
  tile?: number | false;
  /** Overlap between neighbouring tiles, in pixels, blended with feathered weights. @default DEFAULT_TILE_OVERLAP */
  tileOverlap?: number;
  /** Tile (default) or resize to the model's fixed size and back. @default 'tile' */
  fixedSize?: FixedSizeMode;
  /** Keep the content's colours and transfer only luminance. @default false */
  preserveColors?: boolean;
  /** 0 returns the content, 1 the full style. @default 1 */
  strength?: number;
  /** Stops between network runs with an `E_ABORTED` error. */
  signal?: AbortSignal;
  onProgress?: (progress: StylizeProgress) => void;
}

export const DEFAULT_TILE_LIMIT = 1536;
export const DEFAULT_TILE_OVERLAP = 32;

export interface ResolvedStylizeOptions {
  size: number | undefined;
  tile: number | false;
  tileOverlap: number;
  fixedSize: FixedSizeMode;
  preserveColors: boolean;
  strength: number;
  signal: AbortSignal | undefined;
  onProgress: ((progress: StylizeProgress) => void) | undefined;
}

function positiveInteger(name: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new TypeError(`Expected positive integer for ${name} but received ${describeValue(value)}`);
  }
  return value;
}

/** Validates the options and applies the defaults, in one place. */
export function resolveStylizeOptions(options: StylizeOptions = {}): ResolvedStylizeOptions {
  const { size, tile, tileOverlap, fixedSize, preserveColors, strength } = options;
  if (size !== undefined) positiveInteger('size', size);
  if (tile !== undefined && tile !== false) {
    positiveInteger('tile', tile);
    if (tile < 32) throw new RangeError(`Expected tile of at least 32 pixels but received ${tile}`);
  }
  if (tileOverlap !== undefined && (typeof tileOverlap !== 'number' || !Number.isInteger(tileOverlap) || tileOverlap < 0)) {
    const ErrorType = typeof tileOverlap === 'number' ? RangeError : TypeError;
    throw new ErrorType(`Expected non-negative integer for tileOverlap but received ${describeValue(tileOverlap)}`);
  }
  if (fixedSize !== undefined && fixedSize !== 'tile' && fixedSize !== 'resize') {
    const ErrorType = typeof fixedSize === 'string' ? RangeError : TypeError;
    throw new ErrorType(`Expected 'tile' or 'resize' for fixedSize but received ${describeValue(fixedSize)}`);
  }
  if (preserveColors !== undefined && typeof preserveColors !== 'boolean') {
    throw new TypeError(`Expected boolean for preserveColors but received ${describeValue(preserveColors)}`);
  }
  if (strength !== undefined) {
    if (typeof strength !== 'number' || Number.isNaN(strength)) {
      throw new TypeError(`Expected number between 0 and 1 for strength but received ${describeValue(strength)}`);
    }
    if (strength < 0 || strength > 1) throw new RangeError(`Expected number between 0 and 1 for strength but received ${strength}`);
  }
  return {
    size,
    tile: tile ?? DEFAULT_TILE_LIMIT,
    tileOverlap: tileOverlap ?? DEFAULT_TILE_OVERLAP,
    fixedSize: fixedSize ?? 'tile',
    preserveColors: preserveColors ?? false,
    strength: strength ?? 1,
    signal: options.signal,
    onProgress: options.onProgress,
  };
}
