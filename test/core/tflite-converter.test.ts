import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { convertTflite, importTflite, type TfliteConvertOptions } from '../../packages/core/src/converters/index.js';
import { PasticheError } from '../../packages/core/src/errors.js';
import { craftTflite, TensorType, type CraftedModel, type CraftedTensor, type Field } from '../helpers/crafted-tflite.js';

/**
 * The TFLite converter on small crafted flatbuffers, operator by operator, against NHWC references computed here:
 * layouts (NHWC in the file, NCHW in the model), broadcasting, free sizes, shapes computed in the graph, the int8
 * arithmetic it simulates, and its errors. The Magenta files and their goldens are in test/importers/tflite.test.ts.
 */

const Op = {
  ADD: 0, CONCATENATION: 2, CONV_2D: 3, DEPTHWISE_CONV_2D: 4, DEQUANTIZE: 6, LOGISTIC: 14, MUL: 18, RELU: 19, RELU_N1_TO_1: 20,
  RELU6: 21, RESHAPE: 22, SOFTMAX: 25, PAD: 34, MEAN: 40, SUB: 41, STRIDED_SLICE: 45, RSQRT: 76, SHAPE: 77, PACK: 83,
  RESIZE_NEAREST_NEIGHBOR: 97, SQUARED_DIFFERENCE: 99, MIRROR_PAD: 100, QUANTIZE: 114,
} as const;
const Act = { NONE: 0, RELU: 1, RELU_N1_TO_1: 2, RELU6: 3, TANH: 4 } as const;

/** Deterministic pseudo-random numbers in [lo, hi). */
function numbers(count: number, seed: number, lo = -1, hi = 1): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: count }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return lo + ((hi - lo) * s) / 2 ** 32;
  });
}

const count = (shape: readonly number[]) => shape.reduce((n, d) => n * d, 1);

/** NHWC ↔ NCHW for the model's 4-D inputs and outputs. */
function transpose4(data: Float32Array, [a, b, c, d]: readonly number[], perm: readonly number[]): Float32Array {
  const dims = [a, b, c, d];
  const strides = [b * c * d, c * d, d, 1];
  const out = new Float32Array(data.length);
  const od = perm.map((p) => dims[p]);
  let o = 0;
  for (let i0 = 0; i0 < od[0]; i0++)
    for (let i1 = 0; i1 < od[1]; i1++)
      for (let i2 = 0; i2 < od[2]; i2++)
        for (let i3 = 0; i3 < od[3]; i3++) {
          const idx = [i0, i1, i2, i3];
          let src = 0;
          perm.forEach((p, k) => (src += idx[k] * strides[p]));
          out[o++] = data[src];
        }
  return out;
}
const toNchw = (data: Float32Array, shape: readonly number[]) => transpose4(data, shape, [0, 3, 1, 2]);

/** Converts, runs with onnxruntime on NHWC inputs, returns each output in NHWC (4-D ones transposed back). */
async function run(model: CraftedModel, inputs: Float32Array[], shapes?: number[][], options?: TfliteConvertOptions): Promise<{ data: Float32Array; shape: number[] }[]> {
  const session = await ort.InferenceSession.create(convertTflite(craftTflite(model), options));
  try {
    const feeds: Record<string, ort.Tensor> = {};
    model.inputs.forEach((t, i) => {
      const shape = shapes?.[i] ?? [...model.tensors[t].shape];
      feeds[model.tensors[t].name] = shape.length === 4
        ? new ort.Tensor('float32', toNchw(inputs[i], shape), [shape[0], shape[3], shape[1], shape[2]])
        : new ort.Tensor('float32', inputs[i], shape);
    });
    const out = await session.run(feeds);
    return model.outputs.map((t) => {
      const v = out[model.tensors[t].name];
      const dims = [...v.dims];
      const data = v.data as Float32Array;
      return dims.length === 4 ? { data: transpose4(data, dims, [0, 2, 3, 1]), shape: [dims[0], dims[2], dims[3], dims[1]] } : { data, shape: dims };
    });
  } finally {
    await session.release();
  }
}

