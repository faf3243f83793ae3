import { addBackward, divBackward, mulBackward, subBackward } from './arithmetic.js';
import { averagePoolBackward } from './average-pool.js';
import type { BackwardRule } from './backward-rule.js';
import { concatBackward } from './concat.js';
import { convBackward } from './conv.js';
import { globalAveragePoolBackward } from './global-average-pool.js';
import { maxPoolBackward } from './max-pool.js';
import { padBackward } from './pad.js';
import { dropoutBackward, identityBackward, reshapeBackward } from './pass-through.js';
import { reluBackward } from './relu.js';
import { transposeBackward } from './transpose.js';

/** Backward rules of the default ONNX domain, by op type. */
export const BACKWARD_RULES: Readonly<Record<string, BackwardRule>> = Object.freeze({
  Add: addBackward,
  AveragePool: averagePoolBackward,
  Concat: concatBackward,
  Conv: convBackward,
  Div: divBackward,
  Dropout: dropoutBackward,
  Flatten: reshapeBackward,
  GlobalAveragePool: globalAveragePoolBackward,
  Identity: identityBackward,
  MaxPool: maxPoolBackward,
  Mul: mulBackward,
  Pad: padBackward,
  Relu: reluBackward,
  Reshape: reshapeBackward,
  Squeeze: reshapeBackward,
  Sub: subBackward,
  Transpose: transposeBackward,
  Unsqueeze: reshapeBackward,
});

/** Op types with a backward rule, sorted; for messages and docs. */
export const DIFFERENTIABLE_OPS: readonly string[] = Object.freeze(Object.keys(BACKWARD_RULES).sort());

/**
 * Ops whose outputs carry no gradient (integer, boolean or piecewise-constant results): values computed
 * through them from the image count as constants.
 */
export const NON_DIFFERENTIABLE_OPS: ReadonlySet<string> = new Set([
  'And', 'ArgMax', 'ArgMin', 'Ceil', 'ConstantOfShape', 'Equal', 'EyeLike', 'Floor', 'Greater', 'GreaterOrEqual',
  'IsInf', 'IsNaN', 'Less', 'LessOrEqual', 'NonZero', 'Not', 'Or', 'RandomNormalLike', 'RandomUniformLike', 'Round',
  'Shape', 'Sign', 'Size', 'Xor',
]);

/** Outputs that carry a gradient when not all do (MaxPool's Indices, Dropout's mask). */
export const DIFFERENTIABLE_OUTPUTS: Readonly<Record<string, readonly number[]>> = Object.freeze({ MaxPool: [0], Dropout: [0] });
