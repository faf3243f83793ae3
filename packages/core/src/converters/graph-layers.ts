import {
  attr,
  float32Tensor,
  GraphBuilder,
  int64Tensor,
  TensorDataType,
} from '../onnx/index.js';

/** Building blocks shared by the transform-net importers. Weight names are prefixed with the layer name. */

/** The dynamic NCHW image signature of every transform net: batch 1, RGB, any height and width. */
export const IMAGE_SHAPE = [1, 3, 'height', 'width'] as const;

export function imageInput(g: GraphBuilder): string {
  return g.input('input', TensorDataType.FLOAT, IMAGE_SHAPE);
}

export function imageOutput(g: GraphBuilder, value: string): string {
  return g.output(value, TensorDataType.FLOAT, IMAGE_SHAPE);
}

export interface ConvParams {
  /** Layer name, the prefix of its initializers, e.g. `conv1`. */
  name: string;
  /** OIHW for Conv; [in, out, kh, kw] for ConvTranspose (ONNX's layouts). */
  weight: Float32Array;
  weightDims: readonly [number, number, number, number];
  bias?: Float32Array;
  stride: number;
  /** [top, left, bottom, right]. @default [0, 0, 0, 0] */
  pads?: readonly [number, number, number, number];
  transpose?: boolean;
  /** Names the output, e.g. `output` for the last layer. */
  output?: string;
}

export function conv(g: GraphBuilder, x: string, p: ConvParams): string {
  const inputs = [x, g.initializer(float32Tensor(`${p.name}.weight`, p.weightDims, p.weight))];
  if (p.bias) inputs.push(g.initializer(float32Tensor(`${p.name}.bias`, [p.bias.length], p.bias)));
  const [, , kh, kw] = p.weightDims;
  const [y] = g.node(p.transpose ? 'ConvTranspose' : 'Conv', inputs, p.output ? [p.output] : 1, {
    kernel_shape: attr.ints([kh, kw]),
    strides: attr.ints([p.stride, p.stride]),
    pads: attr.ints(p.pads ?? [0, 0, 0, 0]),
  });
  return y;
}

/** Affine instance normalisation: scale * (x - mean) / sqrt(var + epsilon) + shift, per channel over H×W. */
export function instanceNorm(g: GraphBuilder, x: string, name: string, scale: Float32Array, shift: Float32Array, epsilon: number): string {
  const s = g.initializer(float32Tensor(`${name}.scale`, [scale.length], scale));
  const b = g.initializer(float32Tensor(`${name}.shift`, [shift.length], shift));
  return g.node('InstanceNormalization', [x, s, b], 1, { epsilon: attr.float(epsilon) })[0];
}

export function relu(g: GraphBuilder, x: string): string {
  return g.node('Relu', [x])[0];
}

/** Reflection padding of `pad` on each side of H and W, with one shared pads constant per size. */
export function reflectPad(g: GraphBuilder, x: string, pad: number): string {
  const name = `reflect_pads_${pad}`;
  const pads = g.has(name) ? name : g.initializer(int64Tensor(name, [8], [0, 0, pad, pad, 0, 0, pad, pad]));
  return g.node('Pad', [x, pads], 1, { mode: 'reflect' })[0];
}

/** Nearest-neighbour ×2 upsampling, as PyTorch's `interpolate(scale_factor=2, mode='nearest')` exports it. */
export function upsample2x(g: GraphBuilder, x: string): string {
  const name = 'upsample_scales_2x';
  const scales = g.has(name) ? name : g.initializer(float32Tensor(name, [4], [1, 1, 2, 2]));
  return g.node('Resize', [x, '', scales], 1, {
    mode: 'nearest',
    coordinate_transformation_mode: 'asymmetric',
    nearest_mode: 'floor',
  })[0];
}

/** A scalar FLOAT constant, shared by name. */
export function scalar(g: GraphBuilder, name: string, value: number): string {
  return g.has(name) ? name : g.initializer(float32Tensor(name, [], [value]));
}
