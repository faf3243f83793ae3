import { PasticheError } from '../errors.js';
import { AttributeType, type AttributeProto, type NodeProto } from '../onnx/onnx-types.js';
import { describeNode, intAttr, intsAttr } from '../onnx/node-attributes.js';

/*
 * Rewrites of forward nodes that keep their outputs exactly and make the graphs run in more places.
 */

const ints = (name: string, values: readonly number[]): AttributeProto => ({ name, type: AttributeType.INTS, ints: [...values] });

/**
 * MaxPool → AveragePool with the same window (Gatys et al.'s choice); count_include_pad stays 0, the average of
 * the real pixels.
 * @param read values that the kept nodes read (the Indices output must not be among them)
 */
export function toAveragePool(node: NodeProto, read: ReadonlySet<string>): NodeProto {
  const fail = (why: string) => new PasticheError('E_MODEL_SIGNATURE', `Cannot replace ${describeNode(node)} by AveragePool: ${why}`);
  if (intsAttr(node, 'dilations')?.some((d) => d !== 1)) throw fail('it is dilated');
  if (node.outputs[1] && read.has(node.outputs[1])) throw fail('its Indices output is used');
  const keep = new Set(['auto_pad', 'ceil_mode', 'kernel_shape', 'pads', 'strides']);
  return { ...node, opType: 'AveragePool', outputs: [node.outputs[0]], attributes: node.attributes.filter((a) => keep.has(a.name)) };
}

/**
 * A ceil-mode pool as a floor-mode one with s−1 more end padding: floor((L + s−1)/s) = ceil(L/s) windows, each
 * over the same real pixels (pads are ignored by MaxPool and not counted by AveragePool without
 * count_include_pad). onnxruntime-web's WebGPU pools do not implement ceil_mode. Only done where nothing can
 * differ: kernel ≥ stride + end pad (no window starts inside the end padding, and pads stay below the kernel
 * size as onnxruntime requires), explicit pads, and count_include_pad 0.
 */
export function withoutCeilMode(node: NodeProto): NodeProto {
  if ((node.opType !== 'MaxPool' && node.opType !== 'AveragePool') || intAttr(node, 'ceil_mode', 0) !== 1) return node;
  const kernel = intsAttr(node, 'kernel_shape');
  const autoPad = node.attributes.find((a) => a.name === 'auto_pad')?.s;
  if (!kernel || (autoPad && new TextDecoder().decode(autoPad) !== 'NOTSET') || intAttr(node, 'count_include_pad', 0) !== 0) return node;
  const n = kernel.length;
  const strides = intsAttr(node, 'strides', new Array<number>(n).fill(1))!;
  const pads = intsAttr(node, 'pads', new Array<number>(2 * n).fill(0))!;
  if (kernel.some((k, i) => k < strides[i] + pads[n + i])) return node;
  const endPads = pads.slice(n).map((p, i) => p + strides[i] - 1);
  const attributes = node.attributes.filter((a) => a.name !== 'ceil_mode' && a.name !== 'pads');
  return { ...node, attributes: [...attributes, ints('pads', [...pads.slice(0, n), ...endPads])] };
}
