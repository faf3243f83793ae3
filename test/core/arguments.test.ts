import { describe, expect, it } from 'vitest';
import {
  expectNumberIn,
  expectPositiveInteger,
  expectPositiveNumber,
} from '../../packages/core/src/arguments.js';
import type { PlanarImage } from '../../packages/core/src/image/image-types.js';
import { MAX_IMAGE_SIDE, resolveStylizeOptions, type StylizeOptions } from '../../packages/core/src/methods/fast/stylize-options.js';
import { stylizePlanar, stylizeResolved, type RunnableStyleModel } from '../../packages/core/src/methods/fast/stylize-planar.js';
import { buildGatysGraphs, type GatysEngine } from '../../packages/core/src/methods/optimization/gatys-engine.js';
import {
  MAX_GATYS_SCALES,
  resolveGatysOptions,
  type GatysOptions,
} from '../../packages/core/src/methods/optimization/gatys-options.js';
import { optimizeStyle, optimizeStyleResolved } from '../../packages/core/src/methods/optimization/optimize-style.js';
import { resolveStyleImages } from '../../packages/core/src/methods/optimization/style-targets.js';
import { createOptimizer, type Objective, type OptimizerKind } from '../../packages/core/src/optimizers/optimizer.js';
import type { AdamOptions, LbfgsOptions } from '../../packages/core/src/optimizers/optimizer-options.js';
import { expectError, randomPlanar } from './image-helpers.js';

type Case = [options: Record<string, unknown>, type: typeof TypeError | typeof RangeError, message: string];

/** Each bad value, the error class it must throw and its exact message. */
const STYLIZE_CASES: Case[] = [
  [{ size: -3 }, RangeError, 'Expected positive integer for size but received -3 of type number'],
  [{ size: 0 }, RangeError, 'Expected positive integer for size but received 0 of type number'],
  [{ size: 2.5 }, RangeError, 'Expected positive integer for size but received 2.5 of type number'],
  [{ size: NaN }, RangeError, 'Expected positive integer for size but received NaN of type number'],
  [{ size: MAX_IMAGE_SIDE + 1 }, RangeError, 'Expected positive integer ≤ 16384 for size but received 16385 of type number'],
  [{ size: '3' }, TypeError, 'Expected positive integer for size but received "3" of type string'],
  [{ size: null }, TypeError, 'Expected positive integer for size but received null'],
  [{ tile: 0 }, RangeError, 'Expected integer ≥ 32 or false for tile but received 0 of type number'],
  [{ tile: 31 }, RangeError, 'Expected integer ≥ 32 or false for tile but received 31 of type number'],
  [{ tile: 64.5 }, RangeError, 'Expected integer ≥ 32 or false for tile but received 64.5 of type number'],
  [{ tile: true }, TypeError, 'Expected integer ≥ 32 or false for tile but received true of type boolean'],
  [{ tileOverlap: -1 }, RangeError, 'Expected non-negative integer for tileOverlap but received -1 of type number'],
  [{ tileOverlap: '8' }, TypeError, 'Expected non-negative integer for tileOverlap but received "8" of type string'],
  [{ fixedSize: 'crop' }, RangeError, `Expected one of 'tile', 'resize' for fixedSize but received "crop" of type string`],
  [{ fixedSize: 1 }, TypeError, `Expected one of 'tile', 'resize' for fixedSize but received 1 of type number`],
  [{ preserveColors: 'yes' }, TypeError, 'Expected boolean for preserveColors but received "yes" of type string'],
  [{ strength: NaN }, RangeError, 'Expected number between 0 and 1 for strength but received NaN of type number'],
  [{ strength: 2 }, RangeError, 'Expected number between 0 and 1 for strength but received 2 of type number'],
  [{ strength: -0.1 }, RangeError, 'Expected number between 0 and 1 for strength but received -0.1 of type number'],
  [{ strength: '0.5' }, TypeError, 'Expected number between 0 and 1 for strength but received "0.5" of type string'],
  [{ signal: {} }, TypeError, 'Expected an AbortSignal for signal but received an object of type Object'],
  [{ onProgress: 1 }, TypeError, 'Expected a function for onProgress but received 1 of type number'],
];

