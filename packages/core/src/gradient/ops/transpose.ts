import { attr } from '../../onnx/graph-builder.js';
import { intsAttr } from '../../onnx/node-attributes.js';
import { onlyGradFor, unsupported, type BackwardRule } from './backward-rule.js';

/** Transpose: dX = Transpose(dY) with the inverse permutation. */
export const transposeBackward: BackwardRule = (args) => {
  onlyGradFor(args, [0]);
  const dY = args.dOutputs[0];
  if (!dY) return [];
  const perm = intsAttr(args.node, 'perm');
  if (!perm) throw unsupported(args.node, 'it has no perm attribute (the default reversal needs the rank)');
  const inverse = perm.map((_, i) => perm.indexOf(i));
  return [args.e.op('Transpose', [dY], { perm: attr.ints(inverse) })];
};
