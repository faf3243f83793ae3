import type { IterationResult, Objective, StopReason } from './optimizer-types.js';
import { checkStart, OptimizerBase, RESOLVED } from './optimizer-base.js';
import { resolveAdamOptions, type AdamOptions, type ResolvedAdamOptions } from './optimizer-options.js';

/**
 * Adam (Kingma & Ba, 2015) with bias correction, as `torch.optim.Adam` without weight decay. Each
 * iteration moves from the current iterate with the gradient already evaluated there, clamps into the
 * bounds, and evaluates the new point, so `loss` always belongs to `x`: n iterations cost n + 1
 * evaluations. Moments are float32; the update is computed in float64. Adam has no line search, so a
 * non-finite loss or gradient (a diverging run) fails with a RangeError.
 */
export class AdamOptimizer extends OptimizerBase {
  readonly kind = 'adam' as const;
  private readonly options: ResolvedAdamOptions;
  private readonly m: Float32Array;
  private readonly v: Float32Array;

  /** Checks `x0`, `objective` and the options (wrong types throw TypeError, wrong values RangeError). */
  constructor(x0: Float32Array, objective: Objective, options?: AdamOptions);
  /** With options resolved already and `RESOLVED` (as {@link createResolvedOptimizer} passes them): checks nothing. */
  constructor(x0: Float32Array, objective: Objective, options: ResolvedAdamOptions, resolved: typeof RESOLVED);
  constructor(x0: Float32Array, objective: Objective, options?: AdamOptions | ResolvedAdamOptions, token?: typeof RESOLVED) {
    let resolved: ResolvedAdamOptions;
    if (token === RESOLVED) {
      resolved = options as ResolvedAdamOptions;
    } else {
      checkStart(x0, objective);
      resolved = resolveAdamOptions(options as AdamOptions | undefined);
    }
    super(x0, objective, resolved);
    this.options = resolved;
    this.m = new Float32Array(x0.length);
    this.v = new Float32Array(x0.length);
  }

  protected async iterate(g: Float32Array): Promise<IterationResult> {
    const { lower, upper, learningRate, beta1, beta2, epsilon, maxIterations, toleranceGrad } = this.options;
    const x = this.current;
    const { m, v } = this;
    const k = this.iterations + 1;
    const correction1 = 1 - beta1 ** k;
    const correction2 = 1 - beta2 ** k;
    const next = new Float32Array(x.length);
    for (let i = 0; i < x.length; i++) {
      const mi = beta1 * m[i] + (1 - beta1) * g[i];
      const vi = beta2 * v[i] + (1 - beta2) * g[i] * g[i];
      const value = x[i] - (learningRate * (mi / correction1)) / (Math.sqrt(vi / correction2) + epsilon);
      next[i] = value < lower ? lower : value > upper ? upper : value;
    }
    const e = await this.evaluate(next);
    this.requireFinite(e, `at iteration ${k}`);
    // The moments advance only once the step is taken, so an aborted step can be retried.
    for (let i = 0; i < x.length; i++) {
      m[i] = beta1 * m[i] + (1 - beta1) * g[i];
      v[i] = beta2 * v[i] + (1 - beta2) * g[i] * g[i];
    }
    this.current = next;
    this.currentGrad = e.grad;
    this.currentLoss = e.loss;
    this.iterations = k;
    const gradientNorm = this.gradientNorm(next, e.grad);
    let stop: StopReason | undefined;
    if (gradientNorm <= toleranceGrad) stop = 'gradientTolerance';
    else if (k >= maxIterations) stop = 'maxIterations';
    return { iteration: k, loss: e.loss, evaluations: this.evaluationCount, stepSize: learningRate, gradientNorm, stop };
  }
}
