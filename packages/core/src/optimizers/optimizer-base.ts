import { expectFunction, expectInstance, invalidType, invalidValue } from '../arguments.js';
import { PasticheError } from '../errors.js';
import { projectedGradientNorm, projectInPlace } from './bounds.js';
import type { IterationResult, Objective, OptimizeResult, Optimizer, OptimizerKind, StopReason } from './optimizer-types.js';
import type { ResolvedOptimizerOptions } from './optimizer-options.js';

/** One objective evaluation, owned by the optimiser. `finite` is false when the loss or any gradient element is not finite. */
export interface Evaluation {
  loss: number;
  grad: Float32Array;
  finite: boolean;
}

/**
 * Passed to an optimiser's constructor with options resolved already ({@link createResolvedOptimizer}): the
 * constructor then checks nothing. Internal to core (the package index does not export this module).
 */
export const RESOLVED: unique symbol = Symbol('resolved optimizer options');

/** Checks the start point (a non-empty Float32Array of finite values) and the objective, as the public constructors do. */
export function checkStart(x0: unknown, objective: unknown): void {
  const x = expectInstance('x0', x0, Float32Array);
  if (x.length === 0) throw new RangeError('Expected a non-empty Float32Array for x0 but received length 0');
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i])) throw invalidValue(`x0[${i}]`, 'finite number', x[i]);
  }
  expectFunction('objective', objective);
}

/**
 * What every optimiser shares: the evaluation wrapper (copies, validation, counting,
 * abort checks), the first evaluation at `x0`, queued steps, progress and `run()`.
 * Subclasses implement {@link iterate}.
 */
export abstract class OptimizerBase implements Optimizer {
  abstract readonly kind: OptimizerKind;
  protected current: Float32Array;
  protected currentGrad: Float32Array | undefined;
  protected currentLoss = NaN;
  protected iterations = 0;
  protected evaluationCount = 0;
  private last: IterationResult | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly objective: Objective;
  private readonly common: ResolvedOptimizerOptions;

  /** Checks nothing: the subclasses' constructors check `x0` and `objective` ({@link checkStart}) unless resolved already. */
  protected constructor(x0: Float32Array, objective: Objective, common: ResolvedOptimizerOptions) {
    this.objective = objective;
    this.common = common;
    this.current = projectInPlace(x0.slice(), common.lower, common.upper);
  }

  get x(): Float32Array {
    return this.current;
  }

  get loss(): number {
    return this.currentLoss;
  }

  get iteration(): number {
    return this.iterations;
  }

  get evaluations(): number {
    return this.evaluationCount;
  }

  get stopReason(): StopReason | undefined {
    return this.last?.stop;
  }

  step(): Promise<IterationResult> {
    const result = this.queue.then(() => this.stepNow());
    this.queue = result.catch(() => undefined);
    return result;
  }

  async run(): Promise<OptimizeResult> {
    let result = await this.step();
    while (result.stop === undefined) result = await this.step();
    return {
      x: this.current.slice(),
      loss: this.currentLoss,
      iterations: this.iterations,
      evaluations: this.evaluationCount,
      reason: result.stop,
    };
  }

  /**
   * One iteration from (current, currentGrad, currentLoss), which the first step has evaluated; it
   * updates them and returns the result, with `stop` set when the run is over.
   */
  protected abstract iterate(grad: Float32Array): Promise<IterationResult>;

  /** Evaluates the objective at `x` (which the optimiser keeps; the objective gets a copy). */
  protected async evaluate(x: Float32Array): Promise<Evaluation> {
    const { signal } = this.common;
    if (signal?.aborted) throw new PasticheError('E_ABORTED', 'Optimisation was aborted.', { cause: signal.reason });
    const result: unknown = await this.objective(x.slice());
    this.evaluationCount++;
    const { loss, grad } = (result ?? {}) as { loss?: unknown; grad?: unknown };
    if (typeof loss !== 'number' || !(grad instanceof Float32Array)) {
      throw invalidType("the objective's result", '{ loss: number, grad: Float32Array }', result);
    }
    if (grad.length !== x.length) {
      throw new RangeError(`Expected length ${x.length} (that of x) for the objective's grad but received length ${grad.length}`);
    }
    // Copy and check in one pass: on images every pass over the data costs milliseconds.
    const copy = new Float32Array(grad.length);
    let finite = Number.isFinite(loss);
    for (let i = 0; i < copy.length; i++) {
      const v = grad[i];
      copy[i] = v;
      if (!Number.isFinite(v)) finite = false;
    }
    return { loss, grad: copy, finite };
  }

  /** Fails on a non-finite loss or gradient where the method has no way around it. */
  protected requireFinite(evaluation: Evaluation, where: string): void {
    if (evaluation.finite) return;
    throw new RangeError(
      `Expected objective to return a finite loss and gradient ${where} but received loss ${evaluation.loss}` +
        (Number.isFinite(evaluation.loss) ? ' with non-finite gradient elements' : ''),
    );
  }

  protected gradientNorm(x: Float32Array, grad: Float32Array): number {
    return projectedGradientNorm(x, grad, this.common.lower, this.common.upper);
  }

  private async stepNow(): Promise<IterationResult> {
    if (this.last?.stop !== undefined) return this.last;
    let result: IterationResult;
    if (this.currentGrad === undefined) {
      const start = await this.evaluate(this.current);
      this.requireFinite(start, 'at x0');
      this.currentLoss = start.loss;
      this.currentGrad = start.grad;
      const gradientNorm = this.gradientNorm(this.current, start.grad);
      if (gradientNorm <= this.common.toleranceGrad) {
        result = { iteration: 0, loss: start.loss, evaluations: this.evaluationCount, stepSize: 0, gradientNorm, stop: 'gradientTolerance' };
      } else {
        result = await this.iterate(start.grad);
      }
    } else {
      result = await this.iterate(this.currentGrad);
    }
    this.last = result;
    this.common.onProgress?.(result);
    return result;
  }
}
