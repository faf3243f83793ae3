import { attr } from '../../onnx/graph-builder.js';
import { int64Tensor } from '../../onnx/onnx-tensors.js';
import type { GraphEmitter } from '../graph-emitter.js';

/**
 * Sums a gradient of the broadcast result back to the shape of one operand (numpy broadcasting): reduces the
 * axes where the operand, left-padded with ones to the result's rank, has extent 1. The axes are found at run
 * time; none (no broadcasting) leaves the gradient as it is (noop_with_empty_axes).
 */
export function unbroadcast(e: GraphEmitter, grad: string, operand: string): string {
  const operandShape = e.shape(operand);
  const missing = e.op('Sub', [e.op('Size', [e.shape(grad)]), e.op('Size', [operandShape])]);
  const leadingOnes = e.op('ConstantOfShape', [e.op('Unsqueeze', [missing, e.i64([0])])], {
    value: attr.tensor(int64Tensor('value', [1], [1])),
  });
  const aligned = e.op('Concat', [leadingOnes, operandShape], { axis: attr.int(0) });
  const axes = e.op('Reshape', [e.op('NonZero', [e.op('Equal', [aligned, e.i64([1])])]), e.i64([-1])]);
  const summed = e.op('ReduceSum', [grad, axes], { keepdims: attr.int(1), noop_with_empty_axes: attr.int(1) });
  return e.op('Reshape', [summed, operandShape]);
}
