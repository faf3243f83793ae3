import type { ConstantValues } from '../onnx/constant-values.js';
import { intAttr, intsAttr, stringAttr } from '../onnx/node-attributes.js';
import type { NodeProto } from '../onnx/onnx-types.js';

/**
 * A convolution the exact rewrites can take apart: constant float32 weights (and bias, if any), one group, explicit
 * pads, unit strides and dilations.
 */
export interface PlainConv {
  conv: NodeProto;
  weight: Float32Array;
  bias: Float32Array | undefined;
  /** The weight's dims: [out, in, kernel height, kernel width]. */
  dims: readonly [number, number, number, number];
  /** [top, left, bottom, right], non-negative integers. */
  pads: readonly [number, number, number, number];
}

/**
 * `conv` as a {@link PlainConv}, when it is one and `acceptsKernel` takes its weight dims (asked before any weights
 * are read, so that convolutions a rewrite does not want cost nothing).
 */
export function plainConv(
  conv: NodeProto,
  constants: ConstantValues,
  acceptsKernel: (dims: readonly [number, number, number, number]) => boolean,
): PlainConv | undefined {
  if (conv.opType !== 'Conv' || conv.domain !== '' || !conv.inputs[1]) return undefined;
  const dims = constants.dims(conv.inputs[1]) as readonly [number, number, number, number] | undefined;
  if (!dims || dims.length !== 4 || !acceptsKernel(dims)) return undefined;
  if (intAttr(conv, 'group', 1) !== 1 || stringAttr(conv, 'auto_pad', 'NOTSET') !== 'NOTSET') return undefined;
  if ((intsAttr(conv, 'strides', [1, 1]) ?? []).join() !== '1,1' || (intsAttr(conv, 'dilations', [1, 1]) ?? []).join() !== '1,1') return undefined;
  const pads = intsAttr(conv, 'pads', [0, 0, 0, 0]) ?? [];
  if (pads.length !== 4 || pads.some((p) => !Number.isInteger(p) || p < 0)) return undefined;
  const weight = constants.float32(conv.inputs[1]);
  const bias = conv.inputs[2] ? constants.float32(conv.inputs[2]) : undefined;
  if (!weight || (conv.inputs[2] && !bias)) return undefined;
  return { conv, weight, bias, dims, pads: [pads[0]!, pads[1]!, pads[2]!, pads[3]!] };
}
