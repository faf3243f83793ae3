import { isBound } from './bounds.js';
import { STRONG_WOLFE_C1, STRONG_WOLFE_C2, strongWolfeLineSearch, type LinePoint } from './line-search.js';
import type { IterationResult, Objective, StopReason } from './optimizer-types.js';
import { checkStart, OptimizerBase, RESOLVED } from './optimizer-base.js';
import { resolveLbfgsOptions, type LbfgsOptions, type ResolvedLbfgsOptions } from './optimizer-options.js';

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

  /** Checks `x0`, `objective` and the options (wrong types throw TypeError, wrong values RangeError). */
  constructor(x0: Float32Array, objective: Objective, options?: LbfgsOptions);
  /** With options resolved already and `RESOLVED` (as {@link createResolvedOptimizer} passes them): checks nothing. */
  constructor(x0: Float32Array, objective: Objective, options: ResolvedLbfgsOptions, resolved: typeof RESOLVED);
  constructor(x0: Float32Array, objective: Objective, options?: LbfgsOptions | ResolvedLbfgsOptions, token?: typeof RESOLVED) {
    let resolved: ResolvedLbfgsOptions;
    if (token === RESOLVED) {
      resolved = options as ResolvedLbfgsOptions;
    } else {
      checkStart(x0, objective);
      resolved = resolveLbfgsOptions(options as LbfgsOptions | undefined);
    }
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
    const { gtd, steepest, norm, sum } = this.computeDirection(x, g);
    if (!(gtd < -toleranceChange)) return this.result(0, g, 'changeTolerance');
    // Without curvature information the gradient's scale is unknown: PyTorch's first-step rule.
    const t0 = steepest && this.s.length === 0 ? learningRate * Math.min(1, 1 / sum) : learningRate;

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
    const { point } = await strongWolfeLineSearch(phi, start, t0, norm, {
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

    const { stepNorm, gradientNorm } = this.updateHistory(x, g, point.x, point.g);
    const previousLoss = this.currentLoss;
    this.current = point.x;
    this.currentGrad = point.g;
    this.currentLoss = point.f;
    this.iterations++;

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

  /**
   * Fills `direction` with the projected quasi-Newton direction, or with the scaled projected gradient
   * (`steepest`) when there is no history or the former is not a descent direction. Returns the slope gᵀd
   * and the max- and 1-norms of d.
   */
  private computeDirection(x: Float32Array, g: Float32Array): { gtd: number; steepest: boolean; norm: number; sum: number } {
    const { lower, upper } = this.options;
    const d = this.direction;
    const n = x.length;
    if (this.s.length > 0) {
      for (let i = 0; i < n; i++) d[i] = isBound(x[i], g[i], lower, upper) ? 0 : -g[i];
      this.twoLoop(d);
      let gtd = 0;
      let norm = 0;
      let sum = 0;
      for (let i = 0; i < n; i++) {
        let v = d[i];
        if (isBound(x[i], g[i], lower, upper) || (x[i] <= lower && v < 0) || (x[i] >= upper && v > 0)) d[i] = v = 0;
        gtd += g[i] * v;
        const a = Math.abs(v);
        sum += a;
        if (a > norm) norm = a;
      }
      if (gtd < 0) return { gtd, steepest: false, norm, sum };
    }
    // hDiag is 1 without history, so this is the plain projected gradient then.
    const scale = this.hDiag;
    let gtd = 0;
    let norm = 0;
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const v = isBound(x[i], g[i], lower, upper) ? 0 : -scale * g[i];
      d[i] = v;
      gtd += g[i] * v;
      const a = Math.abs(v);
      sum += a;
      if (a > norm) norm = a;
    }
    return { gtd, steepest: true, norm, sum };
  }

  /**
   * The two-loop recursion, q ← H·q, with the float32 history and float64 q and sums. Each pass over q
   * finishes one update and computes the dot product the next one needs (2k + 1 passes instead of 4k + 1,
   * with the same operations in the same order): on images the recursion is the optimiser's main cost.
   */
  private twoLoop(q: Float64Array): void {
    const { s, y, rho, alpha, hDiag } = this;
    const n = q.length;
    const k = s.length;
    let sum = 0;
    const newest = s[k - 1];
    for (let i = 0; i < n; i++) sum += newest[i] * q[i];
    alpha[k - 1] = rho[k - 1] * sum;
    for (let j = k - 2; j >= 0; j--) {
      const yPrevious = y[j + 1];
      const sj = s[j];
      const a = alpha[j + 1];
      sum = 0;
      for (let i = 0; i < n; i++) {
        const v = q[i] - a * yPrevious[i];
        q[i] = v;
        sum += sj[i] * v;
      }
      alpha[j] = rho[j] * sum;
    }
    // Last step of the first loop, the initial Hessian hDiag·I, and the first dot product of the second loop.
    const y0 = y[0];
    const a0 = alpha[0];
    sum = 0;
    for (let i = 0; i < n; i++) {
      const v = (q[i] - a0 * y0[i]) * hDiag;
      q[i] = v;
      sum += y0[i] * v;
    }
    for (let j = 0; j < k; j++) {
      const c = alpha[j] - rho[j] * sum;
      const sj = s[j];
      if (j === k - 1) {
        for (let i = 0; i < n; i++) q[i] += c * sj[i];
        break;
      }
      const yNext = y[j + 1];
      sum = 0;
      for (let i = 0; i < n; i++) {
        const v = q[i] + c * sj[i];
        q[i] = v;
        sum += yNext[i] * v;
      }
    }
  }

  /**
   * Stores the pair (xNew − x, gNew − g) when its curvature is positive. Returns the largest step
   * component and, from the same pass, the projected-gradient norm at xNew.
   */
  private updateHistory(x: Float32Array, g: Float32Array, xNew: Float32Array, gNew: Float32Array): { stepNorm: number; gradientNorm: number } {
    const { lower, upper, historySize } = this.options;
    const n = x.length;
    let ys = 0;
    let yy = 0;
    let stepNorm = 0;
    let gradientNorm = 0;
    // Curvature of the pair as it will be stored (float32), so that a kept pair is positive definite.
    for (let i = 0; i < n; i++) {
      const s = Math.fround(xNew[i] - x[i]);
      const y = Math.fround(gNew[i] - g[i]);
      ys += s * y;
      yy += y * y;
      stepNorm = Math.max(stepNorm, Math.abs(s));
      if (!isBound(xNew[i], gNew[i], lower, upper)) gradientNorm = Math.max(gradientNorm, Math.abs(gNew[i]));
    }
    if (ys > Number.EPSILON * yy) {
      const full = this.s.length === historySize;
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
    }
    return { stepNorm, gradientNorm };
  }

  private clearHistory(): void {
    this.s.length = 0;
    this.y.length = 0;
    this.rho.length = 0;
    this.hDiag = 1;
  }
}
