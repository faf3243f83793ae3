import { onlyGradFor, unsupported, type BackwardRule } from './backward-rule.js';

/** Identity: dX = dY. */
export const identityBackward: BackwardRule = (args) => {
  onlyGradFor(args, [0]);
  return [args.dOutputs[0]];
};

/** Dropout is the identity at inference (its mask output carries no gradient), unless training_mode is on. */
export const dropoutBackward: BackwardRule = (args) => {
  const trainingMode = args.node.inputs[2];
  if (trainingMode && args.constants.numbers(trainingMode)?.[0] !== 0) {
    throw unsupported(args.node, 'its training_mode input is not a constant false (dropout would be random)');
  }
  return identityBackward(args);
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
