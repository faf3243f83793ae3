import type { Objective } from '../../packages/core/src/optimizers/optimizer.js';
import { SeededRandom } from '../../packages/core/src/optimizers/seeded-random.js';

/** Chained Rosenbrock, Σ 100(x[i+1] − x[i]²)² + (1 − x[i])², minimum 0 at (1, …, 1); computed in float64. */
export function rosenbrock(x: Float32Array): { loss: number; grad: Float32Array } {
  const n = x.length;
  const grad = new Float64Array(n);
  let loss = 0;
  for (let i = 0; i < n - 1; i++) {
    const a = x[i + 1] - x[i] * x[i];
    const b = 1 - x[i];
    loss += 100 * a * a + b * b;
    grad[i] += -400 * x[i] * a - 2 * b;
    grad[i + 1] += 200 * a;
  }
  return { loss, grad: Float32Array.from(grad) };
}

/** The classic start (−1.2, 1, −1.2, 1, …). */
export function rosenbrockStart(n: number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => (i % 2 === 0 ? -1.2 : 1));
}

/** Wraps a synchronous function as an {@link Objective} and records every point it is given. */
export function counted(fn: (x: Float32Array) => { loss: number; grad: Float32Array }): { objective: Objective; points: Float32Array[] } {
  const points: Float32Array[] = [];
  const objective: Objective = async (x) => {
    points.push(x.slice());
    return fn(x);
  };
  return { objective, points };
}

export interface Quadratic {
  n: number;
  /** Row-major, symmetric positive definite. */
  a: Float64Array;
  b: Float64Array;
  /** Unconstrained minimiser A⁻¹b and its loss. */
  xStar: Float64Array;
  fStar: number;
  evaluate(x: Float32Array): { loss: number; grad: Float32Array };
}

/**
 * f(x) = ½xᵀAx − bᵀx with A = Q·diag(λ)·Qᵀ, λ log-spaced in [1, condition], Q a random orthogonal
 * matrix (Gram–Schmidt of a seeded normal matrix) and b = A·x* for a chosen or random x*.
 */
export function randomQuadratic(n: number, condition: number, seed: number, xStarMean = 0, xStarScale = 1): Quadratic {
  const random = new SeededRandom(seed);
  const q: Float64Array[] = [];
  while (q.length < n) {
    const v = Float64Array.from({ length: n }, () => random.normal());
    // Two Gram–Schmidt passes keep Q orthogonal to float64 precision.
    for (let pass = 0; pass < 2; pass++) {
      for (const u of q) {
        let d = 0;
        for (let i = 0; i < n; i++) d += u[i] * v[i];
        for (let i = 0; i < n; i++) v[i] -= d * u[i];
      }
    }
    let norm = 0;
    for (let i = 0; i < n; i++) norm += v[i] * v[i];
    norm = Math.sqrt(norm);
    for (let i = 0; i < n; i++) v[i] /= norm;
    q.push(v);
  }
  const lambda = Float64Array.from({ length: n }, (_, k) => condition ** (k / (n - 1)));
  const a = new Float64Array(n * n);
  for (let k = 0; k < n; k++) {
    const u = q[k];
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) a[i * n + j] += lambda[k] * u[i] * u[j];
  }
  const xStar = Float64Array.from({ length: n }, () => xStarMean + xStarScale * random.normal());
  const b = new Float64Array(n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) b[i] += a[i * n + j] * xStar[j];
  let bx = 0;
  for (let i = 0; i < n; i++) bx += b[i] * xStar[i];
  const evaluate = (x: Float32Array) => {
    const grad = new Float32Array(n);
    let loss = 0;
    for (let i = 0; i < n; i++) {
      let ax = 0;
      for (let j = 0; j < n; j++) ax += a[i * n + j] * x[j];
      loss += x[i] * (0.5 * ax - b[i]);
      grad[i] = ax - b[i];
    }
    return { loss, grad };
  };
  return { n, a, b, xStar, fStar: -0.5 * bx, evaluate };
}
