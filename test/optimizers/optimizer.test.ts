import { describe, expect, it } from 'vitest';
import * as optimize from '../../packages/core/src/optimizers/index.js';
import { AdamOptimizer } from '../../packages/core/src/optimizers/adam.js';
import { LbfgsOptimizer } from '../../packages/core/src/optimizers/lbfgs.js';
import { createOptimizer, type Objective } from '../../packages/core/src/optimizers/optimizer.js';
import { resolveAdamOptions, resolveLbfgsOptions } from '../../packages/core/src/optimizers/optimizer-options.js';

const square: Objective = async (x) => ({ loss: x.reduce((s, v) => s + v * v, 0), grad: x.map((v) => 2 * v) });
const x0 = Float32Array.from([1, -2]);

describe('createOptimizer', () => {
  it('creates either kind', async () => {
    const lbfgs = createOptimizer('lbfgs', x0, square);
    const adam = createOptimizer('adam', x0, square, { learningRate: 0.5 });
    expect(lbfgs).toBeInstanceOf(LbfgsOptimizer);
    expect(adam).toBeInstanceOf(AdamOptimizer);
    expect([lbfgs.kind, adam.kind]).toEqual(['lbfgs', 'adam']);
    const result = await lbfgs.run();
    expect(result.loss).toBeLessThan(1e-12);
    expect(result.reason).toBe('gradientTolerance');
  });

  it('rejects an unknown kind', () => {
    expect(() => createOptimizer('sgd' as 'adam', x0, square)).toThrow(new RangeError(`Expected one of 'lbfgs', 'adam' for kind but received "sgd" of type string`));
  });

  it('exports the public names from the barrel', () => {
    expect(Object.keys(optimize).sort()).toEqual([
      'AdamOptimizer',
      'DEFAULT_ADAM_BETA1',
      'DEFAULT_ADAM_BETA2',
      'DEFAULT_ADAM_EPSILON',
      'DEFAULT_ADAM_LEARNING_RATE',
      'DEFAULT_LBFGS_HISTORY_SIZE',
      'DEFAULT_LBFGS_LEARNING_RATE',
      'DEFAULT_MAX_ITERATIONS',
      'DEFAULT_MAX_LINE_SEARCH_EVALUATIONS',
      'DEFAULT_TOLERANCE_CHANGE',
      'DEFAULT_TOLERANCE_GRAD',
      'LbfgsOptimizer',
      'SeededRandom',
      'applyAdamDefaults',
      'applyLbfgsDefaults',
      'createOptimizer',
      'createResolvedOptimizer',
      'resolveAdamOptions',
      'resolveLbfgsOptions',
    ]);
  });
});

describe('option defaults', () => {
  it('applies the documented defaults in one place', () => {
    expect(resolveLbfgsOptions()).toEqual({
      lower: -Infinity,
      upper: Infinity,
      maxIterations: 500,
      toleranceGrad: 1e-7,
      signal: undefined,
      onProgress: undefined,
      learningRate: 1,
      historySize: 10,
      maxEvaluations: 625,
      maxLineSearchEvaluations: 25,
      toleranceChange: 1e-9,
    });
    expect(resolveLbfgsOptions({ maxIterations: 3 }).maxEvaluations).toBe(4);
    expect(resolveAdamOptions({ bounds: [0, 255] })).toMatchObject({ lower: 0, upper: 255, learningRate: 10, beta1: 0.9, beta2: 0.999, epsilon: 1e-8 });
  });
});

