import { describe, expect, it } from 'vitest';
import { PasticheError } from '../../packages/core/src/errors.js';
import { LbfgsOptimizer } from '../../packages/core/src/optimizers/lbfgs.js';
import type { IterationResult, Objective } from '../../packages/core/src/optimizers/optimizer.js';
import { SeededRandom } from '../../packages/core/src/optimizers/seeded-random.js';
import { counted, randomQuadratic, rosenbrock, rosenbrockStart } from './problems.js';

function maxAbsError(x: Float32Array, target: ArrayLike<number>): number {
  let max = 0;
  for (let i = 0; i < x.length; i++) max = Math.max(max, Math.abs(x[i] - target[i]));
  return max;
}

/** Smallest and largest element over all evaluated points. */
function range(points: Float32Array[]): [number, number] {
  let min = Infinity;
  let max = -Infinity;
  for (const p of points) for (const v of p) [min, max] = [Math.min(min, v), Math.max(max, v)];
  return [min, max];
}

const ones = (n: number) => new Float64Array(n).fill(1);

/**
 * Reference figures from torch 1.13 `LBFGS(lr=1, history_size=10, line_search_fn='strong_wolfe')` on the
 * same problems (float32 parameters, all evaluations counted, max_eval 5000):
 * Rosenbrock 2-D 36 iterations / 44 evaluations, 100-D 517 / 613, quadratic n=40 κ=1e4 428 / 455.
 */
