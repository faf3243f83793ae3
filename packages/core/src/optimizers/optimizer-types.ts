/** The types every optimiser shares (a module of its own, so that the optimisers and their factory import no circle). */

/**
 * The function being minimised: loss and gradient at `x`.
 *
 * `x` is a copy the objective may keep; the optimiser copies the returned `grad`, so the objective may
 * reuse one output buffer across calls. Evaluations are the expensive part (an ONNX loss+gradient graph
 * takes 0.1–2 s), so the optimisers count them and never evaluate the same point twice.
 */
export type Objective = (x: Float32Array) => Promise<{ loss: number; grad: Float32Array }>;

export type OptimizerKind = 'lbfgs' | 'adam';

/**
 * Why a run stopped.
 * - `gradientTolerance`: the largest projected-gradient component is at most `toleranceGrad`.
 * - `changeTolerance`: the loss change, the largest step component or the directional derivative fell
 *   below `toleranceChange` (L-BFGS only).
 * - `maxIterations` / `maxEvaluations`: the budget is spent.
 * - `lineSearchFailed`: no step along the steepest-descent direction lowered the loss (L-BFGS only; at
 *   float32 resolution this is how a converged run often ends).
 */
export type StopReason = 'gradientTolerance' | 'changeTolerance' | 'maxIterations' | 'maxEvaluations' | 'lineSearchFailed';

/** State after one iteration; also what `onProgress` receives. */
export interface IterationResult {
  /** Iterations done so far (0 when the starting point already met `toleranceGrad`). */
  iteration: number;
  /** Loss at the current iterate. */
  loss: number;
  /** Objective evaluations so far, the first one (at `x0`) included. */
  evaluations: number;
  /** Step length of this iteration: the line-search step for L-BFGS (0 when none was taken), the learning rate for Adam. */
  stepSize: number;
  /** Largest absolute component of the projected gradient at the current iterate. */
  gradientNorm: number;
  /** Set on the iteration that ended the run. */
  stop?: StopReason;
}

/** Outcome of {@link Optimizer.run}. */
export interface OptimizeResult {
  /** The final iterate (a copy the caller owns). */
  x: Float32Array;
  loss: number;
  iterations: number;
  evaluations: number;
  reason: StopReason;
}

/**
 * A step-wise minimiser. `step()` runs one iteration, so callers can render previews, report progress
 * or stop between iterations; `run()` steps until a stop condition holds.
 */
export interface Optimizer {
  readonly kind: OptimizerKind;
  /**
   * The current iterate. Each iteration replaces the array rather than writing into it, so a reference
   * taken earlier stays a valid snapshot; do not modify it.
   */
  readonly x: Float32Array;
  /** Loss at {@link x}; NaN before the first step. */
  readonly loss: number;
  readonly iteration: number;
  readonly evaluations: number;
  /** Why the run stopped; undefined while it can continue. */
  readonly stopReason: StopReason | undefined;
  /**
   * Runs one iteration (the first call also evaluates `x0`). Calls made before the previous one settled
   * are queued. Once stopped it returns the last result again without evaluating. Rejects with
   * `PasticheError` `E_ABORTED` when the signal is aborted; the iterate stays at the last completed
   * iteration, since trial points never overwrite it.
   */
  step(): Promise<IterationResult>;
  /** Steps until a stop condition holds. */
  run(): Promise<OptimizeResult>;
}
