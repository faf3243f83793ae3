import { expectArray, expectBoolean, expectInstance, expectNumber, expectObject, expectOneOf, expectPositiveNumber, invalidValue } from '../arguments.js';
import { PasticheError } from '../errors.js';
import type { TensorConventions } from './tensor-conventions.js';
import { expectPlanarImage } from './planar-checks.js';
import type { PlanarImage } from './image-types.js';

const LAYOUTS = ['NCHW', 'NHWC'] as const;
const RANGES = ['0-255', '0-1', '-1-1'] as const;
const ORDERS = ['RGB', 'BGR'] as const;

/** Three finite numbers (mean), or three positive ones (std). */
function expectTriple(name: string, value: unknown, positive: boolean): void {
  const list = expectArray(name, value, 'an array of 3 numbers');
  if (list.length !== 3) throw invalidValue(name, 'an array of 3 numbers', list);
  list.forEach((v, i) => (positive ? expectPositiveNumber(`${name}[${i}]`, v) : expectNumber(`${name}[${i}]`, v)));
}

/**
 * Checks every field of `conv`: TypeError for a wrong type, RangeError for a value outside the allowed set.
 * `name` is what messages call it (`conv.layout`, `conventions.layout`, …).
 */
export function validateConventions(conv: TensorConventions, name = 'conv'): void {
  expectObject(name, conv, 'TensorConventions');
  expectOneOf(`${name}.layout`, conv.layout, LAYOUTS);
  expectOneOf(`${name}.range`, conv.range, RANGES);
  expectOneOf(`${name}.channelOrder`, conv.channelOrder, ORDERS);
  expectBoolean(`${name}.batch`, conv.batch);
  if (conv.mean !== undefined) expectTriple(`${name}.mean`, conv.mean, false);
  if (conv.std !== undefined) expectTriple(`${name}.std`, conv.std, true);
}

/**
 * Per tensor channel c: `tensor = pixel[src[c]] * scale[c] + offset[c]`, folding range scaling, mean and
 * std into one multiply-add. `src[c]` is the planar channel (0 = R) that tensor channel c holds.
 */
function affine(conv: TensorConventions): { src: number[]; scale: number[]; offset: number[] } {
  const [rangeScale, rangeOffset] = conv.range === '0-255' ? [1, 0] : conv.range === '0-1' ? [1 / 255, 0] : [1 / 127.5, -1];
  const src = conv.channelOrder === 'BGR' ? [2, 1, 0] : [0, 1, 2];
  const scale: number[] = [];
  const offset: number[] = [];
  for (let c = 0; c < 3; c++) {
    const mean = conv.mean ? conv.mean[c] : 0;
    const std = conv.std ? conv.std[c] : 1;
    scale.push(rangeScale / std);
    offset.push((rangeOffset - mean) / std);
  }
  return { src, scale, offset };
}

function tensorDims(conv: TensorConventions, height: number, width: number): number[] {
  const dims = conv.layout === 'NCHW' ? [3, height, width] : [height, width, 3];
  return conv.batch ? [1, ...dims] : dims;
}

/**
 * Packs a planar image (0..255) into a model input tensor following `conv`: layout, value range, channel
 * order, then mean subtracted and std divided (both listed in the tensor's channel order), with or
 * without the leading batch dimension.
 */
export function planarToTensor(img: PlanarImage, conv: TensorConventions): { data: Float32Array; dims: number[] } {
  expectPlanarImage('img', img);
  validateConventions(conv);
  return planarToTensorUnchecked(img, conv);
}

/** {@link planarToTensor} without the argument checks, for a model whose conventions were checked when it loaded. */
export function planarToTensorUnchecked(img: PlanarImage, conv: TensorConventions): { data: Float32Array; dims: number[] } {
  const { width, height, data: px } = img;
  const n = width * height;
  const { src, scale, offset } = affine(conv);
  const out = new Float32Array(3 * n);
  if (conv.layout === 'NCHW') {
    for (let c = 0; c < 3; c++) {
      const s = src[c] * n;
      const o = c * n;
      const a = scale[c];
      const b = offset[c];
      for (let i = 0; i < n; i++) out[o + i] = px[s + i] * a + b;
    }
  } else {
    const s0 = src[0] * n;
    const s1 = src[1] * n;
    const s2 = src[2] * n;
    const [a0, a1, a2] = scale;
    const [b0, b1, b2] = offset;
    for (let i = 0, o = 0; i < n; i++, o += 3) {
      out[o] = px[s0 + i] * a0 + b0;
      out[o + 1] = px[s1 + i] * a1 + b1;
      out[o + 2] = px[s2 + i] * a2 + b2;
    }
  }
  return { data: out, dims: tensorDims(conv, height, width) };
}

