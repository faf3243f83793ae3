import { describe, expect, it } from 'vitest';
import {
  DIVERGENCE_FACTOR,
  MAX_FEATURE_GROWTH,
  buildGatysGraphs,
  DIVERGENCE_PINNED_SHARE,
  GatysEngine,
  GraphBuilder,
  MIN_LOSS_SIDE,
  MIN_RUN_SIDE,
  PasticheError,
  StyleModel,
  TensorDataType,
  attr,
  encodeModel,
  float32Tensor,
  int64Tensor,
  optimizeStyle,
  stylizePlanar,
  type PlanarImage,
} from '@pastiche/core';
import { nodePlatform } from '../../packages/node/src/node-platform.js';
import { NetBuilder } from '../gradient/helpers/nets.js';
import { randomPlanar } from './image-helpers.js';

const runtime = nodePlatform.runtime;
const FLOAT = TensorDataType.FLOAT;

/** y = f(x) elementwise through one binary op with a constant: Mul by NaN or Infinity, Div by 0, … */
function elementwiseModel(op: string, constant: number): Uint8Array {
  const g = new GraphBuilder('elementwise');
  g.input('x', FLOAT, [1, 3, 'h', 'w']);
  g.node(op, ['x', g.initializer(float32Tensor('k', [], [constant]))], ['y']);
  g.output('y', FLOAT, [1, 3, 'h', 'w']);
  return encodeModel(g.toModel({ metadata: { 'pastiche.name': `${op}-${constant}` } }));
}

/**
 * The identity through a reflect Pad of `pad` pixels and a Slice back, as style networks pad before a wide
 * convolution (candy: 4). onnxruntime refuses it on a side of `pad` pixels or fewer.
 */
function reflectPaddingModel(pad: number): Uint8Array {
  const g = new GraphBuilder('reflect-pad');
  g.input('x', FLOAT, [1, 3, 'h', 'w']);
  const pads = g.initializer(int64Tensor('pads', [8], [0, 0, pad, pad, 0, 0, pad, pad]));
  const [padded] = g.node('Pad', ['x', pads], ['padded'], { mode: attr.string('reflect') });
  const starts = g.initializer(int64Tensor('starts', [2], [pad, pad]));
  const ends = g.initializer(int64Tensor('ends', [2], [-pad, -pad]));
  const axes = g.initializer(int64Tensor('axes', [2], [2, 3]));
  g.node('Slice', [padded, starts, ends, axes], ['y']);
  g.output('y', FLOAT, [1, 3, 'h', 'w']);
  return encodeModel(g.toModel());
}

async function errorOf(promise: Promise<unknown>): Promise<PasticheError> {
  const e = await promise.then(() => undefined, (x: unknown) => x);
  expect(e).toBeInstanceOf(PasticheError);
  return e as PasticheError;
}

describe('a style network that returns NaN or ±Infinity', () => {
  it.each([
    ['Mul', NaN, 'every value NaN'],
    ['Mul', Infinity, 'Infinity (NaN where a pixel is 0)'],
    ['Div', 0, 'x / 0: Infinity, and NaN where a pixel is 0'],
  ])('%s by %s (%s) is E_NUMERIC, not a black or white image', async (op, constant) => {
    const model = await StyleModel.load(elementwiseModel(op, constant), runtime);
    const error = await errorOf(stylizePlanar(model, randomPlanar(40, 32)));
    expect(error.code).toBe('E_NUMERIC');
    expect(error.message).toMatch(new RegExp(`^Style network '${op}-${constant}' returned 3840 NaN or infinite values \\(of 3840\\) for a 40×32 image`));
    expect(error.message).toContain('try the CPU device');
  });

  it('one infinite value among finite ones is enough; finite networks pass untouched', async () => {
    const g = new GraphBuilder('log');
    g.input('x', FLOAT, [1, 3, 'h', 'w']);
    g.node('Log', ['x'], ['y']);
    g.output('y', FLOAT, [1, 3, 'h', 'w']);
    const model = await StyleModel.load(encodeModel(g.toModel()), runtime, { name: 'log' });
    const ones: PlanarImage = { data: new Float32Array(3 * 32 * 32).fill(1), width: 32, height: 32 };
    expect(Array.from((await model.run(ones)).data.subarray(0, 3))).toEqual([0, 0, 0]);
    ones.data[7] = 0; // log 0 = -Infinity
    const error = await errorOf(model.run(ones));
    expect(error.code).toBe('E_NUMERIC');
    expect(error.message).toMatch(/^Style network 'log' returned 1 NaN or infinite value \(of 3072\) for a 32×32 image/);
  });
});

