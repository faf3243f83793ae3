import { describeValue } from '../errors.js';
import { AdamOptimizer } from './adam.js';
import { LbfgsOptimizer } from './lbfgs.js';
import type { AdamOptions, LbfgsOptions } from './optimizer-options.js';
import type { Objective, Optimizer, OptimizerKind } from './optimizer-types.js';

export type * from './optimizer-types.js';

/** Creates an L-BFGS or Adam optimiser over a copy of `x0`. */
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
  if (kind === 'lbfgs') return new LbfgsOptimizer(x0, objective, options as LbfgsOptions | undefined);
  if (kind === 'adam') return new AdamOptimizer(x0, objective, options as AdamOptions | undefined);
  throw new TypeError(`Expected 'lbfgs' or 'adam' for kind but received ${describeValue(kind)}`);
}
