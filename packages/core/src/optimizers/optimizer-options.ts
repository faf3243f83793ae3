import { describeValue } from '../errors.js';
import type { IterationResult } from './optimizer-types.js';

/** Options shared by every optimiser. */
export interface OptimizerOptions {
  /**
   * Box constraints `[lower, upper]` applied to every element (e.g. `[0, 255]` for pixels), enforced by
   * projection; either end may be infinite. `x0` is projected onto the box first. Values are rounded to
   * float32 like the iterate. @default undefined (unbounded)
   */
  bounds?: readonly [lower: number, upper: number];
  /** Most iterations. @default DEFAULT_MAX_ITERATIONS */
  maxIterations?: number;
  /** Stop when the largest projected-gradient component is at most this. @default DEFAULT_TOLERANCE_GRAD */
  toleranceGrad?: number;
  /** Checked before every objective evaluation; aborting rejects with an `E_ABORTED` error. */
  signal?: AbortSignal;
  /** Called after every iteration. */
  onProgress?: (progress: IterationResult) => void;
}

/** Options of {@link LbfgsOptimizer}. */
export interface LbfgsOptions extends OptimizerOptions {
  /**
   * Initial line-search step. Quasi-Newton directions are scaled already, so 1 is right; when there is no
   * curvature history (the first iteration) the step is `learningRate · min(1, 1/‖g‖₁)`, as in PyTorch.
   * @default DEFAULT_LBFGS_LEARNING_RATE
   */
  learningRate?: number;
  /** Correction pairs kept (the `m` of L-BFGS); memory is `2 · m · 4` bytes per element. @default DEFAULT_LBFGS_HISTORY_SIZE */
  historySize?: number;
  /**
   * Most objective evaluations in all, the first one included; line searches stop early rather than
   * exceed it. @default ceil(1.25 · maxIterations), PyTorch's rule
   */
  maxEvaluations?: number;
  /** Most evaluations in one line search. @default DEFAULT_MAX_LINE_SEARCH_EVALUATIONS */
  maxLineSearchEvaluations?: number;
  /**
   * Stop when the loss changes by less than this, the largest step component is at most this, or the
   * directional derivative is above `-toleranceChange`. @default DEFAULT_TOLERANCE_CHANGE
   */
  toleranceChange?: number;
}

/** Options of {@link AdamOptimizer}. */
export interface AdamOptions extends OptimizerOptions {
  /**
   * Step size in units of `x`: early Adam steps move each element by about this much. For pixels on the
   * 0..255 scale 10 is the usual choice (jcjohnson/neural-style's Adam default). @default DEFAULT_ADAM_LEARNING_RATE
   */
  learningRate?: number;
  /** Decay of the gradient average. @default DEFAULT_ADAM_BETA1 */
  beta1?: number;
  /** Decay of the squared-gradient average. @default DEFAULT_ADAM_BETA2 */
  beta2?: number;
  /** Added to the root of the squared-gradient average. @default DEFAULT_ADAM_EPSILON */
  epsilon?: number;
}

export const DEFAULT_MAX_ITERATIONS = 500;
/** PyTorch's `tolerance_grad`. */
export const DEFAULT_TOLERANCE_GRAD = 1e-7;
/** PyTorch's `tolerance_change`. */
export const DEFAULT_TOLERANCE_CHANGE = 1e-9;
export const DEFAULT_LBFGS_LEARNING_RATE = 1;
export const DEFAULT_LBFGS_HISTORY_SIZE = 10;
/** PyTorch's `max_ls`. */
export const DEFAULT_MAX_LINE_SEARCH_EVALUATIONS = 25;
export const DEFAULT_ADAM_LEARNING_RATE = 10;
export const DEFAULT_ADAM_BETA1 = 0.9;
export const DEFAULT_ADAM_BETA2 = 0.999;
export const DEFAULT_ADAM_EPSILON = 1e-8;

export interface ResolvedOptimizerOptions {
  lower: number;
  upper: number;
  maxIterations: number;
  toleranceGrad: number;
  signal: AbortSignal | undefined;
  onProgress: ((progress: IterationResult) => void) | undefined;
}

export interface ResolvedLbfgsOptions extends ResolvedOptimizerOptions {
  learningRate: number;
  historySize: number;
  maxEvaluations: number;
  maxLineSearchEvaluations: number;
  toleranceChange: number;
}

export interface ResolvedAdamOptions extends ResolvedOptimizerOptions {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
}

