import { expectArray, expectBoolean, expectFunction, expectNumber, expectOptions, expectPositiveInteger, expectSignal, invalidValue } from '../../arguments.js';
import { DEFAULT_MAX_PIXELS, resolveMaxPixels } from '../../image/image-header.js';
import { MAX_IMAGE_SIDE } from '../../image/resize.js';
import { resolveTilingOptions, type ResolvedTilingOptions, type StylizeProgress, type TilingOptions } from '../fast/stylize-options.js';

/**
 * Options of the arbitrary-style method: a style predictor (image → style vector), then a transfer network. A content
 * image whose transfer run does not fit `memoryBudget` is split into tiles as the fast method splits it
 * ({@link TilingOptions}: exact by default).
 */
export interface ArbitraryStylizeOptions extends TilingOptions {
  /**
   * From 0 to 1: how far the style vector goes from the content's own vector towards the style's
   * (`v = strength · style + (1 − strength) · content`, as Magenta does), not a blend of pixels. Below 1 the
   * predictor runs on the content too. @default DEFAULT_ARBITRARY_STRENGTH (1)
   */
  strength?: number;
  /**
   * Relative weights of the styles, one per style, each ≥ 0 and not all 0; their vectors are blended with the
   * weights scaled to sum to 1. @default undefined (equal weights)
   */
  styleWeights?: readonly number[];
  /** Keep the content's colours and take only the stylized luminance. @default false */
  preserveColors?: boolean;
  /**
   * Resize the content so that its longest side has this many pixels before the transfer network: an integer from 1
   * to MAX_IMAGE_SIDE. @default undefined (keep the size)
   */
  size?: number;
  /** Most pixels the content (and the working size after `size`) may have; over it, E_IMAGE_TOO_LARGE. @default DEFAULT_MAX_PIXELS */
  maxPixels?: number;
  /** Aborts between network runs (E_ABORTED). */
  signal?: AbortSignal;
  /** Progress of the transfer network's runs: one, or tiles × passes when the content is split. */
  onProgress?: (progress: StylizeProgress) => void;
}

/** {@link ArbitraryStylizeOptions} checked, with their defaults. */
export interface ResolvedArbitraryOptions extends ResolvedTilingOptions {
  strength: number;
  styleWeights: number[] | undefined;
  preserveColors: boolean;
  size: number | undefined;
  maxPixels: number;
  signal: AbortSignal | undefined;
  onProgress: ((progress: StylizeProgress) => void) | undefined;
}

export const DEFAULT_ARBITRARY_STRENGTH = 1;

/** Relative style weights: an array of numbers ≥ 0 with a positive sum. */
export function expectStyleWeights(name: string, value: unknown): number[] {
  const list = expectArray(name, value, 'an array of numbers ≥ 0');
  const weights = list.map((w, i) => expectNumber(`${name}[${i}]`, w, { min: 0 }));
  if (weights.length === 0 || !weights.some((w) => w > 0)) throw invalidValue(name, 'a non-empty array of numbers ≥ 0, not all 0', value);
  return weights;
}

/** Checks the options once (TypeError for types, RangeError for values) and applies the defaults. */
export function resolveArbitraryOptions(options: unknown): ResolvedArbitraryOptions {
  const o = expectOptions<ArbitraryStylizeOptions>('options', options);
  return {
    strength: o.strength === undefined ? DEFAULT_ARBITRARY_STRENGTH : expectNumber('strength', o.strength, { min: 0, max: 1 }),
    styleWeights: o.styleWeights === undefined ? undefined : expectStyleWeights('styleWeights', o.styleWeights),
    preserveColors: o.preserveColors === undefined ? false : expectBoolean('preserveColors', o.preserveColors),
    size: o.size === undefined ? undefined : expectPositiveInteger('size', o.size, MAX_IMAGE_SIDE),
    maxPixels: o.maxPixels === undefined ? DEFAULT_MAX_PIXELS : resolveMaxPixels(o.maxPixels),
    signal: o.signal === undefined ? undefined : expectSignal('signal', o.signal),
    onProgress: o.onProgress === undefined ? undefined : expectFunction<(progress: StylizeProgress) => void>('onProgress', o.onProgress),
    ...resolveTilingOptions(o),
  };
}