function expectClose(got: Float32Array, want: Float32Array, tolerance = 1e-5): void {
  expect(got.length).toBe(want.length);
  let max = 0;
  for (let i = 0; i < want.length; i++) max = Math.max(max, Math.abs(got[i] - want[i]));
  expect(max).toBeLessThanOrEqual(tolerance);
}

// ---- NHWC references

interface ConvSpec {
  stride: number;
  same: boolean;
  /** Depthwise: weights [1, kh, kw, C·M]; otherwise [O, kh, kw, C]. */
  depthwise?: boolean;
}

function conv2d(x: Float32Array, [n, h, w, c]: number[], weights: Float32Array, wShape: number[], bias: Float32Array, spec: ConvSpec) {
  const [kh, kw] = [wShape[1], wShape[2]];
  const outC = spec.depthwise ? wShape[3] : wShape[0];
  const multiplier = spec.depthwise ? outC / c : 1;
  const oh = spec.same ? Math.ceil(h / spec.stride) : Math.floor((h - kh) / spec.stride) + 1;
  const ow = spec.same ? Math.ceil(w / spec.stride) : Math.floor((w - kw) / spec.stride) + 1;
  const pt = spec.same ? Math.floor(Math.max((oh - 1) * spec.stride + kh - h, 0) / 2) : 0;
  const pl = spec.same ? Math.floor(Math.max((ow - 1) * spec.stride + kw - w, 0) / 2) : 0;
  const out = new Float32Array(n * oh * ow * outC);
  for (let y = 0; y < oh; y++)
    for (let xx = 0; xx < ow; xx++)
      for (let o = 0; o < outC; o++) {
        let acc = bias[o];
        for (let ky = 0; ky < kh; ky++)
          for (let kx = 0; kx < kw; kx++) {
            const iy = y * spec.stride - pt + ky;
            const ix = xx * spec.stride - pl + kx;
            if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
            if (spec.depthwise) acc += x[(iy * w + ix) * c + Math.floor(o / multiplier)] * weights[(ky * kw + kx) * outC + o];
            else for (let i = 0; i < c; i++) acc += x[(iy * w + ix) * c + i] * weights[((o * kh + ky) * kw + kx) * c + i];
          }
        out[(y * ow + xx) * outC + o] = acc;
      }
  return { data: out, shape: [n, oh, ow, outC] };
}

const relu6 = (v: number) => Math.min(6, Math.max(0, v));

// ---- tensors

const float = (name: string, shape: number[], data?: Float32Array): CraftedTensor => ({ name, shape, data });
const int32 = (name: string, values: number[], shape = [values.length]): CraftedTensor => ({ name, shape, type: TensorType.INT32, data: Int32Array.from(values) });

