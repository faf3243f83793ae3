import {
  expectArray,
  expectBoolean,
  expectFunction,
  expectInteger,
  expectNumber,
  expectNumberIn,
  expectOneOf,
  expectOptions,
  expectPositiveInteger,
  expectPositiveNumber,
  expectSignal,
  expectString,
  invalidValue,
} from '../../arguments.js';
import { DEFAULT_MAX_PIXELS, resolveMaxPixels } from '../../image/image-header.js';
import type { PlanarImage } from '../../image/image-types.js';
import { MAX_IMAGE_SIDE } from '../../image/resize.js';
import type { OptimizerKind } from '../../optimizers/optimizer.js';

/** How the optimisation starts. `blend` mixes the content with seeded noise (`initNoise` of noise). */
export type GatysInit = 'content' | 'noise' | 'blend';

/** One report per optimiser iteration. */
export interface GatysProgress {
  /** 1-based scale index and count (coarse to fine). */
  scale: number;
  scales: number;
  /** Size being optimised at this scale. */
  width: number;
  height: number;
  /** Iteration within this scale, and the iterations planned per scale. */
  iteration: number;
  iterations: number;
  /** Total loss and each term (`content_loss.<layer>`, `style_loss.<layer>`, `tv_loss`). */
  loss: number;
  terms: Record<string, number>;
  /** Since the start of the whole run. */
  elapsedMs: number;
  /** The current image, every `previewEvery` iterations. */
  preview?: PlanarImage;
}

/** Options of the optimisation method (Gatys et al.). */
export interface GatysOptions {
  /** Longest side of the result: an integer from {@link MIN_GATYS_SIZE} to {@link MAX_IMAGE_SIDE}. @default DEFAULT_GATYS_SIZE */
  size?: number;
  /** Optimiser iterations per scale: an integer ≥ 1. @default DEFAULT_GATYS_ITERATIONS */
  iterations?: number;
  /**
   * Number of scales, coarse to fine, each twice the previous size; 1 optimises at `size` only. An integer from
   * 1 to {@link MAX_GATYS_SCALES}. @default DEFAULT_GATYS_SCALES (fewer when the coarsest would be under 64 px)
   */
  scales?: number;
  /** @default 'lbfgs' */
  optimizer?: OptimizerKind;
  /** Adam's step in 0..255 pixel units: a number > 0. @default DEFAULT_GATYS_LEARNING_RATE */
  learningRate?: number;
  /** @default 'content' */
  init?: GatysInit;
  /** Share of noise in a `blend` start, 0..1. @default DEFAULT_INIT_NOISE */
  initNoise?: number;
  /** Seed of the noise, so that runs are reproducible: an integer from 0 to {@link MAX_SEED}. @default 0 */
  seed?: number;
  /** Weight of the content terms, relative to normalised targets: a number ≥ 0. @default DEFAULT_CONTENT_WEIGHT */
  contentWeight?: number;
  /** Weight of the style terms, relative to normalised targets: a number ≥ 0. @default DEFAULT_STYLE_WEIGHT */
  styleWeight?: number;
  /** Weight of total variation (smoothness): a number ≥ 0. @default DEFAULT_TV_WEIGHT */
  tvWeight?: number;
  /**
   * Style images are resized to this times the content's longest side: a number in (0, {@link MAX_STYLE_SCALE}].
   * @default DEFAULT_STYLE_SCALE
   */
  styleScale?: number;
  /** Content layers (distinct names); default from the loss network's metadata. */
  contentLayers?: string[];
  /** Style layers (distinct names); default from the loss network's metadata. Not both empty. */
  styleLayers?: string[];
  /** Keep the content's colours (luminance transfer on the result). @default false */
  preserveColors?: boolean;
  /** Include a preview image in progress every N iterations (an integer ≥ 0); 0 never. @default 0 */
  previewEvery?: number;
  /**
   * Most pixels (width × height) the content and each style image may have, checked from their headers before
   * they are decoded, and the working sizes (`size`, `styleScale`) may have: a positive integer, or `Infinity` for
   * no limit. Over it, E_IMAGE_TOO_LARGE. @default DEFAULT_MAX_PIXELS (40 megapixels)
   */
  maxPixels?: number;
  signal?: AbortSignal;
  onProgress?: (progress: GatysProgress) => void;
}

