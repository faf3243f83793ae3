import { describe, expect, it } from 'vitest';
import { PasticheError } from '../../packages/core/src/errors.js';
import { planarToTensor, tensorToPlanar, validateConventions } from '../../packages/core/src/image/tensor-conversion.js';
import type { TensorConventions } from '../../packages/core/src/image/tensor-conventions.js';
import { expectError, maxAbsDiff, planar, randomPlanar } from './image-helpers.js';

// 2x2 image; pixels in row order (0,0) (1,0) (0,1) (1,1).
const R = [10, 20, 30, 40];
const G = [50, 60, 70, 80];
const B = [90, 100, 110, 120];
const img2x2 = planar(2, 2, R, G, B);

const base: TensorConventions = { layout: 'NCHW', range: '0-255', channelOrder: 'RGB', batch: true };

function expectCloseArray(actual: Float32Array, expected: number[], tol: number): void {
  expect(actual.length).toBe(expected.length);
  expect(maxAbsDiff(actual, expected)).toBeLessThanOrEqual(tol);
}

describe('planarToTensor on a 2x2 image', () => {
  it('NCHW RGB 0-255 with batch is the planar data itself', () => {
    const t = planarToTensor(img2x2, base);
    expect(t.dims).toEqual([1, 3, 2, 2]);
    expect(Array.from(t.data)).toEqual([...R, ...G, ...B]);
  });

  it('NHWC BGR 0-255 without batch interleaves B, G, R per pixel', () => {
    const t = planarToTensor(img2x2, { ...base, layout: 'NHWC', channelOrder: 'BGR', batch: false });
    expect(t.dims).toEqual([2, 2, 3]);
    expect(Array.from(t.data)).toEqual([90, 50, 10, 100, 60, 20, 110, 70, 30, 120, 80, 40]);
  });

  it('subtracts the mean and divides by std in the tensor (BGR) channel order', () => {
    const t = planarToTensor(img2x2, { ...base, channelOrder: 'BGR', mean: [104, 117, 123], std: [2, 4, 8] });
    expect(t.dims).toEqual([1, 3, 2, 2]);
    expect(Array.from(t.data)).toEqual([
      -7, -2, 3, 8, // B: (90 - 104) / 2 ...
      -16.75, -14.25, -11.75, -9.25, // G: (50 - 117) / 4 ...
      -14.125, -12.875, -11.625, -10.375, // R: (10 - 123) / 8 ...
    ]);
  });

  it('scales to 0-1 and to -1-1', () => {
    const img = planar(2, 2, [0, 255, 51, 204], [0, 0, 0, 0], [255, 255, 255, 255]);
    expectCloseArray(planarToTensor(img, { ...base, range: '0-1' }).data, [0, 1, 0.2, 0.8, 0, 0, 0, 0, 1, 1, 1, 1], 1e-7);
    expectCloseArray(
      planarToTensor(img, { ...base, range: '-1-1', layout: 'NHWC' }).data,
      [-1, -1, 1, 1, -1, 1, -0.6, -1, 1, 0.6, -1, 1],
      1e-6,
    );
  });

  it('applies ImageNet normalisation after 0-1 scaling', () => {
    const mean = [0.485, 0.456, 0.406] as const;
    const std = [0.229, 0.224, 0.225] as const;
    const t = planarToTensor(img2x2, { ...base, range: '0-1', mean, std });
    const expected = [R, G, B].flatMap((plane, c) => plane.map((v) => (v / 255 - mean[c]) / std[c]));
    expectCloseArray(t.data, expected, 1e-6);
  });

  it('puts x along the last axis and y before it for a non-square image', () => {
    // 3 wide, 2 high; pixel (x, y) has R = 10 * y + x.
    const img = planar(3, 2, [0, 1, 2, 10, 11, 12], [0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0]);
    const nhwc = planarToTensor(img, { ...base, layout: 'NHWC' });
    expect(nhwc.dims).toEqual([1, 2, 3, 3]);
    expect(nhwc.data[(1 * 3 + 2) * 3]).toBe(12);
    const nchw = planarToTensor(img, base);
    expect(nchw.dims).toEqual([1, 3, 2, 3]);
    expect(nchw.data[1 * 3 + 2]).toBe(12);
  });
});

