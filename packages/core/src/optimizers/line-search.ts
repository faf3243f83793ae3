/**
 * Strong-Wolfe line search with cubic interpolation: Nocedal & Wright, Numerical Optimization (2nd ed.),
 * algorithms 3.5 (bracketing) and 3.6 (zoom), with the safeguards of PyTorch's `_strong_wolfe` (itself a
 * port of torch/optim's lswolfe.lua).
 */

/** The objective along the search path at step `t`. `f` is +Infinity where the objective was not finite. */
export interface LinePoint {
  t: number;
  f: number;
  /** Directional derivative φ'(t). */
  gtd: number;
  x: Float32Array;
  g: Float32Array;
}

export interface StrongWolfeOptions {
  /** Sufficient-decrease constant. */
  c1: number;
  /** Curvature constant. */
  c2: number;
  /** Stop zooming once the bracket moves no element by more than this. */
  toleranceChange: number;
  /** Most evaluations of φ, at least 1. */
  maxEvaluations: number;
}

/** Sufficient decrease `c1 = 1e-4` and curvature `c2 = 0.9`, the usual quasi-Newton choice (PyTorch's too). */
export const STRONG_WOLFE_C1 = 1e-4;
export const STRONG_WOLFE_C2 = 0.9;

export interface LineSearchResult {
  /** The accepted point; the start point (t = 0) when no trial met sufficient decrease. */
  point: LinePoint;
  evaluations: number;
}

/**
 * Minimiser of the cubic through (x1, f1) and (x2, f2) with slopes g1 and g2, clamped into
 * [lo, hi] (default: between x1 and x2). Falls back to the midpoint of [lo, hi] when the cubic has no
 * minimiser or the inputs are not finite.
 */
export function cubicInterpolate(
  x1: number,
  f1: number,
  g1: number,
  x2: number,
  f2: number,
  g2: number,
  lo = Math.min(x1, x2),
  hi = Math.max(x1, x2),
): number {
  const d1 = g1 + g2 - (3 * (f1 - f2)) / (x1 - x2);
  const d2Square = d1 * d1 - g1 * g2;
  if (d2Square >= 0) {
    const d2 = Math.sqrt(d2Square);
    const minPos = x1 <= x2 ? x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2)) : x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2));
    if (Number.isFinite(minPos)) return Math.min(Math.max(minPos, lo), hi);
  }
  return (lo + hi) / 2;
}

/**
 * Finds a step satisfying the strong Wolfe conditions
 * `φ(t) ≤ φ(0) + c1·t·φ'(0)` and `|φ'(t)| ≤ c2·|φ'(0)|`, starting from `t`.
 * Bracketing grows the step by cubic extrapolation within [t + 0.01·(t − t_prev), 10·t]; zooming
 * interpolates inside the bracket and, when a trial lands within 10% of an end twice running (or
 * outside), moves it 10% inside. Returns the best point satisfying sufficient decrease when the
 * evaluation budget or the bracket width runs out first.
 *
 * @param start φ at t = 0; `start.gtd` must be negative.
 * @param directionNorm largest absolute component of the search direction, to measure bracket widths in x.
 */
export async function strongWolfeLineSearch(
  phi: (t: number) => Promise<LinePoint>,
  start: LinePoint,
  t: number,
  directionNorm: number,
  options: StrongWolfeOptions,
): Promise<LineSearchResult> {
  const { c1, c2, toleranceChange, maxEvaluations } = options;
  const f0 = start.f;
  const gtd0 = start.gtd;
  const armijo = (p: LinePoint) => p.f <= f0 + c1 * p.t * gtd0;
  const curvature = (p: LinePoint) => Math.abs(p.gtd) <= -c2 * gtd0;

  let prev = start;
  let next = await phi(t);
  let evaluations = 1;
  // lo always satisfies sufficient decrease and has the lowest loss seen; the minimiser lies between lo and hi.
  let lo: LinePoint;
  let hi: LinePoint;
  for (;;) {
    if (!armijo(next) || (evaluations > 1 && next.f >= prev.f)) {
      lo = prev;
      hi = next;
      break;
    }
    if (curvature(next)) return { point: next, evaluations };
    if (next.gtd >= 0) {
      lo = next;
      hi = prev;
      break;
    }
    // next lowered the loss and the slope is still negative: it is the best point so far.
    if (evaluations >= maxEvaluations) return { point: next, evaluations };
    const tNext = cubicInterpolate(prev.t, prev.f, prev.gtd, next.t, next.f, next.gtd, next.t + 0.01 * (next.t - prev.t), next.t * 10);
    prev = next;
    next = await phi(tNext);
    evaluations++;
  }

  let insufficientProgress = false;
  while (evaluations < maxEvaluations) {
    const low = Math.min(lo.t, hi.t);
    const high = Math.max(lo.t, hi.t);
    if ((high - low) * directionNorm < toleranceChange) break;
    let tNext = cubicInterpolate(lo.t, lo.f, lo.gtd, hi.t, hi.f, hi.gtd);
    const margin = 0.1 * (high - low);
    if (Math.min(high - tNext, tNext - low) < margin) {
      if (insufficientProgress || tNext >= high || tNext <= low) {
        tNext = Math.abs(tNext - high) < Math.abs(tNext - low) ? high - margin : low + margin;
        insufficientProgress = false;
      } else {
        insufficientProgress = true;
      }
    } else {
      insufficientProgress = false;
    }
    const p = await phi(tNext);
    evaluations++;
    if (!armijo(p) || p.f >= lo.f) {
      hi = p;
    } else {
      if (curvature(p)) return { point: p, evaluations };
      if (p.gtd * (hi.t - lo.t) >= 0) hi = lo;
      lo = p;
    }
  }
  return { point: lo, evaluations };
}
