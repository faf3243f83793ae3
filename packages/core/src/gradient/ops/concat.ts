import { attr } from '../../onnx/graph-builder.js';
import { intAttr } from '../../onnx/node-attributes.js';
import { type BackwardRule } from './backward-rule.js';

/** Concat: one Split of dY, sized at run time by each input's extent along the axis. */
export const concatBackward: BackwardRule = (args) => {
  const dY = args.dOutputs[0];
  if (!dY) return [];
  const { node, e } = args;
  const axis = intAttr(node, 'axis', 0);
  const sizes = node.inputs.map((x) => e.shape(x, axis, axis === -1 ? undefined : axis + 1));
  const split = sizes.length > 1 ? e.op('Concat', sizes, { axis: attr.int(0) }) : sizes[0];
  const parts = e.ops('Split', [dY, split], node.inputs.length, { axis: attr.int(axis) });
  return parts.map((part, i) => (args.needsGrad[i] ? part : undefined));
};
