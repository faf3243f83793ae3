import { onlyGradFor, type BackwardRule } from './backward-rule.js';

/** Relu: dX = dY where X > 0, else 0 (the subgradient 0 at X = 0, as PyTorch). */
export const reluBackward: BackwardRule = (args) => {
  onlyGradFor(args, [0]);
  const dY = args.dOutputs[0];
  if (!dY) return [];
  const { e } = args;
  const zero = e.f32([0]);
  return [e.op('Where', [e.op('Greater', [args.node.inputs[0], zero]), dY, zero])];
};