const GATYS_CASES: Case[] = [
  [{ size: -3 }, RangeError, 'Expected integer between 16 and 16384 for size but received -3 of type number'],
  [{ size: 8 }, RangeError, 'Expected integer between 16 and 16384 for size but received 8 of type number'],
  [{ size: 20000 }, RangeError, 'Expected integer between 16 and 16384 for size but received 20000 of type number'],
  [{ size: '512' }, TypeError, 'Expected integer between 16 and 16384 for size but received "512" of type string'],
  [{ iterations: -1 }, RangeError, 'Expected positive integer for iterations but received -1 of type number'],
  [{ iterations: 0 }, RangeError, 'Expected positive integer for iterations but received 0 of type number'],
  [{ iterations: 1.5 }, RangeError, 'Expected positive integer for iterations but received 1.5 of type number'],
  [{ iterations: '100' }, TypeError, 'Expected positive integer for iterations but received "100" of type string'],
  [{ scales: 0 }, RangeError, 'Expected positive integer for scales but received 0 of type number'],
  [{ scales: MAX_GATYS_SCALES + 1 }, RangeError, 'Expected positive integer ≤ 11 for scales but received 12 of type number'],
  [{ optimizer: 'sgd' }, RangeError, `Expected one of 'lbfgs', 'adam' for optimizer but received "sgd" of type string`],
  [{ optimizer: 3 }, TypeError, `Expected one of 'lbfgs', 'adam' for optimizer but received 3 of type number`],
  [{ learningRate: 0 }, RangeError, 'Expected positive number for learningRate but received 0 of type number'],
  [{ learningRate: Infinity }, RangeError, 'Expected positive number for learningRate but received Infinity of type number'],
  [{ init: 'random' }, RangeError, `Expected one of 'content', 'noise', 'blend' for init but received "random" of type string`],
  [{ initNoise: 1.5 }, RangeError, 'Expected number between 0 and 1 for initNoise but received 1.5 of type number'],
  [{ seed: -1 }, RangeError, 'Expected integer between 0 and 4294967295 for seed but received -1 of type number'],
  [{ seed: 2 ** 32 }, RangeError, 'Expected integer between 0 and 4294967295 for seed but received 4294967296 of type number'],
  [{ contentWeight: -1 }, RangeError, 'Expected number ≥ 0 for contentWeight but received -1 of type number'],
  [{ styleWeight: Infinity }, RangeError, 'Expected number ≥ 0 for styleWeight but received Infinity of type number'],
  [{ tvWeight: '0' }, TypeError, 'Expected number ≥ 0 for tvWeight but received "0" of type string'],
  [{ styleScale: 0 }, RangeError, 'Expected number in (0, 8] for styleScale but received 0 of type number'],
  [{ styleScale: 9 }, RangeError, 'Expected number in (0, 8] for styleScale but received 9 of type number'],
  [{ styleScale: NaN }, RangeError, 'Expected number in (0, 8] for styleScale but received NaN of type number'],
  [{ contentLayers: 'relu1_1' }, TypeError, 'Expected an array of layer names for contentLayers but received "relu1_1" of type string'],
  [{ styleLayers: ['relu1_1', ''] }, RangeError, 'Expected a layer name for styleLayers[1] but received "" of type string'],
  [{ styleLayers: ['relu1_1', 3] }, TypeError, 'Expected a layer name for styleLayers[1] but received 3 of type number'],
  [{ styleLayers: ['relu1_1', 'relu1_1'] }, RangeError, 'Expected a layer not listed before for styleLayers[1] but received "relu1_1" of type string'],
  [
    { contentLayers: [], styleLayers: [] },
    RangeError,
    'Expected at least one layer when contentLayers is empty for styleLayers but received an array of length 0',
  ],
  [{ preserveColors: 1 }, TypeError, 'Expected boolean for preserveColors but received 1 of type number'],
  [{ previewEvery: -1 }, RangeError, 'Expected non-negative integer for previewEvery but received -1 of type number'],
];