export const DEFAULT_GATYS_SIZE = 512;
/**
 * 60 per scale and a style weight of 100 (were 100 and 10): twice the style by another network's measure, in about 60%
 * of the time at 512 px (scripts/bench/optimize/STYLE.md); the default run (3 scales then) reached PyTorch's
 * 100-iteration 512-px L-BFGS loss in about 0.35 of its time (RESULTS.md; 0.26–0.29 with 4 scales). With 50 per scale
 * it never reached it: the coarser scales' start matters.
 */
export const DEFAULT_GATYS_ITERATIONS = 60;
/**
 * 4 (was 3): at 512 px the run starts at 64 px, where an iteration costs about a third of one at 128 px, and the
 * finer scales start closer to their result: the 512-px race reaches PyTorch's loss at finest-scale iteration 24
 * instead of 37 (RESULTS.md). Fewer where the coarsest would be under 64 px (sizes under 512).
 */
export const DEFAULT_GATYS_SCALES = 4;
export const DEFAULT_GATYS_LEARNING_RATE = 5;
export const DEFAULT_INIT_NOISE = 0.5;
export const DEFAULT_CONTENT_WEIGHT = 1;
export const DEFAULT_STYLE_WEIGHT = 100;
export const DEFAULT_TV_WEIGHT = 1e-2;
export const DEFAULT_STYLE_SCALE = 1;
/** Smallest `size`: the coarsest scale is never below it either. */
export const MIN_GATYS_SIZE = 16;
/**
 * Smallest side the loss networks are run on: an image thinner than this at some scale (3×200, or a wide image's
 * coarsest scale), and a style image as thin, is optimised stretched to it and resized back. SqueezeNet's
 * default layers need 9 pixels (a stride-2 convolution and three stride-2 poolings before fire9), VGG19's 4.
 */
export const MIN_LOSS_SIDE = MIN_GATYS_SIZE;
/** Most scales (11): from {@link MIN_GATYS_SIZE} to {@link MAX_IMAGE_SIDE} by doubling; more would repeat the coarsest. */
export const MAX_GATYS_SCALES = Math.log2(MAX_IMAGE_SIDE / MIN_GATYS_SIZE) + 1;
/** Largest `styleScale`: style images 8× the content's side; more would only cost memory (and crash in the runtime). */
export const MAX_STYLE_SCALE = 8;
/** Largest `seed`, 2³² − 1 (the noise generator's seed is 32 bits). */
export const MAX_SEED = 0xffffffff;
const MIN_SCALE_SIZE = 64;

/** {@link GatysOptions} checked, with the defaults applied: what {@link optimizeStyleResolved} takes. */
export type ResolvedGatysOptions = Required<Omit<GatysOptions, 'signal' | 'onProgress' | 'contentLayers' | 'styleLayers'>> &
  Pick<GatysOptions, 'signal' | 'onProgress' | 'contentLayers' | 'styleLayers'>;

const OPTIMIZERS: readonly OptimizerKind[] = ['lbfgs', 'adam'];
const INITS: readonly GatysInit[] = ['content', 'noise', 'blend'];

/**
 * Distinct non-empty layer names (an empty list leaves that kind of term out); undefined stays undefined (the
 * loss network's defaults).
 */
export function checkLayerNames(name: string, value: unknown): string[] | undefined {
  if (value === undefined) return undefined;
  const list = expectArray(name, value, 'an array of layer names');
  const seen = new Set<string>();
  list.forEach((layer, i) => {
    const item = expectString(`${name}[${i}]`, layer, 'a layer name');
    if (seen.has(item)) throw invalidValue(`${name}[${i}]`, 'a layer not listed before', item);
    seen.add(item);
  });
  return list as string[];
}

/**
 * Checks the options and applies the defaults, in one place: the public entry points call it once and hand the
 * result down. Wrong types throw TypeError, wrong values RangeError. Resolving resolved options returns them
 * unchanged. Keys it does not know are left alone (adapters pass their own options through).
 */
