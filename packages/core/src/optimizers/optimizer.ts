import { expectOneOf } from '../arguments.js';
import { AdamOptimizer } from './adam.js';
import { LbfgsOptimizer } from './lbfgs.js';
import { RESOLVED } from './optimizer-base.js';
import type { AdamOptions, LbfgsOptions, ResolvedAdamOptions, ResolvedLbfgsOptions } from './optimizer-options.js';
import type { Objective, Optimizer, OptimizerKind } from './optimizer-types.js';

export type * from './optimizer-types.js';

const OPTIMIZER_KINDS: readonly OptimizerKind[] = ['lbfgs', 'adam'];

/**
 * Creates an L-BFGS or Adam optimiser over a copy of `x0`. Checks the kind, `x0`, the objective and the options
 * once; wrong types throw TypeError, wrong values RangeError.
 */
export function createOptimizer(kind: 'lbfgs', x0: Float32Array, objective: Objective, options?: LbfgsOptions): Optimizer;
export function createOptimizer(kind: 'adam', x0: Float32Array, objective: Objective, options?: AdamOptions): Optimizer;
export function createOptimizer(
  kind: OptimizerKind,
  x0: Float32Array,
  objective: Objective,
  options?: LbfgsOptions | AdamOptions,
): Optimizer;
export function createOptimizer(
  kind: OptimizerKind,
  x0: Float32Array,
  objective: Objective,
  options?: LbfgsOptions | AdamOptions,
): Optimizer {
  expectOneOf('kind', kind, OPTIMIZER_KINDS);
  if (kind === 'lbfgs') return new LbfgsOptimizer(x0, objective, options as LbfgsOptions | undefined);
  return new AdamOptimizer(x0, objective, options as AdamOptions | undefined);
}

/**
 * {@link createOptimizer} for a pipeline that resolved its values already: `x0` a non-empty Float32Array of
 * finite values, `options` from `resolveLbfgsOptions` / `resolveAdamOptions` or `applyLbfgsDefaults` /
 * `applyAdamDefaults` on values it checked. Nothing is checked again.
 */
export function createResolvedOptimizer(kind: 'lbfgs', x0: Float32Array, objective: Objective, options: ResolvedLbfgsOptions): Optimizer;
export function createResolvedOptimizer(kind: 'adam', x0: Float32Array, objective: Objective, options: ResolvedAdamOptions): Optimizer;
export function createResolvedOptimizer(
  kind: OptimizerKind,
  x0: Float32Array,
  objective: Objective,
  options: ResolvedLbfgsOptions | ResolvedAdamOptions,
): Optimizer;
export function createResolvedOptimizer(
  kind: OptimizerKind,
  x0: Float32Array,
  objective: Objective,
  options: ResolvedLbfgsOptions | ResolvedAdamOptions,
): Optimizer {
  return kind === 'lbfgs'
    ? new LbfgsOptimizer(x0, objective, options as ResolvedLbfgsOptions, RESOLVED)
    : new AdamOptimizer(x0, objective, options as ResolvedAdamOptions, RESOLVED);
}
