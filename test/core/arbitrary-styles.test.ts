/**
 * The parts of the arbitrary method the kernel adds around the core function: the styles of a call
 * (listArbitraryStyles), the predictor's memo of style vectors, style vectors as JSON, and the cache key of a
 * .tflite converted from a URL. Stand-in predictors; no model files.
 */
import { describe, expect, it } from 'vitest';
import { TFLITE_CONVERTER_VERSION, isTfliteBytes } from '../../packages/core/src/converters/index.js';
import type { PlanarImage } from '../../packages/core/src/image/image-types.js';
import {
  MemoizedPredictor,
  STYLE_VECTOR_CACHE_SIZE,
  expectStyleVector,
  listArbitraryStyles,
  toStyleVector,
  type StylePredictorRunner,
} from '../../packages/core/src/methods/arbitrary/index.js';
import { convertedModelKey } from '../../packages/core/src/platform/model-reference.js';

const image = (seed: number): PlanarImage => ({ width: 4, height: 2, data: Float32Array.from({ length: 24 }, (_, i) => (i * 31 + seed) % 255) });

/** A predictor whose vector is the image's mean, and which counts its runs. */
function countingPredictor() {
  const runner: StylePredictorRunner & { runs: number } = {
    name: 'stand-in',
    inputSize: { width: 4, height: 2 },
    runs: 0,
    async predict(input) {
      runner.runs++;
      return Float32Array.of(input.data.reduce((s, v) => s + v, 0) / input.data.length, input.data[0]);
    },
  };
  return runner;
}

describe('listArbitraryStyles', () => {
  it('lists images and vectors with their shares of the blend', () => {
    const a = image(1);
    const b = image(2);
    expect(listArbitraryStyles({ styleImage: a })).toEqual([{ image: a, share: 1 }]);
    expect(listArbitraryStyles({ styleImages: [a, { image: b, weight: 3 }] })).toEqual([
      { image: a, share: 0.25 },
      { image: b, share: 0.75 },
    ]);
    const vectors = listArbitraryStyles({ styleVectors: [[1, 2], { vector: { predictor: 'p', values: [3, 4] }, weight: 0 }, Float32Array.of(5, 6)] }, 2);
    expect(vectors.map((v) => [Array.from(v.vector!), v.share])).toEqual([
      [[1, 2], 0.5],
      [[3, 4], 0],
      [[5, 6], 0.5],
    ]);
    expect(Array.from(listArbitraryStyles({ styleVector: { predictor: 'p', values: [7, 8] } })[0].vector!)).toEqual([7, 8]);
  });

  it('refuses no style, two kinds at once, empty lists, bad weights and vectors of another length', () => {
    expect(() => listArbitraryStyles(undefined)).toThrow(new TypeError('Expected an object with one of styleImage, styleImages, styleVector, styleVectors for style but received undefined'));
    expect(() => listArbitraryStyles({})).toThrow(TypeError);
    expect(() => listArbitraryStyles({ styleImages: [image(1)], styleVectors: [[1]] })).toThrow(
      'Expected one of styleImage, styleImages, styleVector, styleVectors for style but received styleImages and styleVectors: give several styles as one list',
    );
    expect(() => listArbitraryStyles({ styleImages: image(1) })).toThrow(TypeError);
    expect(() => listArbitraryStyles({ styleVectors: [] })).toThrow(RangeError);
    expect(() => listArbitraryStyles({ styleImages: [{ image: image(1), weight: 0 }] })).toThrow(/at least one style with a weight above 0/);
    expect(() => listArbitraryStyles({ styleImages: [{ image: image(1), weight: -2 }] })).toThrow(/styleImages\[0\]\.weight/);
    expect(() => listArbitraryStyles({ styleVector: [1, 2, 3] }, 2)).toThrow(new RangeError('Expected 2 for styleVector.length but received 3 of type number'));
    expect(() => listArbitraryStyles({ styleVectors: [{ vector: [1, Infinity] }] })).toThrow(/styleVectors\[0\]\.vector\[1\]/);
    expect(() => listArbitraryStyles({ styleVector: 'v.json' })).toThrow(TypeError);
  });
});

describe('style vectors as JSON', () => {
  it('toStyleVector gives plain data that JSON keeps whole (−0 as 0), taken back as it is', () => {
    const vector = toStyleVector(Float32Array.of(0.1, -0, 3), 'magenta-predictor');
    expect(Object.is(vector.values[1], 0)).toBe(true);
    const parsed = JSON.parse(JSON.stringify(vector));
    expect(parsed).toEqual(vector);
    expect(Array.from(expectStyleVector('styleVector', parsed, 3))).toEqual(Array.from(Float32Array.of(0.1, 0, 3)));
  });
});

describe('MemoizedPredictor', () => {
  it('runs the predictor once per distinct input and hands out copies', async () => {
    const runner = countingPredictor();
    const memo = new MemoizedPredictor(runner);
    const first = await memo.predict(image(1));
    first[0] = -1;
    const again = await memo.predict(image(1));
    expect(again[0]).not.toBe(-1);
    expect(runner.runs).toBe(1);
    await memo.predict(image(2));
    expect(runner.runs).toBe(2);
    expect([memo.name, memo.inputSize, memo.size]).toEqual(['stand-in', { width: 4, height: 2 }, 2]);
  });

  it('forgets the least recently used vector beyond its capacity', async () => {
    expect(STYLE_VECTOR_CACHE_SIZE).toBe(64);
    const runner = countingPredictor();
    const memo = new MemoizedPredictor(runner, 2);
    await memo.predict(image(1));
    await memo.predict(image(2));
    await memo.predict(image(1)); // 1 is now the most recent
    await memo.predict(image(3)); // evicts 2
    expect(runner.runs).toBe(3);
    await memo.predict(image(1));
    expect(runner.runs).toBe(3);
    await memo.predict(image(2));
    expect(runner.runs).toBe(4);
    expect(memo.size).toBe(2);
  });
});

describe('.tflite models by URL', () => {
  it('are told by their identifier and kept under a key with the converter version', () => {
    expect(isTfliteBytes(Uint8Array.of(0x1c, 0, 0, 0, 0x54, 0x46, 0x4c, 0x33))).toBe(true);
    expect(isTfliteBytes(new TextEncoder().encode('....TFL2'))).toBe(false);
    expect(isTfliteBytes(Uint8Array.of(1, 2, 3))).toBe(false);
    const version = encodeURIComponent(TFLITE_CONVERTER_VERSION);
    expect(convertedModelKey('https://h/m/net.tflite#x', undefined)).toBe(`https://h/m/net.tflite.onnx?pastiche-converter=${version}`);
    expect(convertedModelKey('https://h/m/net?v=2', 'ab')).toBe(`https://h/m/net.onnx?v=2&pastiche-converter=${version}&sha256=ab`);
  });
});
