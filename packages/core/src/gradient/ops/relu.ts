import { attr } from '../../onnx/graph-builder.js';
import { onlyGradFor, type BackwardRule } from './backward-rule.js';

/**
 * Relu: dX = dY where X > 0, else 0 (the subgradient 0 at X = 0, as PyTorch). The mask is read from the output
 * (Y > 0 exactly where X > 0), so onnxruntime can still fuse the Conv before it with the Relu. It is
 * HardSigmoid(2^127·Y) = min(1, 2^127·Y): exactly 0 or 1 for every Y ≥ 0 except subnormals below 2^−127 (a
 * fraction there), one multi-threaded op where Greater + Where or Cast run single-threaded on onnxruntime's CPU EP.
 */
const TO_ONE = 2 ** 127;
export const reluBackward: BackwardRule = (args) => {
  onlyGradFor(args, [0]);
  const dY = args.dOutputs[0];
  if (!dY) return [];
  const { e } = args;
  // Read through a no-op Reshape: onnxruntime then masks the plain-layout copy of Y that Gram matrices and pools
  // read anyway, instead of masking its blocked (NCHWc) Conv output and converting the mask back.
  const y = e.reshapeLike(args.node.outputs[0], args.node.outputs[0]);
  return [e.op('Mul', [dY, e.op('HardSigmoid', [y], { alpha: attr.float(TO_ONE), beta: attr.float(0) })])];
};