describe('images smaller than a network takes', () => {
  it('the fast method pads them up to MIN_RUN_SIDE and crops back, to the pixel', async () => {
    expect(MIN_RUN_SIDE).toBe(32);
    const model = await StyleModel.load(reflectPaddingModel(4), runtime);
    // Run directly, a 4-pixel side is what onnxruntime refuses (the error the issue quotes).
    const direct = await errorOf(model.run(randomPlanar(4, 4)));
    expect(direct.code).toBe('E_INFERENCE');
    expect(direct.message).toMatch(/Pad reflect: pre-pad \(4\) exceeds/);
    for (const [width, height] of [[1, 1], [3, 2000], [2000, 3], [1, 40], [5, 5]]) {
      const content = randomPlanar(width, height, width + height);
      const out = await stylizePlanar(model, content);
      expect([out.width, out.height]).toEqual([width, height]);
      // The network is the identity: padding and cropping must put every pixel back where it was.
      expect(Array.from(out.data)).toEqual(Array.from(content.data));
    }
    const small = await stylizePlanar(model, randomPlanar(300, 200), { size: 3 });
    expect([small.width, small.height]).toEqual([3, 2]);
  });

  /** An engine with one content and one style layer whose loss is a quadratic: records the sizes it runs at. */
  function recordingEngine(loss: (x: Float32Array, call: number) => number = (x) => x.reduce((s, v) => s + (v - 100) ** 2, 0) / x.length) {
    const sizes: [number, number][] = [];
    let calls = 0;
    const engine = {
      graphs: { contentLayers: ['c'], styleLayers: ['s'], termNames: ['content_loss.c', 'style_loss.s', 'tv_loss'] },
      features: async (image: PlanarImage) => {
        sizes.push([image.width, image.height]);
        return new Map([
          ['content.c', { data: new Float32Array(4).fill(1), dims: [1, 1, 2, 2] }],
          ['gram.s', { data: new Float32Array(1).fill(1), dims: [1, 1, 1] }],
        ]);
      },
      evaluate: async (x: Float32Array, width: number, height: number) => {
        sizes.push([width, height]);
        return { loss: loss(x, calls++), terms: {}, grad: x.map((v) => (2 * (v - 100)) / x.length) };
      },
    } as unknown as GatysEngine;
    return { engine, sizes };
  }

  it('the optimisation method runs the loss network on at least MIN_LOSS_SIDE per side and resizes back', async () => {
    expect(MIN_LOSS_SIDE).toBe(16);
    for (const [[width, height], size, expected] of [
      [[1, 1], 64, [64, 64]],
      [[3, 200], 200, [3, 200]],
      [[200, 3], 100, [100, 2]],
    ] as const) {
      const { engine, sizes } = recordingEngine();
      const out = await optimizeStyle(engine, randomPlanar(width, height), [{ image: randomPlanar(2, 300, 3) }], { size, iterations: 2 });
      expect([out.width, out.height]).toEqual(expected);
      for (const [w, h] of sizes) expect(Math.min(w, h)).toBeGreaterThanOrEqual(MIN_LOSS_SIDE);
    }
  });

  it('a real loss network runs at every scale of a 3×200 image', async () => {
    const b = new NetBuilder(4);
    const r1 = b.layer(b.op('Relu', [b.conv(b.preprocess(), 3, 4, { k: [3, 3], strides: [2, 2] })], {}, 'relu1'));
    const pool = b.op('MaxPool', [r1], { kernel_shape: attr.ints([3, 3]), strides: attr.ints([2, 2]) }, 'pool1');
    b.layer(b.op('Relu', [b.conv(pool, 4, 4, { k: [3, 3] })], {}, 'relu2'));
    const engine = await GatysEngine.fromLossNetwork(runtime, b.build(), { contentLayers: ['relu2'], styleLayers: ['relu1', 'relu2'] });
    try {
      const out = await optimizeStyle(engine, randomPlanar(3, 200), [{ image: randomPlanar(3, 200, 2) }], { size: 200, iterations: 2 });
      expect([out.width, out.height]).toEqual([3, 200]);
      // Run on a thinner image than it takes, the engine's own error is typed.
      const error = await errorOf(engine.features(randomPlanar(3, 40)));
      expect(error.code).toBe('E_INFERENCE');
      expect(error.message).toMatch(/^Running the features graph of 'loss network' on a 3×40 image failed: /);
    } finally {
      await engine.dispose();
    }
  });
});