export function resolveGatysOptions(options: GatysOptions = {}): ResolvedGatysOptions {
  const o = expectOptions<GatysOptions>('options', options);
  const size = o.size === undefined ? DEFAULT_GATYS_SIZE : expectInteger('size', o.size, { min: MIN_GATYS_SIZE, max: MAX_IMAGE_SIDE });
  // Never go below MIN_SCALE_SIZE at the coarsest scale by default: too little for the deeper layers to see.
  const scales =
    o.scales === undefined
      ? Math.min(DEFAULT_GATYS_SCALES, Math.max(1, Math.floor(Math.log2(size / MIN_SCALE_SIZE)) + 1))
      : expectPositiveInteger('scales', o.scales, MAX_GATYS_SCALES);
  const contentLayers = checkLayerNames('contentLayers', o.contentLayers);
  const styleLayers = checkLayerNames('styleLayers', o.styleLayers);
  if (contentLayers?.length === 0 && styleLayers?.length === 0) {
    throw invalidValue('styleLayers', 'at least one layer when contentLayers is empty', styleLayers);
  }
  return {
    size,
    iterations: o.iterations === undefined ? DEFAULT_GATYS_ITERATIONS : expectPositiveInteger('iterations', o.iterations),
    scales,
    optimizer: o.optimizer === undefined ? 'lbfgs' : expectOneOf('optimizer', o.optimizer, OPTIMIZERS),
    learningRate: o.learningRate === undefined ? DEFAULT_GATYS_LEARNING_RATE : expectPositiveNumber('learningRate', o.learningRate),
    init: o.init === undefined ? 'content' : expectOneOf('init', o.init, INITS),
    initNoise: o.initNoise === undefined ? DEFAULT_INIT_NOISE : expectNumber('initNoise', o.initNoise, { min: 0, max: 1 }),
    seed: o.seed === undefined ? 0 : expectInteger('seed', o.seed, { min: 0, max: MAX_SEED }),
    contentWeight: o.contentWeight === undefined ? DEFAULT_CONTENT_WEIGHT : expectNumber('contentWeight', o.contentWeight, { min: 0 }),
    styleWeight: o.styleWeight === undefined ? DEFAULT_STYLE_WEIGHT : expectNumber('styleWeight', o.styleWeight, { min: 0 }),
    tvWeight: o.tvWeight === undefined ? DEFAULT_TV_WEIGHT : expectNumber('tvWeight', o.tvWeight, { min: 0 }),
    styleScale:
      o.styleScale === undefined ? DEFAULT_STYLE_SCALE : expectNumberIn('styleScale', o.styleScale, { min: 0, max: MAX_STYLE_SCALE, minOpen: true }),
    contentLayers,
    styleLayers,
    preserveColors: o.preserveColors === undefined ? false : expectBoolean('preserveColors', o.preserveColors),
    previewEvery: o.previewEvery === undefined ? 0 : expectInteger('previewEvery', o.previewEvery, { min: 0 }),
    maxPixels: o.maxPixels === undefined ? DEFAULT_MAX_PIXELS : resolveMaxPixels(o.maxPixels),
    signal: o.signal === undefined ? undefined : expectSignal('signal', o.signal),
    onProgress: o.onProgress === undefined ? undefined : expectFunction<(progress: GatysProgress) => void>('onProgress', o.onProgress),
  };
}

/** The size the loss network runs at for an image of `width` × `height`: each side at least {@link MIN_LOSS_SIDE}. */
export function lossNetworkSize(width: number, height: number): { width: number; height: number } {
  return { width: Math.max(width, MIN_LOSS_SIDE), height: Math.max(height, MIN_LOSS_SIDE) };
}

/** Longest side of each scale, coarse to fine, halving from `size`. */
export function scaleSizes(size: number, scales: number): number[] {
  return Array.from({ length: scales }, (_, i) => Math.max(MIN_GATYS_SIZE, Math.round(size / 2 ** (scales - 1 - i))));
}