describe('argument errors', () => {
  const lbfgs = (x: unknown, objective: unknown, options?: unknown) =>
    () => new LbfgsOptimizer(x as Float32Array, objective as Objective, options as optimize.LbfgsOptions);

  it('names the start point and the objective', () => {
    expect(lbfgs([1, 2], square)).toThrow(new TypeError('Expected Float32Array for x0 but received an array of length 2'));
    expect(lbfgs(new Float64Array(2), square)).toThrow(new TypeError('Expected Float32Array for x0 but received an object of type Float64Array'));
    expect(lbfgs(new Float32Array(0), square)).toThrow(new RangeError('Expected a non-empty Float32Array for x0 but received length 0'));
    expect(lbfgs(Float32Array.from([0, NaN]), square)).toThrow(new RangeError('Expected finite number for x0[1] but received NaN of type number'));
    expect(lbfgs(x0, 'f')).toThrow(new TypeError('Expected a function for objective but received "f" of type string'));
  });

  it('names each option', () => {
    expect(lbfgs(x0, square, 5)).toThrow(new TypeError('Expected an options object for options but received 5 of type number'));
    expect(lbfgs(x0, square, { historySize: 0 })).toThrow(new RangeError('Expected positive integer for historySize but received 0 of type number'));
    expect(lbfgs(x0, square, { historySize: 2.5 })).toThrow(new RangeError('Expected positive integer for historySize but received 2.5 of type number'));
    expect(lbfgs(x0, square, { maxIterations: '10' })).toThrow(new TypeError('Expected positive integer for maxIterations but received "10" of type string'));
    expect(lbfgs(x0, square, { maxEvaluations: -1 })).toThrow(new RangeError('Expected positive integer for maxEvaluations but received -1 of type number'));
    expect(lbfgs(x0, square, { maxLineSearchEvaluations: NaN })).toThrow(
      new RangeError('Expected positive integer for maxLineSearchEvaluations but received NaN of type number'),
    );
    expect(lbfgs(x0, square, { learningRate: 0 })).toThrow(new RangeError('Expected positive number for learningRate but received 0 of type number'));
    expect(lbfgs(x0, square, { learningRate: Infinity })).toThrow(new RangeError('Expected positive number for learningRate but received Infinity of type number'));
    expect(lbfgs(x0, square, { toleranceGrad: -1 })).toThrow(new RangeError('Expected number ≥ 0 for toleranceGrad but received -1 of type number'));
    expect(lbfgs(x0, square, { toleranceChange: null })).toThrow(new TypeError('Expected number ≥ 0 for toleranceChange but received null'));
    expect(lbfgs(x0, square, { bounds: [0] })).toThrow(new RangeError('Expected [lower, upper] for bounds but received an array of length 1'));
    expect(lbfgs(x0, square, { bounds: { lower: 0, upper: 1 } })).toThrow(
      new TypeError('Expected [lower, upper] for bounds but received an object of type Object'),
    );
    expect(lbfgs(x0, square, { bounds: [1, 0] })).toThrow(new RangeError('Expected lower < upper for bounds but received [1, 0]'));
    expect(lbfgs(x0, square, { onProgress: true })).toThrow(new TypeError('Expected a function for onProgress but received true of type boolean'));

    const adam = (options: unknown) => () => new AdamOptimizer(x0, square, options as optimize.AdamOptions);
    expect(adam({ beta1: 1 })).toThrow(new RangeError('Expected number in [0, 1) for beta1 but received 1 of type number'));
    expect(adam({ beta2: '0.9' })).toThrow(new TypeError('Expected number in [0, 1) for beta2 but received "0.9" of type string'));
    expect(adam({ epsilon: 0 })).toThrow(new RangeError('Expected positive number for epsilon but received 0 of type number'));
  });

  it('names what the objective returned', async () => {
    const returns = (value: unknown) => new LbfgsOptimizer(x0, (async () => value) as unknown as Objective);
    await expect(returns(3).step()).rejects.toThrow(
      new TypeError("Expected { loss: number, grad: Float32Array } for the objective's result but received 3 of type number"),
    );
    await expect(returns({ loss: 1, grad: [1, 2] }).step()).rejects.toThrow(
      new TypeError("Expected { loss: number, grad: Float32Array } for the objective's result but received an object of type Object"),
    );
    await expect(returns({ loss: 1, grad: new Float32Array(3) }).step()).rejects.toThrow(
      new RangeError("Expected length 2 (that of x) for the objective's grad but received length 3"),
    );
    await expect(returns({ loss: NaN, grad: new Float32Array(2) }).step()).rejects.toThrow(
      new RangeError('Expected objective to return a finite loss and gradient at x0 but received loss NaN'),
    );
    await expect(returns({ loss: 1, grad: Float32Array.from([1, Infinity]) }).step()).rejects.toThrow(
      new RangeError('Expected objective to return a finite loss and gradient at x0 but received loss 1 with non-finite gradient elements'),
    );
  });
});
