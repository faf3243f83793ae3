import { attr } from '../../onnx/graph-builder.js';
import { onlyGradFor, type BackwardRule } from './backward-rule.js';

/**
 * Scale of the ReLU mask HardSigmoid(TO_ONE·Y) = min(1, TO_ONE·Y): exactly 0 or 1 for every Y ≥ 0 except
 * 0 < Y < 2^−100 ≈ 8e−31 (a fraction there). 2^100 keeps TO_ONE·Y finite below 2.7e8 (WGSL may assume no
 * infinities) and, unlike 2^64, prints in exponent form: onnxruntime-web writes the attribute into its WGSL
 * source, where 18446744073709552000 is misread.
 */
const TO_ONE = 2 ** 100;

/**
 * Relu: dX = dY where X > 0, else 0 (the subgradient 0 at X = 0, as PyTorch). The mask is read from the output
 * (Y > 0 exactly where X > 0), so onnxruntime can still fuse the Conv before it with the Relu, and it is one
 * multi-threaded HardSigmoid: Greater then Where (or Cast) is two passes, and onnxruntime's CPU EP runs Where
 * and Cast single-threaded.
 */
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