const OPTIMIZER_CASES: Array<[kind: OptimizerKind, ...Case]> = [
  ['lbfgs', { maxIterations: 0 }, RangeError, 'Expected positive integer for maxIterations but received 0 of type number'],
  ['lbfgs', { maxIterations: '10' }, TypeError, 'Expected positive integer for maxIterations but received "10" of type string'],
  ['lbfgs', { historySize: 2.5 }, RangeError, 'Expected positive integer for historySize but received 2.5 of type number'],
  ['lbfgs', { learningRate: -1 }, RangeError, 'Expected positive number for learningRate but received -1 of type number'],
  ['lbfgs', { toleranceGrad: NaN }, RangeError, 'Expected number ≥ 0 for toleranceGrad but received NaN of type number'],
  ['lbfgs', { toleranceChange: null }, TypeError, 'Expected number ≥ 0 for toleranceChange but received null'],
  ['lbfgs', { bounds: [0, NaN] }, RangeError, 'Expected number for bounds[1] but received NaN of type number'],
  ['lbfgs', { bounds: [0, '1'] }, TypeError, 'Expected number for bounds[1] but received "1" of type string'],
  ['lbfgs', { bounds: [0] }, RangeError, 'Expected [lower, upper] for bounds but received an array of length 1'],
  ['lbfgs', { bounds: [1, 0] }, RangeError, 'Expected lower < upper for bounds but received [1, 0]'],
  ['lbfgs', { signal: 'stop' }, TypeError, 'Expected an AbortSignal for signal but received "stop" of type string'],
  ['adam', { beta1: 1 }, RangeError, 'Expected number in [0, 1) for beta1 but received 1 of type number'],
  ['adam', { beta2: '0.9' }, TypeError, 'Expected number in [0, 1) for beta2 but received "0.9" of type string'],
  ['adam', { epsilon: 0 }, RangeError, 'Expected positive number for epsilon but received 0 of type number'],
  ['adam', { onProgress: true }, TypeError, 'Expected a function for onProgress but received true of type boolean'],
];

const square: Objective = async (x) => ({ loss: x.reduce((s, v) => s + v * v, 0), grad: x.map((v) => 2 * v) });

describe('stylize options', () => {
  it.each(STYLIZE_CASES)('%o throws %o', (options, type, message) => {
    expectError(() => resolveStylizeOptions(options as StylizeOptions), type, message);
  });

  it('rejects an options argument that is not an object', () => {
    expectError(() => resolveStylizeOptions(null as never), TypeError, 'Expected an options object for options but received null');
  });

  it('accepts the bounds themselves, and resolving twice changes nothing', () => {
    const options: StylizeOptions = { size: MAX_IMAGE_SIDE, tile: 32, tileOverlap: 0, strength: 0, fixedSize: 'resize', preserveColors: true };
    const resolved = resolveStylizeOptions(options);
    expect(resolved).toMatchObject(options);
    expect(resolveStylizeOptions(resolved)).toEqual(resolved);
    expect(resolveStylizeOptions({ tile: false, size: 1, strength: 1 })).toMatchObject({ tile: false, size: 1, strength: 1 });
  });
});

describe('gatys options', () => {
  it.each(GATYS_CASES)('%o throws %o', (options, type, message) => {
    expectError(() => resolveGatysOptions(options as GatysOptions), type, message);
  });

  it('accepts the bounds themselves, and resolving twice changes nothing', () => {
    const options: GatysOptions = { size: 16384, scales: 11, styleScale: 8, seed: 2 ** 32 - 1, initNoise: 1, iterations: 1, contentLayers: [] };
    const resolved = resolveGatysOptions(options);
    expect(resolved).toMatchObject(options);
    expect(resolveGatysOptions(resolved)).toEqual(resolved);
  });
});

describe('gatys engine options', () => {
  it('checks the layer names before building graphs from them', () => {
    const lossNet = { graph: { nodes: [] }, metadataProps: {} } as never;
    expectError(
      () => buildGatysGraphs(lossNet, { contentLayers: 'relu1_1' as never }),
      TypeError,
      'Expected an array of layer names for contentLayers but received "relu1_1" of type string',
    );
    expectError(
      () => buildGatysGraphs(lossNet, { styleLayers: ['a', 'a'] }),
      RangeError,
      'Expected a layer not listed before for styleLayers[1] but received "a" of type string',
    );
    expectError(() => buildGatysGraphs(null as never), TypeError, 'Expected a decoded ONNX model (decodeModel) for lossNet but received null');
  });
});

describe('optimizer options', () => {
  it.each(OPTIMIZER_CASES)('%s %o throws %o', (kind, options, type, message) => {
    expectError(() => createOptimizer(kind, Float32Array.from([1, 2]), square, options as LbfgsOptions & AdamOptions), type, message);
  });

  it('tells an unknown kind (RangeError) from a wrong type (TypeError)', () => {
    const x0 = Float32Array.from([1]);
    expectError(() => createOptimizer('sgd' as never, x0, square), RangeError, `Expected one of 'lbfgs', 'adam' for kind but received "sgd" of type string`);
    expectError(() => createOptimizer(3 as never, x0, square), TypeError, `Expected one of 'lbfgs', 'adam' for kind but received 3 of type number`);
  });
});