describe('TFLite converter: float operators against NHWC references', () => {
  it('CONV_2D (SAME, stride 2, bias, fused RELU6) at the file size and at another (height and width stay free)', async () => {
    const weights = numbers(4 * 3 * 3 * 2, 1);
    const bias = numbers(4, 2);
    const model: CraftedModel = {
      tensors: [float('image', [1, 5, 6, 2]), float('filter', [4, 3, 3, 2], weights), float('bias', [4], bias), float('out', [1, 3, 3, 4])],
      inputs: [0],
      outputs: [3],
      operators: [{ code: Op.CONV_2D, inputs: [0, 1, 2], outputs: [3], options: [{ id: 0, i8: 0 }, { id: 1, i32: 2 }, { id: 2, i32: 2 }, { id: 3, i8: Act.RELU6 }] }],
    };
    for (const shape of [[1, 5, 6, 2], [1, 8, 3, 2]]) {
      const x = numbers(count(shape), 3, -3, 3);
      const [got] = await run(model, [x], [shape]);
      const want = conv2d(x, shape, weights, [4, 3, 3, 2], bias, { stride: 2, same: true });
      expect(got.shape).toEqual(want.shape);
      expectClose(got.data, want.data.map(relu6));
    }
  });

  it('DEPTHWISE_CONV_2D (multiplier 2, VALID) with int8 per-channel weights dequantised', async () => {
    const q = Int8Array.from(numbers(3 * 3 * 6, 4, -127, 127), Math.round);
    const scales = [0.01, 0.02, 0.03, 0.015, 0.025, 0.005];
    const dequantised = Float32Array.from(q, (v, i) => v * scales[i % 6]);
    const model: CraftedModel = {
      tensors: [
        float('image', [1, 4, 5, 3]),
        { name: 'filter', shape: [1, 3, 3, 6], type: TensorType.INT8, data: q, quantization: { scale: scales, zeroPoint: [0, 0, 0, 0, 0, 0], axis: 3 } },
        float('out', [1, 2, 3, 6]),
      ],
      inputs: [0],
      outputs: [2],
      operators: [{ code: Op.DEPTHWISE_CONV_2D, inputs: [0, 1, -1], outputs: [2], options: [{ id: 0, i8: 1 }, { id: 1, i32: 1 }, { id: 2, i32: 1 }, { id: 3, i32: 2 }] }],
    };
    const x = numbers(60, 5);
    const [got] = await run(model, [x]);
    const want = conv2d(x, [1, 4, 5, 3], dequantised, [1, 3, 3, 6], new Float32Array(6), { stride: 1, same: false, depthwise: true });
    expect(got.shape).toEqual(want.shape);
    expectClose(got.data, want.data);
  });

  it('ADD/SUB/MUL with broadcast constants, SQUARED_DIFFERENCE, RSQRT, LOGISTIC, MEAN without keep_dims, RESHAPE back', async () => {
    // y = logistic(rsqrt(sqdiff(x, mean_hw(x)) + 1) · gamma) − beta, with gamma [C] and a scalar 1.
    const gamma = numbers(3, 6, 0.5, 2);
    const beta = numbers(3, 7);
    const model: CraftedModel = {
      tensors: [
        float('x', [1, 4, 5, 3]), // 0
        int32('axes', [1, 2]), // 1
        float('mean', [1, 3]), // 2
        int32('shape', [1, 1, 1, 3]), // 3
        float('mean4', [1, 1, 1, 3]), // 4
        float('sq', [1, 4, 5, 3]), // 5
        float('one', [], Float32Array.of(1)), // 6
        float('plus', [1, 4, 5, 3]), // 7
        float('r', [1, 4, 5, 3]), // 8
        float('gamma', [3], gamma), // 9
        float('scaled', [1, 4, 5, 3]), // 10
        float('s', [1, 4, 5, 3]), // 11
        float('beta', [1, 1, 3], beta), // 12
        float('y', [1, 4, 5, 3]), // 13
      ],
      inputs: [0],
      outputs: [13, 2],
      operators: [
        { code: Op.MEAN, inputs: [0, 1], outputs: [2], options: [{ id: 0, i8: 0 }] },
        { code: Op.RESHAPE, inputs: [2, 3], outputs: [4] },
        { code: Op.SQUARED_DIFFERENCE, inputs: [0, 4], outputs: [5] },
        { code: Op.ADD, inputs: [5, 6], outputs: [7] },
        { code: Op.RSQRT, inputs: [7], outputs: [8] },
        { code: Op.MUL, inputs: [8, 9], outputs: [10] },
        { code: Op.LOGISTIC, inputs: [10], outputs: [11] },
        { code: Op.SUB, inputs: [11, 12], outputs: [13], options: [{ id: 0, i8: Act.RELU }] },
      ],
    };
    const x = numbers(60, 8, -2, 2);
    const [y, mean] = await run(model, [x]);
    const m = [0, 1, 2].map((c) => x.filter((_, i) => i % 3 === c).reduce((s, v) => s + v, 0) / 20);
    expect(mean.shape).toEqual([1, 3]);
    expectClose(mean.data, Float32Array.from(m));
    const want = x.map((v, i) => {
      const c = i % 3;
      return Math.max(0, 1 / (1 + Math.exp(-gamma[c] / Math.sqrt((v - m[c]) ** 2 + 1))) - beta[c]);
    });
    expectClose(y.data, want);
  });

  it('PAD, MIRROR_PAD (reflect), RESIZE_NEAREST_NEIGHBOR (constant size, as a scale), CONCATENATION on channels and on height', async () => {
    const model: CraftedModel = {
      tensors: [
        float('x', [1, 2, 3, 2]), // 0
        int32('pads', [0, 0, 1, 0, 0, 1, 0, 0], [4, 2]), // 1
        float('padded', [1, 3, 4, 2]), // 2
        int32('mirror', [0, 0, 1, 1, 1, 0, 0, 0], [4, 2]), // 3
        float('mirrored', [1, 5, 5, 2]), // 4
        int32('size', [10, 10]), // 5
        float('resized', [1, 10, 10, 2]), // 6
        float('relu1', [1, 10, 10, 2]), // 7
        float('channels', [1, 10, 10, 4]), // 8
        float('rows', [1, 20, 10, 4]), // 9
      ],
      inputs: [0],
      outputs: [9],
      operators: [
        { code: Op.PAD, inputs: [0, 1], outputs: [2] },
        { code: Op.MIRROR_PAD, inputs: [2, 3], outputs: [4], options: [{ id: 0, i8: 0 }] },
        { code: Op.RESIZE_NEAREST_NEIGHBOR, inputs: [4, 5], outputs: [6] },
        { code: Op.RELU_N1_TO_1, inputs: [6], outputs: [7] },
        { code: Op.CONCATENATION, inputs: [6, 7], outputs: [8], options: [{ id: 0, i32: 3 }] },
        { code: Op.CONCATENATION, inputs: [8, 8], outputs: [9], options: [{ id: 0, i32: -3 }] },
      ],
    };
    const x = numbers(12, 9, -3, 3);
    const [got] = await run(model, [x]);
    // Reference, NHWC [h][w][c].
    const at = (h: number, w: number, c: number) => x[(h * 3 + w) * 2 + c];
    const padded = (h: number, w: number, c: number) => (h >= 1 && w < 3 ? at(h - 1, w, c) : 0); // 3×4
    const reflect = (i: number, n: number) => (i < 0 ? -i : i >= n ? 2 * (n - 1) - i : i);
    const mirrored = (h: number, w: number, c: number) => padded(reflect(h - 1, 3), reflect(w - 1, 4), c); // 5×5
    const resized = (h: number, w: number, c: number) => mirrored(Math.floor(h / 2), Math.floor(w / 2), c); // 10×10
    const want = new Float32Array(20 * 10 * 4);
    for (let h = 0; h < 20; h++)
      for (let w = 0; w < 10; w++)
        for (let c = 0; c < 4; c++) {
          const v = resized(h % 10, w, c % 2);
          want[(h * 10 + w) * 4 + c] = c < 2 ? v : Math.min(1, Math.max(-1, v));
        }
    expect(got.shape).toEqual([1, 20, 10, 4]);
    expectClose(got.data, want);
  });

  it('SHAPE, STRIDED_SLICE, MUL and PACK computing an upsampling size (as the dynamic-range Magenta file does)', async () => {
    const model: CraftedModel = {
      tensors: [
        float('x', [1, 3, 4, 2]), // 0
        { name: 'shape', shape: [4], type: TensorType.INT32 }, // 1
        int32('begin_h', [1]), int32('end_h', [2]), int32('stride1', [1]), // 2 3 4
        { name: 'h', shape: [], type: TensorType.INT32 }, // 5
        int32('begin_w', [-2]), int32('end_w', [-1]), // 6 7
        { name: 'w', shape: [], type: TensorType.INT32 }, // 8
        int32('two', [2], []), // 9
        { name: 'h2', shape: [], type: TensorType.INT32 }, // 10
        { name: 'size', shape: [2], type: TensorType.INT32 }, // 11
        float('up', [1, 6, 4, 2]), // 12
      ],
      inputs: [0],
      outputs: [12, 1],
      operators: [
        { code: Op.SHAPE, inputs: [0], outputs: [1] },
        { code: Op.STRIDED_SLICE, inputs: [1, 2, 3, 4], outputs: [5], options: [{ id: 4, i32: 1 }] },
        { code: Op.STRIDED_SLICE, inputs: [1, 6, 7, 4], outputs: [8], options: [{ id: 4, i32: 1 }] },
        { code: Op.MUL, inputs: [5, 9], outputs: [10] },
        { code: Op.PACK, inputs: [10, 8], outputs: [11], options: [{ id: 0, i32: 2 }, { id: 1, i32: 0 }] },
        { code: Op.RESIZE_NEAREST_NEIGHBOR, inputs: [0, 11], outputs: [12] },
      ],
    };
    for (const [h, w] of [[3, 4], [5, 2]]) {
      const x = numbers(h * w * 2, 10 + h);
      const [up, shape] = await run(model, [x], [[1, h, w, 2]]);
      // The shape in TFLite's order although the model holds NCHW; W taken by a negative index.
      expect(Array.from(shape.data as unknown as BigInt64Array, Number)).toEqual([1, h, w, 2]);
      expect(up.shape).toEqual([1, 2 * h, w, 2]);
      const want = new Float32Array(2 * h * w * 2);
      for (let y = 0; y < 2 * h; y++) for (let xx = 0; xx < w; xx++) for (let c = 0; c < 2; c++) want[(y * w + xx) * 2 + c] = x[(Math.floor(y / 2) * w + xx) * 2 + c];
      expectClose(up.data, want);
    }
  });
});

