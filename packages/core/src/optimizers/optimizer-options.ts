import {
  expectArray,
  expectFunction,
  expectNumber,
  expectNumberIn,
  expectOptions,
  expectPositiveInteger,
  expectPositiveNumber,
  expectSignal,
  invalidType,
  invalidValue,
  isNumber,
} from '../arguments.js';
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

/** {@link OptimizerOptions} checked, with the defaults applied; bounds as `lower` and `upper`. */
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

/**
 * The defaults of every optimiser applied to values that are right already (checked, or built by a pipeline
 * from resolved values): nothing is checked here.
 */
function applyCommonDefaults(o: Partial<ResolvedOptimizerOptions>): ResolvedOptimizerOptions {
  return {
    lower: o.lower ?? -Infinity,
    upper: o.upper ?? Infinity,
    maxIterations: o.maxIterations ?? DEFAULT_MAX_ITERATIONS,
    toleranceGrad: o.toleranceGrad ?? DEFAULT_TOLERANCE_GRAD,
    signal: o.signal,
    onProgress: o.onProgress,
  };
}

/** L-BFGS's defaults applied to values that are right already; nothing is checked (see {@link resolveLbfgsOptions}). */
export function applyLbfgsDefaults(o: Partial<ResolvedLbfgsOptions> = {}): ResolvedLbfgsOptions {
  const common = applyCommonDefaults(o);
  return {
    ...common,
    learningRate: o.learningRate ?? DEFAULT_LBFGS_LEARNING_RATE,
    historySize: o.historySize ?? DEFAULT_LBFGS_HISTORY_SIZE,
    maxEvaluations: o.maxEvaluations ?? Math.ceil(common.maxIterations * 1.25),
    maxLineSearchEvaluations: o.maxLineSearchEvaluations ?? DEFAULT_MAX_LINE_SEARCH_EVALUATIONS,
    toleranceChange: o.toleranceChange ?? DEFAULT_TOLERANCE_CHANGE,
  };
}

/** Adam's defaults applied to values that are right already; nothing is checked (see {@link resolveAdamOptions}). */
export function applyAdamDefaults(o: Partial<ResolvedAdamOptions> = {}): ResolvedAdamOptions {
  return {
    ...applyCommonDefaults(o),
    learningRate: o.learningRate ?? DEFAULT_ADAM_LEARNING_RATE,
    beta1: o.beta1 ?? DEFAULT_ADAM_BETA1,
    beta2: o.beta2 ?? DEFAULT_ADAM_BETA2,
    epsilon: o.epsilon ?? DEFAULT_ADAM_EPSILON,
  };
}

/** `check(name, value)` when the value is given; undefined (the default applies) when not. */
function optional<T>(name: string, value: unknown, check: (name: string, value: unknown) => T): T | undefined {
  return value === undefined ? undefined : check(name, value);
}

const nonNegative = (name: string, value: unknown) => expectNumber(name, value, { min: 0 });
const decay = (name: string, value: unknown) => expectNumberIn(name, value, { min: 0, max: 1, maxOpen: true });

/** `[lower, upper]`, either end possibly infinite, rounded like the iterate. */
function resolveBounds(bounds: unknown): { lower?: number; upper?: number } {
  if (bounds === undefined) return {};
  const list = expectArray('bounds', bounds, '[lower, upper]');
  if (list.length !== 2) throw invalidValue('bounds', '[lower, upper]', list);
  list.forEach((v, i) => {
    if (!isNumber(v)) throw invalidType(`bounds[${i}]`, 'number', v);
    if (Number.isNaN(v)) throw invalidValue(`bounds[${i}]`, 'number', v);
  });
  // Rounded like the iterate, so that a clamped float32 element equals the bound exactly.
  const lower = Math.fround(list[0] as number);
  const upper = Math.fround(list[1] as number);
  if (!(lower < upper)) throw new RangeError(`Expected lower < upper for bounds but received [${list[0]}, ${list[1]}]`);
  return { lower, upper };
}

function checkCommon(o: Partial<OptimizerOptions>): Partial<ResolvedOptimizerOptions> {
  return {
    ...resolveBounds(o.bounds),
    maxIterations: optional('maxIterations', o.maxIterations, expectPositiveInteger),
    toleranceGrad: optional('toleranceGrad', o.toleranceGrad, nonNegative),
    signal: optional('signal', o.signal, expectSignal),
    onProgress: optional('onProgress', o.onProgress, expectFunction<(progress: IterationResult) => void>),
  };
}

/**
 * Checks L-BFGS options and applies the defaults, in one place: {@link createOptimizer} calls it once.
 * Wrong types throw TypeError, wrong values RangeError.
 */
export function resolveLbfgsOptions(options: LbfgsOptions = {}): ResolvedLbfgsOptions {
  const o = expectOptions<LbfgsOptions>('options', options);
  return applyLbfgsDefaults({
    ...checkCommon(o),
    learningRate: optional('learningRate', o.learningRate, expectPositiveNumber),
    historySize: optional('historySize', o.historySize, expectPositiveInteger),
    maxEvaluations: optional('maxEvaluations', o.maxEvaluations, expectPositiveInteger),
    maxLineSearchEvaluations: optional('maxLineSearchEvaluations', o.maxLineSearchEvaluations, expectPositiveInteger),
    toleranceChange: optional('toleranceChange', o.toleranceChange, nonNegative),
  });
}

/**
 * Checks Adam options and applies the defaults, in one place: {@link createOptimizer} calls it once.
 * Wrong types throw TypeError, wrong values RangeError.
 */
export function resolveAdamOptions(options: AdamOptions = {}): ResolvedAdamOptions {
  const o = expectOptions<AdamOptions>('options', options);
  return applyAdamDefaults({
    ...checkCommon(o),
    learningRate: optional('learningRate', o.learningRate, expectPositiveNumber),
    beta1: optional('beta1', o.beta1, decay),
    beta2: optional('beta2', o.beta2, decay),
    epsilon: optional('epsilon', o.epsilon, expectPositiveNumber),
  });
}
