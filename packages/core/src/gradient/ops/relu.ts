import { attr } from '../../onnx/graph-builder.js';
import { onlyGradFor, type BackwardRule } from './backward-rule.js';

/**
 * Relu: dX = dY where X > 0, else 0 (the subgradient 0 at X = 0, as PyTorch). The mask is read from the output
 * (Y > 0 exactly where X > 0), so onnxruntime can still fuse the Conv before it with the Relu; it selects
 * by multiplying with a 0/1 mask (see floatMask).
 */
export const reluBackward: BackwardRule = (args) => {
  onlyGradFor(args, [0]);
  const dY = args.dOutputs[0];
  if (!dY) return [];
  const { e } = args;
  return [e.op('Mul', [dY, e.op('HardSigmoid', [args.node.outputs[0]], { alpha: attr.float(2 ** 127), beta: attr.float(0) })])];
};