describe('an optimisation whose loss becomes NaN or infinite', () => {
  const content = () => randomPlanar(40, 30);
  const styles = () => [{ image: randomPlanar(20, 20, 2) }];

  it.each(['lbfgs', 'adam'] as const)('NaN at the start is E_NUMERIC (%s)', async (optimizer) => {
    const { engine } = lossEngine(() => NaN);
    const error = await errorOf(optimizeStyle(engine, content(), styles(), { size: 32, scales: 1, iterations: 5, optimizer }));
    expect(error.code).toBe('E_NUMERIC');
    expect(error.message).toMatch(/^The optimisation diverged at scale 1 of 1 \(32×24\), iteration 1: the loss became NaN\. /);
    expect(error.cause).toBeInstanceOf(RangeError);
  });

  it('Adam diverging to Infinity part way is E_NUMERIC', async () => {
    const { engine } = lossEngine((x, call) => (call < 3 ? x.reduce((s, v) => s + (v - 100) ** 2, 0) : Infinity));
    const error = await errorOf(optimizeStyle(engine, content(), styles(), { size: 32, scales: 1, iterations: 10, optimizer: 'adam' }));
    expect(error.code).toBe('E_NUMERIC');
    expect(error.message).toContain('the loss became Infinity');
    expect(error.message).toContain('learningRate');
  });

  it('L-BFGS stepping back from a non-finite trial point is no error', async () => {
    // Infinite beyond a ball around the start: the line search backtracks, the run goes on.
    const { engine } = lossEngine((x) => {
      let sum = 0;
      for (const v of x) sum += (v - 100) ** 2;
      return x.some((v) => v > 250) ? Infinity : sum / x.length;
    });
    const out = await optimizeStyle(engine, content(), styles(), { size: 32, scales: 1, iterations: 5 });
    expect(out.data.every(Number.isFinite)).toBe(true);
  });

  it('a loss that stays finite but ends over DIVERGENCE_FACTOR times its start is E_NUMERIC', async () => {
    // Rises with every evaluation: 1, 101, 201, … (6 evaluations for 5 iterations); Adam steps on regardless.
    const { engine } = lossEngine((_x, call) => 1 + 100 * call);
    const error = await errorOf(optimizeStyle(engine, content(), styles(), { size: 32, scales: 1, iterations: 5, optimizer: 'adam' }));
    expect(error.code).toBe('E_NUMERIC');
    expect(error.message).toMatch(
      new RegExp(`^The optimisation diverged at scale 1 of 1 \\(32×24\\): its loss grew from 1\\.00 to 501 \\(×501, more than ×${DIVERGENCE_FACTOR}\\) instead of falling\\. `),
    );
  });

  it('pixels pinned at 0 or 255 by a runaway optimiser are E_NUMERIC, though the loss falls', async () => {
    // A gradient that pushes every pixel up, hard: Adam drives them all to the 255 bound.
    let calls = 0;
    const engine = { ...lossEngine(() => 0).engine, evaluate: async (x: Float32Array) => ({ loss: 100 - calls++, terms: {}, grad: x.map(() => -1e6) }) } as unknown as GatysEngine;
    const error = await errorOf(optimizeStyle(engine, content(), styles(), { size: 32, scales: 1, iterations: 10, optimizer: 'adam', learningRate: 1000 }));
    expect(error.code).toBe('E_NUMERIC');
    expect(error.message).toMatch(/^The optimisation diverged at scale 1 of 1 \(32×24\): 100% of the pixel values ended pinned at 0 or 255 \(\d+% at its start\)/);
    expect(DIVERGENCE_PINNED_SHARE).toBe(0.5);
  });

  it('a sound run that falls, or rises less than DIVERGENCE_FACTOR times, is no error', async () => {
    const { engine } = lossEngine((x) => x.reduce((s, v) => s + (v - 100) ** 2, 0) / x.length);
    const out = await optimizeStyle(engine, content(), styles(), { size: 32, scales: 2, iterations: 5, optimizer: 'adam' });
    expect(out.width).toBe(32);
    const rising = lossEngine((_x, call) => 1 + call).engine;
    const risen = await optimizeStyle(rising, content(), styles(), { size: 32, scales: 1, iterations: 5, optimizer: 'adam' });
    expect(risen.data.every(Number.isFinite)).toBe(true);
  });

  it('features that are not finite are E_NUMERIC before any optimisation', async () => {
    const b = new NetBuilder(5);
    const overflow = b.op('Mul', [b.preprocess(), b.constant([1], [Infinity])]);
    b.layer(b.op('Relu', [b.conv(overflow, 3, 4, { pads: [1, 1, 1, 1] })], {}, 'relu1'));
    const engine = await GatysEngine.fromLossNetwork(runtime, b.build(), { contentLayers: ['relu1'], styleLayers: ['relu1'] });
    try {
      const error = await errorOf(optimizeStyle(engine, content(), styles(), { size: 32, scales: 1, iterations: 2 }));
      expect(error.code).toBe('E_NUMERIC');
      expect(error.message).toMatch(/^Loss network 'loss network' returned (NaN|Infinity) in /);
    } finally {
      await engine.dispose();
    }
  });
});

