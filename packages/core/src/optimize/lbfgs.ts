import { isBound } from './bounds.js';
import { STRONG_WOLFE_C1, STRONG_WOLFE_C2, strongWolfeLineSearch, type LinePoint } from './line-search.js';
import type { IterationResult, Objective, StopReason } from './optimizer.js';
import { OptimizerBase } from './optimizer-base.js';
import { resolveLbfgsOptions, type LbfgsOptions, type ResolvedLbfgsOptions } from './optimizer-options.js';

function dot(a: Float32Array, b: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i] * b[i];
  return sum;
}

function axpy(target: Float64Array, scale: number, v: Float32Array): void {
  for (let i = 0; i < target.length; i++) target[i] += scale * v[i];
}

/**
 * Limited-memory BFGS with a strong-Wolfe line search, following PyTorch's
 * `torch.optim.LBFGS(line_search_fn='strong_wolfe')`: two-loop recursion with the initial Hessian scaled
 * by `sᵀy / yᵀy`, first step `learningRate · min(1, 1/‖g‖₁)`, and its `toleranceGrad` /
 * `toleranceChange` tests. Each `step()` is one iteration (PyTorch's `step()` runs up to `max_iter`).
 *
 * Differences from PyTorch: the iterate is float32 (what the objective sees) but directions and every dot
 * product are float64; the history is float32 (`2 · m` vectors, the memory that matters for images);
 * a correction pair is kept when `sᵀy > ε·yᵀy` rather than `sᵀy > 1e-10`, so the test does not depend on
 * the loss scale; a line search that finds no decrease clears the history and retries with steepest
 * descent before giving up; `maxEvaluations` is a hard limit; non-finite trial losses count as +∞, so the
 * line search backs off from them.
 *
 * Bounds (projected L-BFGS, in the spirit of Kim, Sra & Dhillon's PQN): elements on a bound whose gradient
 * points outwards are held fixed; the direction is the two-loop product applied to the gradient with held
 * elements zeroed, then zeroed again on held elements and on free elements it would push out of the box.
 * If that is no longer a descent direction, the scaled projected gradient `−(sᵀy/yᵀy)·Pg` is used. The line
 * search then runs on the projected path `P(x + t·d)` with the one-sided derivative (clipped elements
 * contribute nothing), so many elements can reach their bounds in one step. Correction pairs use the
 * actual projected step. This is a heuristic, not L-BFGS-B's generalised Cauchy point; on the convex tests
 * it ends at a KKT point.
 */
export class LbfgsOptimizer extends OptimizerBase {
  readonly kind = 'lbfgs' as const;
  private readonly options: ResolvedLbfgsOptions;
  /** Correction pairs, oldest first. */
  private readonly s: Float32Array[] = [];
  private readonly y: Float32Array[] = [];
  private readonly rho: number[] = [];
  private readonly alpha: Float64Array;
  private readonly direction: Float64Array;
  /** Scale of the initial inverse Hessian, sᵀy / yᵀy of the newest pair. */
  private hDiag = 1;

  constructor(x0: Float32Array, objective: Objective, options?: LbfgsOptions) {
    const resolved = resolveLbfgsOptions(options);
    super(x0, objective, resolved);
    this.options = resolved;
    this.alpha = new Float64Array(resolved.historySize);
    this.direction = new Float64Array(x0.length);
  }

  protected async iterate(g: Float32Array): Promise<IterationResult> {
    const { lower, upper, learningRate, maxEvaluations, maxIterations, toleranceChange, toleranceGrad } = this.options;
    const x = this.current;
    const n = x.length;
    if (this.evaluationCount >= maxEvaluations) return this.result(0, g, 'maxEvaluations');

    const d = this.direction;
    const { gtd, steepest } = this.computeDirection(x, g);
    if (!(gtd < -toleranceChange)) return this.result(0, g, 'changeTolerance');

    let directionNorm = 0;
    let directionSum = 0;
    for (let i = 0; i < n; i++) {
      const a = Math.abs(d[i]);
      directionSum += a;
      if (a > directionNorm) directionNorm = a;
    }
    // Without curvature information the gradient's scale is unknown: PyTorch's first-step rule.
    const t0 = steepest && this.s.length === 0 ? learningRate * Math.min(1, 1 / directionSum) : learningRate;

    const phi = async (t: number): Promise<LinePoint> => {
      const trial = new Float32Array(n);
      for (let i = 0; i < n; i++) {
        const v = x[i] + t * d[i];
        trial[i] = v < lower ? lower : v > upper ? upper : v;
      }
      const e = await this.evaluate(trial);
      let slope = 0;
      for (let i = 0; i < n; i++) {
        const v = x[i] + t * d[i];
        if (v > lower && v < upper) slope += e.grad[i] * d[i];
      }
      return { t, f: e.finite ? e.loss : Infinity, gtd: e.finite ? slope : NaN, x: trial, g: e.grad };
    };
    const start: LinePoint = { t: 0, f: this.currentLoss, gtd, x, g };
    const { point } = await strongWolfeLineSearch(phi, start, t0, directionNorm, {
      c1: STRONG_WOLFE_C1,
      c2: STRONG_WOLFE_C2,
      toleranceChange,
      maxEvaluations: Math.min(this.options.maxLineSearchEvaluations, maxEvaluations - this.evaluationCount),
    });

    if (point.t === 0) {
      if (this.evaluationCount >= maxEvaluations) return this.result(0, g, 'maxEvaluations');
      if (this.s.length === 0) return this.result(0, g, 'lineSearchFailed');
      // The quasi-Newton model misled the search: forget it and try steepest descent next iteration.
      this.clearHistory();
      this.iterations++;
      return this.result(0, g, this.iterations >= maxIterations ? 'maxIterations' : undefined);
    }

    const stepNorm = this.updateHistory(x, g, point.x, point.g);
    const previousLoss = this.currentLoss;
    this.current = point.x;
    this.currentGrad = point.g;
    this.currentLoss = point.f;
    this.iterations++;

    const gradientNorm = this.gradientNorm(point.x, point.g);
    let stop: StopReason | undefined;
    if (gradientNorm <= toleranceGrad) stop = 'gradientTolerance';
    else if (stepNorm <= toleranceChange || Math.abs(point.f - previousLoss) < toleranceChange) stop = 'changeTolerance';
    else if (this.iterations >= maxIterations) stop = 'maxIterations';
    else if (this.evaluationCount >= maxEvaluations) stop = 'maxEvaluations';
    return { iteration: this.iterations, loss: point.f, evaluations: this.evaluationCount, stepSize: point.t, gradientNorm, stop };
  }