function shapeError(conv: TensorConventions, dims: readonly unknown[], detail: string): PasticheError {
  const expected = `[${conv.batch ? '1, ' : ''}${conv.layout === 'NCHW' ? '3, H, W' : 'H, W, 3'}]`;
  return new PasticheError(
    'E_INFERENCE',
    `Expected an image tensor of shape ${expected} (${conv.layout}, ${conv.batch ? 'with' : 'without'} batch) ` +
      `but received dims [${dims.join(', ')}]${detail}. Check the model's layout and batch conventions.`,
  );
}

/**
 * Unpacks a model output tensor into a planar image: the exact inverse of {@link planarToTensor}. Values
 * are not clamped (planarToRaw does that). A tensor whose shape does not fit `conv` is an `E_INFERENCE`
 * PasticheError naming the expected and received dims.
 */
export function tensorToPlanar(data: Float32Array, dims: readonly number[], conv: TensorConventions): PlanarImage {
  expectInstance('data', data, Float32Array);
  expectArray('dims', dims, 'an array of integers');
  validateConventions(conv);
  return tensorToPlanarUnchecked(data, dims, conv);
}

/**
 * {@link tensorToPlanar} without the argument checks, for a model whose conventions were checked when it
 * loaded. The tensor's shape is still checked against them: it comes from the model, not from the caller.
 */
export function tensorToPlanarUnchecked(data: Float32Array, dims: readonly number[], conv: TensorConventions): PlanarImage {
  const rank = conv.batch ? 4 : 3;
  if (dims.length !== rank) throw shapeError(conv, dims, ` of rank ${dims.length}, expected rank ${rank}`);
  if (!dims.every((d) => Number.isInteger(d) && d >= 1)) throw shapeError(conv, dims, ' with a non-positive dimension');
  if (conv.batch && dims[0] !== 1) throw shapeError(conv, dims, ` with batch ${dims[0]}, expected 1`);
  const d = conv.batch ? dims.slice(1) : dims;
  const [channels, height, width] = conv.layout === 'NCHW' ? [d[0], d[1], d[2]] : [d[2], d[0], d[1]];
  if (channels !== 3) throw shapeError(conv, dims, ` with ${channels} channels, expected 3`);
  const n = width * height;
  if (data.length !== 3 * n) {
    throw new PasticheError(
      'E_INFERENCE',
      `Expected tensor data of length ${3 * n} for dims [${dims.join(', ')}] but received length ${data.length}.`,
    );
  }

  const { src, scale, offset } = affine(conv);
  const out = new Float32Array(3 * n);
  // pixel = (tensor - offset) / scale, written as one multiply-add per value.
  const inv = scale.map((a) => 1 / a);
  const sub = offset.map((b, c) => -b * inv[c]);
  if (conv.layout === 'NCHW') {
    for (let c = 0; c < 3; c++) {
      const o = src[c] * n;
      const t = c * n;
      const a = inv[c];
      const b = sub[c];
      for (let i = 0; i < n; i++) out[o + i] = data[t + i] * a + b;
    }
  } else {
    const o0 = src[0] * n;
    const o1 = src[1] * n;
    const o2 = src[2] * n;
    const [a0, a1, a2] = inv;
    const [b0, b1, b2] = sub;
    for (let i = 0, t = 0; i < n; i++, t += 3) {
      out[o0 + i] = data[t] * a0 + b0;
      out[o1 + i] = data[t + 1] * a1 + b1;
      out[o2 + i] = data[t + 2] * a2 + b2;
    }
  }
  return { data: out, width, height };
}