/** An engine whose loss is `loss` (gradient that of a quadratic): enough to drive the optimisers. */
function lossEngine(loss: (x: Float32Array, call: number) => number) {
  let calls = 0;
  const engine = {
    graphs: { contentLayers: ['c'], styleLayers: ['s'], termNames: ['content_loss.c', 'style_loss.s', 'tv_loss'] },
    features: async () =>
      new Map([
        ['content.c', { data: new Float32Array(4).fill(1), dims: [1, 1, 2, 2] }],
        ['gram.s', { data: new Float32Array(1).fill(1), dims: [1, 1, 1] }],
      ]),
    evaluate: async (x: Float32Array) => ({ loss: loss(x, calls++), terms: {}, grad: x.map((v) => (2 * (v - 100)) / x.length) }),
  } as unknown as GatysEngine;
  return { engine };
}

describe('loss networks whose feature maps would blow up (found by fuzzing)', () => {
  const content = () => randomPlanar(16, 16);
  const styles = () => [{ image: randomPlanar(16, 16, 2) }];

  it.each([
    ['a pad wider than the kernel', { pads: [0, 64, 100000, 64] }, /^Cannot differentiate Conv .*: pads \[0, 64, 100000, 64\] are not 4 integers from 0 to the kernel's extent \[3, 3\]/],
    ['a stride of 0', { pads: [1, 1, 1, 1], strides: [0, 1] }, /^Cannot differentiate Conv .*: strides \[0, 1\] is not 2 positive integers/],
  ])('a Conv with %s is E_MODEL_SIGNATURE when the graphs are built', (_name, conv, message) => {
    const b = new NetBuilder(3);
    b.layer(b.op('Relu', [b.conv(b.preprocess(), 3, 4, conv)], {}, 'relu1'));
    let error: unknown;
    try {
      buildGatysGraphs(b.build(), { contentLayers: ['relu1'], styleLayers: ['relu1'] });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PasticheError);
    expect((error as PasticheError).code).toBe('E_MODEL_SIGNATURE');
    expect((error as Error).message).toMatch(message);
  });

  it(`a content map over MAX_FEATURE_GROWTH (${MAX_FEATURE_GROWTH}) times the image is E_MODEL_SIGNATURE before any evaluation`, async () => {
    // A Pad of 40 pixels: a 16×16 image becomes a 96×96 map, 36 times its size.
    const b = new NetBuilder(4);
    const padded = b.op('Pad', [b.preprocess(), b.ints([0, 0, 40, 40, 0, 0, 40, 40])]);
    b.layer(b.op('Relu', [b.conv(padded, 3, 4, { pads: [1, 1, 1, 1] })], {}, 'relu1'));
    const engine = await GatysEngine.fromLossNetwork(runtime, b.build(), { contentLayers: ['relu1'], styleLayers: ['relu1'] });
    try {
      const error = await errorOf(optimizeStyle(engine, content(), styles(), { size: 16, scales: 1, iterations: 2 }));
      expect(error.code).toBe('E_MODEL_SIGNATURE');
      expect(error.message).toMatch(/^Loss network '.*' returned a 96×96 map at content\.relu1 for a 16×16 image, over 4 times its size: /);
    } finally {
      await engine.dispose();
    }
  });
});

