import { type BackwardRule } from './backward-rule.js';
import { unbroadcast } from './unbroadcast.js';

/*
 * Binary arithmetic with numpy broadcasting (e.g. `image − mean` with a [1,3,1,1] constant). Either operand
 * may depend on the image, both too (x·x): each gets its own term, summed back to its shape.
 */

export const addBackward: BackwardRule = ({ e, node, dOutputs: [dY], needsGrad }) =>
  dY ? node.inputs.map((x, i) => (needsGrad[i] ? unbroadcast(e, dY, x) : undefined)) : [];

export const subBackward: BackwardRule = ({ e, node, dOutputs: [dY], needsGrad }) => {
  if (!dY) return [];
  const [a, b] = node.inputs;
  return [needsGrad[0] ? unbroadcast(e, dY, a) : undefined, needsGrad[1] ? unbroadcast(e, e.op('Neg', [dY]), b) : undefined];
};

export const mulBackward: BackwardRule = ({ e, node, dOutputs: [dY], needsGrad }) => {
  if (!dY) return [];
  const [a, b] = node.inputs;
  return [
    needsGrad[0] ? unbroadcast(e, e.op('Mul', [dY, b]), a) : undefined,
    needsGrad[1] ? unbroadcast(e, e.op('Mul', [dY, a]), b) : undefined,
  ];
};

/** Y = A / B: dA = dY / B, dB = −dY · Y / B. */
export const divBackward: BackwardRule = ({ e, node, dOutputs: [dY], needsGrad }) => {
  if (!dY) return [];
  const [a, b] = node.inputs;
  const dA = needsGrad[0] || needsGrad[1] ? e.op('Div', [dY, b]) : undefined;
  return [
    needsGrad[0] ? unbroadcast(e, dA!, a) : undefined,
    needsGrad[1] ? unbroadcast(e, e.op('Neg', [e.op('Mul', [dA!, node.outputs[0]])]), b) : undefined,
  ];
};
