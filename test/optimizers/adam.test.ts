import { describe, expect, it } from 'vitest';
import { PasticheError } from '../../packages/core/src/errors.js';
import { AdamOptimizer } from '../../packages/core/src/optimizers/adam.js';
import { SeededRandom } from '../../packages/core/src/optimizers/seeded-random.js';
import { counted, randomQuadratic } from './problems.js';

/** f = ½·1·(x₀ − 3)² + ½·4·(x₁ + 2)². */
const separable = (x: Float32Array) => ({
  loss: 0.5 * (x[0] - 3) ** 2 + 2 * (x[1] + 2) ** 2,
  grad: Float32Array.from([x[0] - 3, 4 * (x[1] + 2)]),
});

describe('AdamOptimizer', () => {
  it('matches torch.optim.Adam(lr=0.1) step for step', async () => {
    const optimizer = new AdamOptimizer(new Float32Array(2), async (x) => separable(x), { learningRate: 0.1 });
    // torch 1.13, float32 parameters, same objective from (0, 0).
    const torch = [
      [0.10000000149011612, -0.09999998658895493],
      [0.19989728927612305, -0.19983351230621338],
      [0.2996184825897217, -0.29937660694122314],
    ];
    for (const expected of torch) {
      const result = await optimizer.step();
      expect(result.stepSize).toBe(0.1);
      expect(optimizer.x[0]).toBeCloseTo(expected[0], 6);
      expect(optimizer.x[1]).toBeCloseTo(expected[1], 6);
      expect(result.loss).toBe(separable(optimizer.x).loss);
    }
    // The loss always belongs to x: n iterations, n + 1 evaluations.
    expect(optimizer.evaluations).toBe(4);
  });

  it('decreases an ill-conditioned quadratic', async () => {
    const q = randomQuadratic(20, 100, 11);
    const losses: number[] = [];
    const result = await new AdamOptimizer(new Float32Array(20), async (x) => q.evaluate(x), {
      learningRate: 0.05,
      maxIterations: 400,
      onProgress: (p) => losses.push(p.loss),
    }).run();
    expect(result).toMatchObject({ iterations: 400, evaluations: 401, reason: 'maxIterations' });
    const start = q.evaluate(new Float32Array(20)).loss;
    expect((result.loss - q.fStar) / (start - q.fStar)).toBeLessThan(1e-3);
    expect(losses[losses.length - 1]).toBeLessThan(losses[0]);
  });

  it('clamps every iterate into the bounds and converges to the clamped optimum', async () => {
    const random = new SeededRandom(5);
    const n = 30;
    const curvature = Float64Array.from({ length: n }, () => 1 + 9 * random.uniform());
    const target = Float64Array.from({ length: n }, () => -1 + 3 * random.uniform());
    const { objective, points } = counted((x) => {
      let loss = 0;
      const grad = new Float32Array(n);
      for (let i = 0; i < n; i++) {
        loss += 0.5 * curvature[i] * (x[i] - target[i]) ** 2;
        grad[i] = curvature[i] * (x[i] - target[i]);
      }
      return { loss, grad };
    });
    const result = await new AdamOptimizer(new Float32Array(n).fill(0.5), objective, {
      bounds: [0, 1],
      learningRate: 0.05,
      maxIterations: 300,
    }).run();
    let min = Infinity;
    let max = -Infinity;
    for (const p of points) for (const v of p) [min, max] = [Math.min(min, v), Math.max(max, v)];
    expect([min, max]).toEqual([0, 1]);
    for (let i = 0; i < n; i++) {
      if (target[i] < 0) expect(result.x[i]).toBe(0);
      else if (target[i] > 1) expect(result.x[i]).toBe(1);
      else expect(Math.abs(result.x[i] - target[i])).toBeLessThan(1e-2);
    }
  });

  it('is deterministic', async () => {
    const run = () => new AdamOptimizer(Float32Array.from([5, 5]), async (x) => separable(x), { maxIterations: 50, learningRate: 0.3 }).run();
    const [a, b] = [await run(), await run()];
    expect(new Uint32Array(b.x.buffer)).toEqual(new Uint32Array(a.x.buffer));
    expect(b.loss).toBe(a.loss);
  });

  it('fails with a RangeError when the objective diverges', async () => {
    const optimizer = new AdamOptimizer(Float32Array.from([1]), async (x) => ({ loss: x[0] > 1 ? NaN : x[0], grad: Float32Array.from([-1]) }));
    await expect(optimizer.step()).rejects.toThrow(
      new RangeError('Expected objective to return a finite loss and gradient at iteration 1 but received loss NaN'),
    );
  });

  it('retries an aborted step from the same moments', async () => {
    const controller = new AbortController();
    let calls = 0;
    const aborting = new AdamOptimizer(Float32Array.from([0, 0]), async (x) => {
      if (++calls === 3) controller.abort();
      return separable(x);
    }, { learningRate: 0.1, signal: controller.signal });
    await aborting.step();
    await aborting.step();
    expect(controller.signal.aborted).toBe(true);
    await expect(aborting.step()).rejects.toBeInstanceOf(PasticheError);
    expect(aborting.iteration).toBe(2);

    const plain = new AdamOptimizer(Float32Array.from([0, 0]), async (x) => separable(x), { learningRate: 0.1 });
    await plain.step();
    await plain.step();
    expect(aborting.x).toEqual(plain.x);
  });
});