  private result(stepSize: number, g: Float32Array, stop: StopReason | undefined): IterationResult {
    return {
      iteration: this.iterations,
      loss: this.currentLoss,
      evaluations: this.evaluationCount,
      stepSize,
      gradientNorm: this.gradientNorm(this.current, g),
      stop,
    };
  }

  /** Fills `direction`; `steepest` when it is the (projected) negative gradient. */
  private computeDirection(x: Float32Array, g: Float32Array): { gtd: number; steepest: boolean } {
    const { lower, upper } = this.options;
    const d = this.direction;
    const n = x.length;
    const k = this.s.length;
    for (let i = 0; i < n; i++) d[i] = isBound(x[i], g[i], lower, upper) ? 0 : -g[i];
    if (k === 0) return { gtd: this.slope(g), steepest: true };

    for (let j = k - 1; j >= 0; j--) {
      this.alpha[j] = this.rho[j] * dot(this.s[j], d);
      axpy(d, -this.alpha[j], this.y[j]);
    }
    for (let i = 0; i < n; i++) d[i] *= this.hDiag;
    for (let j = 0; j < k; j++) {
      const beta = this.rho[j] * dot(this.y[j], d);
      axpy(d, this.alpha[j] - beta, this.s[j]);
    }
    for (let i = 0; i < n; i++) {
      if (isBound(x[i], g[i], lower, upper) || (x[i] <= lower && d[i] < 0) || (x[i] >= upper && d[i] > 0)) d[i] = 0;
    }
    const gtd = this.slope(g);
    if (gtd < 0) return { gtd, steepest: false };
    for (let i = 0; i < n; i++) d[i] = isBound(x[i], g[i], lower, upper) ? 0 : -this.hDiag * g[i];
    return { gtd: this.slope(g), steepest: true };
  }

  private slope(g: Float32Array): number {
    let sum = 0;
    for (let i = 0; i < g.length; i++) sum += g[i] * this.direction[i];
    return sum;
  }

  /** Stores the pair (xNew − x, gNew − g) when its curvature is positive; returns the largest step component. */
  private updateHistory(x: Float32Array, g: Float32Array, xNew: Float32Array, gNew: Float32Array): number {
    const n = x.length;
    let ys = 0;
    let yy = 0;
    let stepNorm = 0;
    // Curvature of the pair as it will be stored (float32), so that a kept pair is positive definite.
    for (let i = 0; i < n; i++) {
      const s = Math.fround(xNew[i] - x[i]);
      const y = Math.fround(gNew[i] - g[i]);
      ys += s * y;
      yy += y * y;
      if (Math.abs(s) > stepNorm) stepNorm = Math.abs(s);
    }
    if (!(ys > Number.EPSILON * yy)) return stepNorm;
    const full = this.s.length === this.options.historySize;
    const sVec = full ? this.s.shift()! : new Float32Array(n);
    const yVec = full ? this.y.shift()! : new Float32Array(n);
    if (full) this.rho.shift();
    for (let i = 0; i < n; i++) {
      sVec[i] = xNew[i] - x[i];
      yVec[i] = gNew[i] - g[i];
    }
    this.s.push(sVec);
    this.y.push(yVec);
    this.rho.push(1 / ys);
    this.hDiag = ys / yy;
    return stepNorm;
  }

  private clearHistory(): void {
    this.s.length = 0;
    this.y.length = 0;
    this.rho.length = 0;
    this.hDiag = 1;
  }
}
