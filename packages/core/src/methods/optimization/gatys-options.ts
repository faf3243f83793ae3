import { describeValue } from '../../errors.js';
import type { PlanarImage } from '../../image/image-types.js';
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
  /** Longest side of the result. @default DEFAULT_GATYS_SIZE */
  size?: number;
  /** Optimiser iterations per scale. @default DEFAULT_GATYS_ITERATIONS */
  iterations?: number;
  /** Number of scales, coarse to fine, each twice the previous size; 1 optimises at `size` only. @default DEFAULT_GATYS_SCALES (fewer when the coarsest would be under 64 px) */
  scales?: number;
  /** @default 'lbfgs' */
  optimizer?: OptimizerKind;
  /** Adam's step in 0..255 pixel units. @default 5 */
  learningRate?: number;
  /** @default 'content' */
  init?: GatysInit;
  /** Share of noise in a `blend` start, 0..1. @default 0.5 */
  initNoise?: number;
  /** Seed of the noise, so that runs are reproducible. @default 0 */
  seed?: number;
  /** Weight of the content terms, relative to normalised targets. @default DEFAULT_CONTENT_WEIGHT */
  contentWeight?: number;
  /** Weight of the style terms, relative to normalised targets. @default DEFAULT_STYLE_WEIGHT */
  styleWeight?: number;
  /** Weight of total variation (smoothness). @default DEFAULT_TV_WEIGHT */
  tvWeight?: number;
  /** Style images are resized to this times the content's longest side. @default 1 */
  styleScale?: number;
  /** Content layers; default from the loss network's metadata. */
  contentLayers?: string[];
  /** Style layers; default from the loss network's metadata. */
  styleLayers?: string[];
  /** Keep the content's colours (luminance transfer on the result). @default false */
  preserveColors?: boolean;
  /** Include a preview image in progress every N iterations; 0 never. @default 0 */
  previewEvery?: number;
  signal?: AbortSignal;
  onProgress?: (progress: GatysProgress) => void;
}

export const DEFAULT_GATYS_SIZE = 512;
export const DEFAULT_GATYS_ITERATIONS = 100;
export const DEFAULT_GATYS_SCALES = 3;
export const DEFAULT_CONTENT_WEIGHT = 1;
export const DEFAULT_STYLE_WEIGHT = 10;
export const DEFAULT_TV_WEIGHT = 1e-2;
const MIN_SCALE_SIZE = 64;

export type ResolvedGatysOptions = Required<Omit<GatysOptions, 'signal' | 'onProgress' | 'contentLayers' | 'styleLayers'>> &
  Pick<GatysOptions, 'signal' | 'onProgress' | 'contentLayers' | 'styleLayers'>;

function integer(name: string, value: unknown, min: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new TypeError(`Expected integer ≥ ${min} for ${name} but received ${describeValue(value)}`);
  }
  if (value < min) throw new RangeError(`Expected integer ≥ ${min} for ${name} but received ${value}`);
  return value;
}

function nonNegative(name: string, value: unknown, max = Infinity): number {
  if (typeof value !== 'number' || Number.isNaN(value)) throw new TypeError(`Expected number for ${name} but received ${describeValue(value)}`);
  if (value < 0 || value > max || !Number.isFinite(value)) {
    throw new RangeError(`Expected number ${max === Infinity ? '≥ 0' : `between 0 and ${max}`} for ${name} but received ${value}`);
  }
  return value;
}

function oneOf<T extends string>(name: string, value: unknown, allowed: readonly T[]): T {
  if (!(allowed as readonly unknown[]).includes(value)) {
    const ErrorType = typeof value === 'string' ? RangeError : TypeError;
    throw new ErrorType(`Expected one of ${allowed.join(', ')} for ${name} but received ${describeValue(value)}`);
  }
  return value as T;
}

function layers(name: string, value: unknown): string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string' || v === '')) {
    throw new TypeError(`Expected an array of layer names for ${name} but received ${describeValue(value)}`);
  }
  return value as string[];
}

/** Validates the options and applies the defaults, in one place. */
export function resolveGatysOptions(options: GatysOptions = {}): ResolvedGatysOptions {
  const size = integer('size', options.size ?? DEFAULT_GATYS_SIZE, 16);
  const requestedScales = integer('scales', options.scales ?? DEFAULT_GATYS_SCALES, 1);
  // Never go below MIN_SCALE_SIZE at the coarsest scale: too little for the deeper layers to see.
  const maxScales = Math.max(1, Math.floor(Math.log2(size / MIN_SCALE_SIZE)) + 1);
  const previewEvery = integer('previewEvery', options.previewEvery ?? 0, 0);
  const seed = integer('seed', options.seed ?? 0, 0);
  return {
    size,
    iterations: integer('iterations', options.iterations ?? DEFAULT_GATYS_ITERATIONS, 1),
    scales: options.scales === undefined ? Math.min(requestedScales, maxScales) : requestedScales,
    optimizer: oneOf('optimizer', options.optimizer ?? 'lbfgs', ['lbfgs', 'adam'] as const),
    learningRate: nonNegative('learningRate', options.learningRate ?? 5),
    init: oneOf('init', options.init ?? 'content', ['content', 'noise', 'blend'] as const),
    initNoise: nonNegative('initNoise', options.initNoise ?? 0.5, 1),
    seed,
    contentWeight: nonNegative('contentWeight', options.contentWeight ?? DEFAULT_CONTENT_WEIGHT),
    styleWeight: nonNegative('styleWeight', options.styleWeight ?? DEFAULT_STYLE_WEIGHT),
    tvWeight: nonNegative('tvWeight', options.tvWeight ?? DEFAULT_TV_WEIGHT),
    styleScale: nonNegative('styleScale', options.styleScale ?? 1),
    contentLayers: layers('contentLayers', options.contentLayers),
    styleLayers: layers('styleLayers', options.styleLayers),
    preserveColors: options.preserveColors ?? false,
    previewEvery,
    signal: options.signal,
    onProgress: options.onProgress,
  };
}

/** Longest side of each scale, coarse to fine, halving from `size`. */
export function scaleSizes(size: number, scales: number): number[] {
  return Array.from({ length: scales }, (_, i) => Math.max(16, Math.round(size / 2 ** (scales - 1 - i))));
}