describe('TFLite converter: simulated int8 arithmetic', () => {
  // An XNNPACK-style integer reference (the one test/importers/tflite.test.ts shows LiteRT follows on Magenta's predictor).
  const f = Math.fround;
  const roundEven = (v: number) => {
    const r = Math.round(v);
    return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
  };
  const clamp = (v: number) => Math.max(-128, Math.min(127, v));

  it('QUANTIZE → CONV_2D (per-channel int8, fused RELU) → ADD and MUL of int8 → MEAN → DEQUANTIZE gives the integer results', async () => {
    const inQ = { scale: 1 / 255, zeroPoint: -128 };
    const convQ = { scale: 0.021, zeroPoint: -128 };
    const addQ = { scale: 0.034, zeroPoint: -100 };
    const mulQ = { scale: 0.09, zeroPoint: -120 };
    const meanQ = { scale: 0.05, zeroPoint: -110 };
    const wq = Int8Array.from(numbers(3 * 1 * 1 * 3, 11, -127, 127), Math.round);
    const wScale = [0.011, 0.007, 0.013];
    const bias = Int32Array.from([310, -150, 42]);
    const q = (name: string, shape: number[], p: { scale: number; zeroPoint: number }): CraftedTensor => ({ name, shape, type: TensorType.INT8, quantization: { scale: [p.scale], zeroPoint: [p.zeroPoint] } });
    const model: CraftedModel = {
      tensors: [
        float('x', [1, 4, 4, 3]), // 0
        q('xq', [1, 4, 4, 3], inQ), // 1
        { name: 'w', shape: [3, 1, 1, 3], type: TensorType.INT8, data: wq, quantization: { scale: wScale, zeroPoint: [0, 0, 0], axis: 0 } }, // 2
        { name: 'b', shape: [3], type: TensorType.INT32, data: bias, quantization: { scale: wScale.map((s) => s * inQ.scale), zeroPoint: [0, 0, 0] } }, // 3
        q('conv', [1, 4, 4, 3], convQ), // 4
        q('sum', [1, 4, 4, 3], addQ), // 5
        q('product', [1, 4, 4, 3], mulQ), // 6
        int32('axes', [1, 2]), // 7
        q('mean', [1, 1, 1, 3], meanQ), // 8
        float('y', [1, 1, 1, 3]), // 9
      ],
      inputs: [0],
      outputs: [9],
      operators: [
        { code: Op.QUANTIZE, inputs: [0], outputs: [1] },
        { code: Op.CONV_2D, inputs: [1, 2, 3], outputs: [4], options: [{ id: 0, i8: 1 }, { id: 1, i32: 1 }, { id: 2, i32: 1 }, { id: 3, i8: Act.RELU }] },
        { code: Op.ADD, inputs: [4, 1], outputs: [5] },
        { code: Op.MUL, inputs: [5, 4], outputs: [6] },
        { code: Op.MEAN, inputs: [6, 7], outputs: [8], options: [{ id: 0, i8: 1 }] },
        { code: Op.DEQUANTIZE, inputs: [8], outputs: [9] },
      ],
    };
    const x = numbers(48, 12, 0, 1);
    // Integers less zero points, pixel by pixel (NHWC, 16 pixels × 3 channels).
    const xq = Array.from(x, (v) => clamp(roundEven(f(v * f(1 / inQ.scale))) + inQ.zeroPoint) - inQ.zeroPoint);
    const conv = xq.map((_, i) => {
      const p = Math.floor(i / 3);
      const o = i % 3;
      let acc = bias[o];
      for (let c = 0; c < 3; c++) acc += xq[p * 3 + c] * wq[o * 3 + c];
      return Math.max(0, Math.min(127 - convQ.zeroPoint, roundEven(f(acc * f(f(inQ.scale * wScale[o]) / convQ.scale)))));
    });
    // XNNPACK's add: 20-bit multipliers, a rounding shift.
    const aRatio = f(convQ.scale / addQ.scale);
    const bRatio = f(inQ.scale / addQ.scale);
    const shift = 20 - Math.floor(Math.log2(Math.max(aRatio, bRatio)));
    const [am, bm] = [aRatio, bRatio].map((r) => roundEven(r * 2 ** shift));
    const sum = conv.map((a, i) => Math.max(-128 - addQ.zeroPoint, Math.min(127 - addQ.zeroPoint, Math.floor((a * am + xq[i] * bm + 2 ** (shift - 1)) / 2 ** shift))));
    const product = sum.map((a, i) => {
      const y = roundEven(f(a * conv[i] * f(f(addQ.scale * convQ.scale) / mulQ.scale)));
      return Math.max(-128 - mulQ.zeroPoint, Math.min(127 - mulQ.zeroPoint, y));
    });
    const want = [0, 1, 2].map((c) => {
      const mean = product.filter((_, i) => i % 3 === c).reduce((s, v) => s + v, 0) / 16;
      return f(meanQ.scale * Math.max(-128 - meanQ.zeroPoint, Math.min(127 - meanQ.zeroPoint, roundEven(f(mean * f(mulQ.scale / meanQ.scale))))));
    });
    const [got] = await run(model, [x]);
    expect(Array.from(got.data)).toEqual(want);
    // In float the rounding of each int8 activation is gone.
    const [asFloat] = await run(model, [x], undefined, { quantizedActivations: 'float' });
    expect(Array.from(asFloat.data)).not.toEqual(want);
    expectClose(asFloat.data, Float32Array.from(want), 0.2);
  });
});

