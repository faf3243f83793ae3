import { onlyGradFor, type BackwardRule } from './backward-rule.js';

/** Identity, and Dropout, which is the identity at inference (its mask output carries no gradient). */
export const identityBackward: BackwardRule = (args) => {
  onlyGradFor(args, [0]);
  return [args.dOutputs[0]];
};

/**
 * Ops that only rearrange elements into another shape (Reshape, Flatten, Squeeze, Unsqueeze): the gradient is
 * dY in the input's run-time shape. Their shape/axes inputs are integers and need no gradient.
 */
export const reshapeBackward: BackwardRule = (args) => {
  onlyGradFor(args, [0]);
  const dY = args.dOutputs[0];
  return dY ? [args.e.reshapeLike(dY, args.node.inputs[0])] : [];
};