describe('the argument module', () => {
  it('describes one-sided and open bounds', () => {
    expect(expectPositiveInteger('n', 16384, 16384)).toBe(16384);
    expectError(() => expectPositiveInteger('n', 0, 8), RangeError, 'Expected positive integer for n but received 0 of type number');
    expectError(() => expectPositiveInteger('n', 9, 8), RangeError, 'Expected positive integer ≤ 8 for n but received 9 of type number');
    expect(expectNumberIn('x', 0, { min: 0, max: 1, maxOpen: true })).toBe(0);
    expectError(() => expectNumberIn('x', 1, { min: 0, max: 1, maxOpen: true }), RangeError, 'Expected number in [0, 1) for x but received 1 of type number');
    expectError(() => expectNumberIn('x', Infinity, { min: 0, max: Infinity }), RangeError, 'Expected number in [0, Infinity] for x but received Infinity of type number');
    expectError(() => expectPositiveNumber('x', 0), RangeError, 'Expected positive number for x but received 0 of type number');
    expectError(() => expectPositiveNumber('x', 9, 8), RangeError, 'Expected number in (0, 8] for x but received 9 of type number');
    expectError(() => expectPositiveNumber('x', '1'), TypeError, 'Expected positive number for x but received "1" of type string');
  });
});

/** A stand-in network that inverts the image, counting its runs. */
function invertingModel(): RunnableStyleModel & { runs: number } {
  const model = {
    name: 'invert',
    fixedSize: undefined,
    conventions: { sizeMultiple: 4 } as RunnableStyleModel['conventions'],
    runs: 0,
    async run(image: PlanarImage): Promise<PlanarImage> {
      model.runs++;
      return { data: image.data.map((v) => 255 - v), width: image.width, height: image.height };
    },
  };
  return model;
}

describe('resolve once', () => {
  it('stylizePlanar checks the content and the options, then runs stylizeResolved', async () => {
    const content = randomPlanar(70, 45);
    const options: StylizeOptions = { size: 60, tile: 32, tileOverlap: 8, strength: 0.5, preserveColors: true };
    const checked = await stylizePlanar(invertingModel(), content, options);
    const resolved = await stylizeResolved(invertingModel(), content, resolveStylizeOptions(options));
    expect([resolved.width, resolved.height]).toEqual([60, 39]);
    expect(Array.from(resolved.data)).toEqual(Array.from(checked.data));
    await expect(stylizePlanar(invertingModel(), content, { tile: 0 })).rejects.toThrow(RangeError);
    await expect(stylizePlanar(invertingModel(), { data: new Float32Array(3), width: 2, height: 2 }, {})).rejects.toThrow(
      new RangeError('Expected 3 * width * height = 12 (2x2) for content.data.length but received 3 of type number'),
    );
  });

  it('optimizeStyle checks the content, styles and options, then runs optimizeStyleResolved', async () => {
    // An engine without layers: only total variation is minimised, enough to run every step of the pipeline.
    const engine = {
      graphs: { contentLayers: [], styleLayers: [], termNames: ['tv_loss'] },
      features: async () => new Map(),
      evaluate: async (x: Float32Array) => ({ loss: x.reduce((s, v) => s + (v - 100) ** 2, 0), terms: {}, grad: x.map((v) => 2 * (v - 100)) }),
    } as unknown as GatysEngine;
    const content = randomPlanar(40, 30);
    const styles = [{ image: randomPlanar(20, 20, 2) }];
    const options: GatysOptions = { size: 32, scales: 2, iterations: 3, optimizer: 'adam', init: 'blend', seed: 7 };
    const checked = await optimizeStyle(engine, content, styles, options);
    const resolved = await optimizeStyleResolved(engine, content, resolveStyleImages(styles), resolveGatysOptions(options));
    expect([resolved.width, resolved.height]).toEqual([32, 24]);
    expect(Array.from(resolved.data)).toEqual(Array.from(checked.data));

    await expect(optimizeStyle(engine, content, styles, { iterations: -1 })).rejects.toThrow(
      new RangeError('Expected positive integer for iterations but received -1 of type number'),
    );
    await expect(optimizeStyle(engine, content, [], {})).rejects.toThrow(new RangeError('Expected at least one style image for styles but received an array of length 0'));
    await expect(optimizeStyle(engine, content, [{ image: content, weight: -1 }], {})).rejects.toThrow(
      new RangeError('Expected number ≥ 0 for styles[0].weight but received -1 of type number'),
    );
  });
});