describe('LbfgsOptimizer', () => {
  it('minimises the 2-D Rosenbrock function from (−1.2, 1) in under 60 evaluations', async () => {
    const { objective, points } = counted(rosenbrock);
    const result = await new LbfgsOptimizer(rosenbrockStart(2), objective, { maxIterations: 1000, maxEvaluations: 1000 }).run();
    expect(result.evaluations).toBe(points.length);
    expect(result.evaluations).toBeLessThan(60);
    expect(result.iterations).toBeLessThan(45);
    expect(maxAbsError(result.x, ones(2))).toBeLessThan(1e-5);
    expect(result.loss).toBeLessThan(1e-10);
    expect(result.reason).toBe('changeTolerance');
  });

  it('minimises the 100-D chained Rosenbrock function in under 700 evaluations', async () => {
    const { objective } = counted(rosenbrock);
    const result = await new LbfgsOptimizer(rosenbrockStart(100), objective, { maxIterations: 2000, maxEvaluations: 2000 }).run();
    expect(result.evaluations).toBeLessThan(700);
    expect(maxAbsError(result.x, ones(100))).toBeLessThan(1e-4);
    expect(result.loss).toBeLessThan(1e-8);
  });

  it('reaches 1e-8 relative error on an ill-conditioned quadratic (n = 40, κ = 1e4)', async () => {
    const q = randomQuadratic(40, 1e4, 7);
    const result = await new LbfgsOptimizer(new Float32Array(40), async (x) => q.evaluate(x), {
      maxIterations: 2000,
      maxEvaluations: 2000,
    }).run();
    expect((result.loss - q.fStar) / Math.abs(q.fStar)).toBeLessThan(1e-8);
    expect(result.evaluations).toBeLessThan(600);
    let error = 0;
    let norm = 0;
    for (let i = 0; i < 40; i++) {
      error += (result.x[i] - q.xStar[i]) ** 2;
      norm += q.xStar[i] ** 2;
    }
    expect(Math.sqrt(error / norm)).toBeLessThan(1e-3);
  });

  it('ends on the box face at a KKT point when the unconstrained minimum lies outside', async () => {
    const n = 40;
    const q = randomQuadratic(n, 1e3, 3, 0.5, 1);
    const lower = 0;
    const upper = 1;
    const { objective, points } = counted((x) => q.evaluate(x));
    const result = await new LbfgsOptimizer(new Float32Array(n).fill(0.5), objective, { bounds: [lower, upper], maxIterations: 500 }).run();

    expect(range(points)).toEqual([lower, upper]);
    const outside = Array.from(q.xStar).filter((v) => v < lower || v > upper).length;
    expect(outside).toBeGreaterThan(5);

    // KKT: zero gradient on free elements, gradient pointing outwards on elements at a bound.
    const g = q.evaluate(result.x).grad;
    const scale = Math.max(...Array.from(q.evaluate(new Float32Array(n).fill(0.5)).grad, Math.abs));
    let violation = 0;
    let atBound = 0;
    for (let i = 0; i < n; i++) {
      const v = result.x[i];
      if (v === lower) violation = Math.max(violation, -g[i]);
      else if (v === upper) violation = Math.max(violation, g[i]);
      else violation = Math.max(violation, Math.abs(g[i]));
      if (v === lower || v === upper) atBound++;
    }
    expect(atBound).toBeGreaterThan(5);
    expect(violation / scale).toBeLessThan(1e-5);

    // The same solution as projected gradient descent in float64, run to convergence.
    const reference = new Float64Array(n).fill(0.5);
    let lipschitz = 0;
    for (let i = 0; i < n; i++) {
      let row = 0;
      for (let j = 0; j < n; j++) row += Math.abs(q.a[i * n + j]);
      lipschitz = Math.max(lipschitz, row);
    }
    const grad = new Float64Array(n);
    for (let k = 0; k < 50_000; k++) {
      for (let i = 0; i < n; i++) {
        let ax = 0;
        for (let j = 0; j < n; j++) ax += q.a[i * n + j] * reference[j];
        grad[i] = ax - q.b[i];
      }
      for (let i = 0; i < n; i++) reference[i] = Math.min(upper, Math.max(lower, reference[i] - grad[i] / lipschitz));
    }
    expect(maxAbsError(result.x, reference)).toBeLessThan(1e-4);
    expect(result.evaluations).toBeLessThan(100);
  });

  it('moves many elements onto the pixel bounds at once (separable quadratic, 12288 elements)', async () => {
    const n = 3 * 64 * 64;
    const random = new SeededRandom(1);
    const curvature = Float64Array.from({ length: n }, () => 1 + 99 * random.uniform());
    const target = Float64Array.from({ length: n }, () => -50 + 350 * random.uniform());
    const { objective, points } = counted((x) => {
      let loss = 0;
      const grad = new Float32Array(n);
      for (let i = 0; i < n; i++) {
        const d = x[i] - target[i];
        loss += 0.5 * curvature[i] * d * d;
        grad[i] = curvature[i] * d;
      }
      return { loss, grad };
    });
    const result = await new LbfgsOptimizer(new Float32Array(n).fill(128), objective, { bounds: [0, 255], maxIterations: 200 }).run();
    expect(range(points)).toEqual([0, 255]);
    expect(maxAbsError(result.x, target.map((t) => Math.min(255, Math.max(0, t))))).toBeLessThan(1e-2);
    expect(result.evaluations).toBeLessThan(200);
  });

  it('projects x0 onto the box and leaves the caller’s array alone', async () => {
    const x0 = Float32Array.from([-3, 0.5, 7]);
    const { objective, points } = counted((x) => ({ loss: x.reduce((s, v) => s + v * v, 0), grad: x.map((v) => 2 * v) }));
    const optimizer = new LbfgsOptimizer(x0, objective, { bounds: [-1, 1] });
    expect(Array.from(optimizer.x)).toEqual([-1, 0.5, 1]);
    await optimizer.run();
    expect(Array.from(x0)).toEqual([-3, 0.5, 7]);
    expect(Array.from(points[0])).toEqual([-1, 0.5, 1]);
  });

  it('is deterministic: the same inputs give bit-identical iterates', async () => {
    const run = async () => {
      const losses: number[] = [];
      const result = await new LbfgsOptimizer(rosenbrockStart(20), async (x) => rosenbrock(x), {
        maxIterations: 60,
        onProgress: (p) => losses.push(p.loss),
      }).run();
      return { result, losses };
    };
    const a = await run();
    const b = await run();
    expect(b.result.x).toEqual(a.result.x);
    expect(new Uint32Array(b.result.x.buffer)).toEqual(new Uint32Array(a.result.x.buffer));
    expect(b.losses).toEqual(a.losses);
    expect(b.result.evaluations).toBe(a.result.evaluations);
  });

  it('copies the gradient, so an objective may reuse one output buffer', async () => {
    const buffer = new Float32Array(10);
    const reusing: Objective = async (x) => {
      const { loss, grad } = rosenbrock(x);
      buffer.set(grad);
      return { loss, grad: buffer };
    };
    const fresh = await new LbfgsOptimizer(rosenbrockStart(10), async (x) => rosenbrock(x), { maxIterations: 50 }).run();
    const reused = await new LbfgsOptimizer(rosenbrockStart(10), reusing, { maxIterations: 50 }).run();
    expect(reused.x).toEqual(fresh.x);
    expect(reused.evaluations).toBe(fresh.evaluations);
  });

  it('backs off from points where the objective is not finite', async () => {
    // Rosenbrock with a wall: NaN once any element leaves [−1.5, 1.5].
    const { objective, points } = counted((x) =>
      x.some((v) => Math.abs(v) > 1.5) ? { loss: NaN, grad: new Float32Array(x.length).fill(NaN) } : rosenbrock(x),
    );
    const result = await new LbfgsOptimizer(Float32Array.from([-1.2, 1]), objective, { learningRate: 10, maxIterations: 200 }).run();
    expect(points.some((p) => p.some((v) => Math.abs(v) > 1.5))).toBe(true);
    expect(maxAbsError(result.x, ones(2))).toBeLessThan(1e-4);
  });

  it('steps one iteration at a time, reporting progress', async () => {
    const progress: IterationResult[] = [];
    const { objective, points } = counted(rosenbrock);
    const optimizer = new LbfgsOptimizer(rosenbrockStart(2), objective, { onProgress: (p) => progress.push(p) });
    expect(optimizer.loss).toBeNaN();
    const first = await optimizer.step();
    expect(first.iteration).toBe(1);
    expect(first.evaluations).toBe(points.length);
    // At (−1.2, 1): f = 24.2, g = (−215.6, −88). PyTorch's first trial step is min(1, 1/‖g‖₁) = 1/303.6.
    expect(points[1][0]).toBeCloseTo(-1.2 + 215.6 / 303.6, 6);
    expect(points[1][1]).toBeCloseTo(1 + 88 / 303.6, 6);
    expect(first.stepSize).toBeGreaterThan(0);
    expect(optimizer.loss).toBe(first.loss);
    expect(first.loss).toBeLessThan(24.2);
    const second = await optimizer.step();
    expect(second.iteration).toBe(2);
    expect(second.evaluations).toBeGreaterThan(first.evaluations);
    expect(progress).toEqual([first, second]);
    expect(second.gradientNorm).toBe(Math.max(...Array.from(rosenbrock(optimizer.x).grad, Math.abs)));
  });

  it('queues overlapping step() calls', async () => {
    const optimizer = new LbfgsOptimizer(rosenbrockStart(2), async (x) => rosenbrock(x));
    const results = await Promise.all([optimizer.step(), optimizer.step(), optimizer.step()]);
    expect(results.map((r) => r.iteration)).toEqual([1, 2, 3]);
    expect(results[2].evaluations).toBe(optimizer.evaluations);
  });

  it('stops on gradientTolerance at the start without iterating', async () => {
    const { objective, points } = counted((x) => ({ loss: 0, grad: new Float32Array(x.length) }));
    const optimizer = new LbfgsOptimizer(new Float32Array(3), objective);
    const result = await optimizer.run();
    expect(result).toMatchObject({ iterations: 0, evaluations: 1, reason: 'gradientTolerance' });
    const again = await optimizer.step();
    expect(again.stop).toBe('gradientTolerance');
    expect(points).toHaveLength(1);
  });

  it('never exceeds maxEvaluations, even inside a line search', async () => {
    for (const maxEvaluations of [1, 2, 5, 13]) {
      const { objective, points } = counted(rosenbrock);
      const result = await new LbfgsOptimizer(rosenbrockStart(2), objective, { maxEvaluations, maxIterations: 100 }).run();
      expect(points.length).toBe(result.evaluations);
      expect(result.evaluations).toBeLessThanOrEqual(maxEvaluations);
      expect(result.reason).toBe('maxEvaluations');
    }
  });

  it('retries with steepest descent, then gives up, when no step lowers the loss', async () => {
    // Rosenbrock whose gradient turns wrong (uphill) after ten evaluations.
    let calls = 0;
    const progress: IterationResult[] = [];
    const optimizer = new LbfgsOptimizer(rosenbrockStart(2), async (x) => {
      const { loss, grad } = rosenbrock(x);
      return { loss, grad: ++calls > 10 ? grad.map((v) => -v) : grad };
    }, { onProgress: (p) => progress.push(p) });
    const result = await optimizer.run();
    expect(result.reason).toBe('lineSearchFailed');
    const failed = progress.filter((p) => p.stepSize === 0);
    expect(failed).toHaveLength(2);
    expect(failed[0].stop).toBeUndefined();
    expect(failed[1].stop).toBe('lineSearchFailed');
    expect(failed[1].loss).toBe(failed[0].loss);
    expect(optimizer.x).toEqual(result.x);
  });

  it('stops after maxIterations', async () => {
    const result = await new LbfgsOptimizer(rosenbrockStart(2), async (x) => rosenbrock(x), { maxIterations: 5 }).run();
    expect(result).toMatchObject({ iterations: 5, reason: 'maxIterations' });
  });

  it('aborts between iterations with E_ABORTED and keeps the last iterate', async () => {
    const controller = new AbortController();
    let snapshot: Float32Array | undefined;
    const optimizer = new LbfgsOptimizer(rosenbrockStart(2), async (x) => rosenbrock(x), {
      signal: controller.signal,
      onProgress: (p) => {
        if (p.iteration === 3) {
          snapshot = optimizer.x.slice();
          controller.abort();
        }
      },
    });
    const error = await optimizer.run().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PasticheError);
    expect((error as PasticheError).code).toBe('E_ABORTED');
    expect(optimizer.iteration).toBe(3);
    expect(optimizer.x).toEqual(snapshot);
  });

  it('aborts inside a line search without moving the iterate', async () => {
    // Unaborted, the first step evaluates x0 and then at least two trial points.
    expect((await new LbfgsOptimizer(rosenbrockStart(2), async (x) => rosenbrock(x)).step()).evaluations).toBeGreaterThan(2);
    const controller = new AbortController();
    let calls = 0;
    const optimizer = new LbfgsOptimizer(rosenbrockStart(2), async (x) => {
      if (++calls === 2) controller.abort(new Error('user cancelled'));
      return rosenbrock(x);
    }, { signal: controller.signal });
    const start = optimizer.x;
    const error = await optimizer.step().catch((e: unknown) => e);
    expect((error as PasticheError).code).toBe('E_ABORTED');
    expect((error as PasticheError).message).toBe('Optimisation was aborted.');
    expect(((error as PasticheError).cause as Error).message).toBe('user cancelled');
    expect(optimizer.x).toBe(start);
    expect(optimizer.iteration).toBe(0);
    expect(optimizer.evaluations).toBe(2);
  });
});