function isNumber(value: unknown): value is number {
  return typeof value === 'number' && !Number.isNaN(value);
}

function positiveInteger(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (!isNumber(value)) throw new TypeError(`Expected positive integer for ${name} but received ${describeValue(value)}`);
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`Expected positive integer for ${name} but received ${value}`);
  return value;
}

function positiveNumber(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (!isNumber(value)) throw new TypeError(`Expected positive number for ${name} but received ${describeValue(value)}`);
  if (!(value > 0 && value < Infinity)) throw new RangeError(`Expected positive number for ${name} but received ${value}`);
  return value;
}

function nonNegativeNumber(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (!isNumber(value)) throw new TypeError(`Expected non-negative number for ${name} but received ${describeValue(value)}`);
  if (!(value >= 0 && value < Infinity)) throw new RangeError(`Expected non-negative number for ${name} but received ${value}`);
  return value;
}

function unitInterval(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  if (!isNumber(value)) throw new TypeError(`Expected number in [0, 1) for ${name} but received ${describeValue(value)}`);
  if (!(value >= 0 && value < 1)) throw new RangeError(`Expected number in [0, 1) for ${name} but received ${value}`);
  return value;
}

function resolveBounds(bounds: unknown): [number, number] {
  if (bounds === undefined) return [-Infinity, Infinity];
  if (!Array.isArray(bounds) || bounds.length !== 2 || !isNumber(bounds[0]) || !isNumber(bounds[1])) {
    throw new TypeError(`Expected [lower, upper] numbers for bounds but received ${describeValue(bounds)}`);
  }
  // Rounded like the iterate, so that a clamped float32 element equals the bound exactly.
  const lower = Math.fround(bounds[0]);
  const upper = Math.fround(bounds[1]);
  if (!(lower < upper)) throw new RangeError(`Expected lower < upper for bounds but received [${bounds[0]}, ${bounds[1]}]`);
  return [lower, upper];
}

function resolveCommon(options: unknown): ResolvedOptimizerOptions {
  if (options === null || typeof options !== 'object') {
    throw new TypeError(`Expected object for options but received ${describeValue(options)}`);
  }
  const o = options as OptimizerOptions;
  if (o.onProgress !== undefined && typeof o.onProgress !== 'function') {
    throw new TypeError(`Expected function for onProgress but received ${describeValue(o.onProgress)}`);
  }
  const [lower, upper] = resolveBounds(o.bounds);
  return {
    lower,
    upper,
    maxIterations: positiveInteger('maxIterations', o.maxIterations, DEFAULT_MAX_ITERATIONS),
    toleranceGrad: nonNegativeNumber('toleranceGrad', o.toleranceGrad, DEFAULT_TOLERANCE_GRAD),
    signal: o.signal,
    onProgress: o.onProgress,
  };
}

/** Validates L-BFGS options and applies the defaults, in one place. */
export function resolveLbfgsOptions(options: LbfgsOptions = {}): ResolvedLbfgsOptions {
  const common = resolveCommon(options);
  return {
    ...common,
    learningRate: positiveNumber('learningRate', options.learningRate, DEFAULT_LBFGS_LEARNING_RATE),
    historySize: positiveInteger('historySize', options.historySize, DEFAULT_LBFGS_HISTORY_SIZE),
    maxEvaluations: positiveInteger('maxEvaluations', options.maxEvaluations, Math.ceil(common.maxIterations * 1.25)),
    maxLineSearchEvaluations: positiveInteger(
      'maxLineSearchEvaluations',
      options.maxLineSearchEvaluations,
      DEFAULT_MAX_LINE_SEARCH_EVALUATIONS,
    ),
    toleranceChange: nonNegativeNumber('toleranceChange', options.toleranceChange, DEFAULT_TOLERANCE_CHANGE),
  };
}

/** Validates Adam options and applies the defaults, in one place. */
export function resolveAdamOptions(options: AdamOptions = {}): ResolvedAdamOptions {
  return {
    ...resolveCommon(options),
    learningRate: positiveNumber('learningRate', options.learningRate, DEFAULT_ADAM_LEARNING_RATE),
    beta1: unitInterval('beta1', options.beta1, DEFAULT_ADAM_BETA1),
    beta2: unitInterval('beta2', options.beta2, DEFAULT_ADAM_BETA2),
    epsilon: positiveNumber('epsilon', options.epsilon, DEFAULT_ADAM_EPSILON),
  };
}