describe('TFLite converter: model, metadata and errors', () => {
  const addModel = (code: number = Op.ADD, options?: Field[]): CraftedModel => ({
    tensors: [float('image', [1, 2, 2, 3]), float('other', [1, 2, 2, 3]), float('out', [1, 2, 2, 3])],
    inputs: [0, 1],
    outputs: [2],
    operators: [{ code, inputs: [0, 1], outputs: [2], options }],
  });

  it('keeps the file’s names, records the layouts, and leaves only spatial sizes free', () => {
    const model = importTflite(
      craftTflite({ tensors: [float('image', [1, 4, 4, 3]), float('vector', [1, 1, 1, 5]), float('out', [1, 4, 4, 3])], inputs: [0, 1], outputs: [2], operators: [{ code: Op.ADD, inputs: [0, 0], outputs: [2] }] }),
      { metadata: { 'pastiche.name': 'crafted' } },
    );
    expect(model.graph.inputs.map((i) => [i.name, i.shape])).toEqual([
      ['image', [1, 3, 'height', 'width']],
      ['vector', [1, 5, 1, 1]],
    ]);
    expect(model.graph.outputs.map((o) => [o.name, o.shape])).toEqual([['out', [1, 3, 'height', 'width']]]);
    expect(model.metadataProps).toEqual({
      'pastiche.source.format': 'tflite',
      'pastiche.source.layout': 'NHWC',
      'pastiche.source.inputs': '["image","vector"]',
      'pastiche.source.outputs': '["out"]',
      'pastiche.input.layout': 'NCHW',
      'pastiche.output.layout': 'NCHW',
      'pastiche.name': 'crafted',
    });
  });

  it('refuses what is not a TFLite file, or is cut short', () => {
    const bytes = craftTflite(addModel());
    expect(() => convertTflite(new Uint8Array(16))).toThrow(/^the \.tflite model: Expected a TensorFlow Lite flatbuffer \(identifier 'TFL3' at byte 4\)/);
    expect(() => convertTflite(bytes.subarray(0, 60), { file: 'cut.tflite' })).toThrow(/^cut\.tflite: truncated or corrupt: /);
    try {
      convertTflite(bytes.subarray(0, 60));
    } catch (error) {
      expect(error).toBeInstanceOf(PasticheError);
      expect((error as PasticheError).code).toBe('E_CONVERT');
    }
  });

  it('names the operator and its index for what it cannot translate', () => {
    expect(() => convertTflite(craftTflite(addModel(Op.SOFTMAX)))).toThrow(/operator 0 \(SOFTMAX\) is not supported/);
    const mirror: CraftedModel = {
      tensors: [float('x', [1, 4, 4, 3]), int32('pads', [0, 0, 1, 1, 1, 1, 0, 0], [4, 2]), float('y', [1, 6, 6, 3])],
      inputs: [0],
      outputs: [2],
      operators: [{ code: Op.MIRROR_PAD, inputs: [0, 1], outputs: [2], options: [{ id: 0, i8: 1 }] }],
    };
    expect(() => convertTflite(craftTflite(mirror))).toThrow(/operator 0 \(MIRROR_PAD\): SYMMETRIC mirror padding has no ONNX equivalent/);
    const dynamicFilter: CraftedModel = {
      tensors: [float('x', [1, 4, 4, 3]), float('w', [2, 1, 1, 3]), float('y', [1, 4, 4, 2])],
      inputs: [0, 1],
      outputs: [2],
      operators: [{ code: Op.CONV_2D, inputs: [0, 1, -1], outputs: [2], options: [{ id: 0, i8: 1 }, { id: 1, i32: 1 }, { id: 2, i32: 1 }] }],
    };
    expect(() => convertTflite(craftTflite(dynamicFilter))).toThrow(/operator 0 \(CONV_2D\): Expected the filter \(input 1, 'w'\) to be a constant/);
    expect(() => convertTflite(craftTflite(addModel(Op.ADD, [{ id: 0, i8: Act.TANH + 1 }])))).toThrow(/operator 0 \(ADD\): fused activation 5 is not supported/);
  });

  it('checks its arguments', () => {
    const bytes = craftTflite(addModel());
    expect(() => convertTflite(bytes.buffer as unknown as Uint8Array)).toThrow(new TypeError('Expected Uint8Array for bytes but received an object of type ArrayBuffer'));
    expect(() => convertTflite(bytes, { quantizedActivations: 'int4' as 'float' })).toThrow(RangeError);
    expect(() => convertTflite(bytes, { fixedSize: 'yes' as unknown as boolean })).toThrow(TypeError);
    expect(() => convertTflite(bytes, { metadata: { a: 1 as unknown as string } })).toThrow(TypeError);
    expect(() => convertTflite(bytes, { file: '' })).toThrow(RangeError);
  });
});