describe('tensorToPlanar', () => {
  const layouts = ['NCHW', 'NHWC'] as const;
  const ranges = ['0-255', '0-1', '-1-1'] as const;
  const orders = ['RGB', 'BGR'] as const;
  const norms = [
    {},
    { mean: [104, 117, 123] as const },
    { mean: [0.485, 0.456, 0.406] as const, std: [0.229, 0.224, 0.225] as const },
  ];
  const img = randomPlanar(5, 3, 7);
  const cases = layouts.flatMap((layout) =>
    ranges.flatMap((range) =>
      orders.flatMap((channelOrder) =>
        norms.flatMap((norm) => [true, false].map((batch): TensorConventions => ({ layout, range, channelOrder, batch, ...norm }))),
      ),
    ),
  );

  it('covers all 72 convention combinations', () => expect(cases.length).toBe(72));

  it.each(cases.map((c) => [JSON.stringify(c), c] as const))('inverts planarToTensor for %s', (_, conv) => {
    const t = planarToTensor(img, conv);
    const hw = conv.layout === 'NCHW' ? [3, 3, 5] : [3, 5, 3];
    expect(t.dims).toEqual(conv.batch ? [1, ...hw] : hw);
    const back = tensorToPlanar(t.data, t.dims, conv);
    expect([back.width, back.height]).toEqual([5, 3]);
    // A float32 tensor value is only accurate to half an ulp; mapped back to pixels that is
    // ulp(max |t|) / 2 divided by the per-channel scale (1/255 for 0-1, over std).
    const maxT = t.data.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    const rangeScale = { '0-255': 1, '0-1': 1 / 255, '-1-1': 1 / 127.5 }[conv.range];
    const minScale = rangeScale / Math.max(...(conv.std ?? [1]));
    const tol = (maxT * 2 ** -23) / minScale + 1e-4;
    expect(maxAbsDiff(back.data, img.data)).toBeLessThan(tol);
    if (!conv.mean) expect(maxAbsDiff(back.data, img.data)).toBeLessThan(1e-4);
  });

  it('inverts the hand-computed BGR mean/std tensor exactly', () => {
    const conv: TensorConventions = { ...base, channelOrder: 'BGR', mean: [104, 117, 123], std: [2, 4, 8] };
    const t = planarToTensor(img2x2, conv);
    expect(Array.from(tensorToPlanar(t.data, t.dims, conv).data)).toEqual([...R, ...G, ...B]);
  });

  it('rejects tensors of the wrong shape with E_INFERENCE naming expected and received dims', () => {
    const data = new Float32Array(12);
    const check = (dims: number[], conv: TensorConventions, message: string) => {
      expectError(() => tensorToPlanar(data, dims, conv), PasticheError, message);
      try {
        tensorToPlanar(data, dims, conv);
      } catch (e) {
        expect((e as PasticheError).code).toBe('E_INFERENCE');
      }
    };
    check(
      [3, 2, 2],
      base,
      "Expected an image tensor of shape [1, 3, H, W] (NCHW, with batch) but received dims [3, 2, 2] of rank 3, expected rank 4. Check the model's layout and batch conventions.",
    );
    check(
      [2, 3, 1, 2],
      base,
      "Expected an image tensor of shape [1, 3, H, W] (NCHW, with batch) but received dims [2, 3, 1, 2] with batch 2, expected 1. Check the model's layout and batch conventions.",
    );
    check(
      [1, 2, 2, 3],
      base,
      "Expected an image tensor of shape [1, 3, H, W] (NCHW, with batch) but received dims [1, 2, 2, 3] with 2 channels, expected 3. Check the model's layout and batch conventions.",
    );
    check(
      [3, 2, 2],
      { ...base, layout: 'NHWC', batch: false },
      "Expected an image tensor of shape [H, W, 3] (NHWC, without batch) but received dims [3, 2, 2] with 2 channels, expected 3. Check the model's layout and batch conventions.",
    );
    check(
      [1, 3, 0, 4],
      base,
      "Expected an image tensor of shape [1, 3, H, W] (NCHW, with batch) but received dims [1, 3, 0, 4] with a non-positive dimension. Check the model's layout and batch conventions.",
    );
    check([1, 3, 2, 3], base, 'Expected tensor data of length 18 for dims [1, 3, 2, 3] but received length 12.');
  });

  it('rejects a non-Float32Array data argument', () => {
    expectError(
      () => tensorToPlanar([1, 2, 3] as never, [1, 3, 1, 1], base),
      TypeError,
      'Expected Float32Array for data but received an array of length 3',
    );
  });
});

describe('validateConventions', () => {
  it('accepts every valid combination and the defaults shape', () => {
    expect(() => validateConventions(base)).not.toThrow();
    expect(() =>
      validateConventions({ layout: 'NHWC', range: '-1-1', channelOrder: 'BGR', batch: false, mean: [1, 2, 3], std: [1, 1, 1] }),
    ).not.toThrow();
  });

  it('throws RangeError for bad values and TypeError for bad types, quoting the field', () => {
    expectError(
      () => validateConventions({ ...base, layout: 'NWHC' as never }),
      RangeError,
      'Expected one of \'NCHW\', \'NHWC\' for conv.layout but received "NWHC" of type string',
    );
    expectError(
      () => validateConventions({ ...base, range: '0-2' as never }),
      RangeError,
      'Expected one of \'0-255\', \'0-1\', \'-1-1\' for conv.range but received "0-2" of type string',
    );
    expectError(
      () => validateConventions({ ...base, channelOrder: 'rgb' as never }),
      RangeError,
      'Expected one of \'RGB\', \'BGR\' for conv.channelOrder but received "rgb" of type string',
    );
    expectError(
      () => validateConventions({ ...base, layout: 3 as never }),
      TypeError,
      "Expected one of 'NCHW', 'NHWC' for conv.layout but received 3 of type number",
    );
    expectError(
      () => validateConventions({ ...base, batch: 'yes' as never }),
      TypeError,
      'Expected boolean for conv.batch but received "yes" of type string',
    );
    expectError(
      () => validateConventions({ ...base, mean: [1, 2] as never }),
      RangeError,
      'Expected an array of 3 numbers for conv.mean but received an array of length 2',
    );
    expectError(
      () => validateConventions({ ...base, mean: [1, NaN, 3] }),
      RangeError,
      'Expected finite number for conv.mean[1] but received NaN of type number',
    );
    expectError(
      () => validateConventions({ ...base, std: [1, 0, 1] }),
      RangeError,
      'Expected positive number for conv.std[1] but received 0 of type number',
    );
    expectError(() => validateConventions(undefined as never), TypeError, 'Expected TensorConventions for conv but received undefined');
  });

  it('is applied by both conversions', () => {
    expect(() => planarToTensor(img2x2, { ...base, std: [1, -1, 1] })).toThrow(RangeError);
    expect(() => tensorToPlanar(new Float32Array(12), [1, 3, 2, 2], { ...base, layout: 'CHW' as never })).toThrow(RangeError);
  });
});
