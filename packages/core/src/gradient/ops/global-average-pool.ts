import { onlyGradFor, type BackwardRule } from './backward-rule.js';

/** GlobalAveragePool: dX = dY / (H·W) broadcast over the spatial axes; H·W = Size(X) / Size(Y) at run time. */
export const globalAveragePoolBackward: BackwardRule = (args) => {
  onlyGradFor(args, [0]);
  const dY = args.dOutputs[0];
  if (!dY) return [];
  const { e, node } = args;
  const [x] = node.inputs;
  const area = e.op('Div', [e.count(x), e.count(node.outputs[0])]);
  return [e.op('Expand', [e.op('Div', [dY, area]), e.shape(x)])];
};
