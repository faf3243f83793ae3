import { PasticheError } from '../errors.js';
import type { CopiedForward } from './forward-copy.js';
import type { GraphEmitter } from './graph-emitter.js';
import { describeNode } from '../onnx/node-attributes.js';
import { BACKWARD_RULES, DIFFERENTIABLE_OPS } from './ops/registry.js';

/**
 * Reverse-mode differentiation over the copied forward nodes. `seeds` holds d loss / d value for some values
 * (the loss terms' gradients w.r.t. the layers); gradients flow back node by node in reverse topological order,
 * contributions to a value used several times are summed. Only nodes that receive a gradient are visited, so
 * branches that do not lead to a used layer cost nothing. Every backward op reads forward values already in
 * the graph: nothing is recomputed.
 * @returns d loss / d `wrt`, or undefined when no gradient reaches it.
 * @throws PasticheError `E_MODEL_SIGNATURE` naming the op and node when a node on the path has no rule.
 */
export function emitBackward(e: GraphEmitter, forward: CopiedForward, seeds: ReadonlyMap<string, readonly string[]>, wrt: string): string | undefined {
  const pending = new Map<string, string[]>();
  const add = (value: string, grad: string) => pending.set(value, [...(pending.get(value) ?? []), grad]);
  for (const [value, grads] of seeds) for (const g of grads) add(value, g);
  const take = (value: string): string | undefined => {
    const grads = pending.get(value);
    pending.delete(value);
    if (!grads) return undefined;
    // Pairwise Add, not Sum: onnxruntime's CPU Sum is single-threaded, and an Add can fuse into the Conv before it.
    return grads.reduce((total, g) => e.op('Add', [total, g]));
  };

  for (let i = forward.nodes.length - 1; i >= 0; i--) {
    const node = forward.nodes[i];
    const dOutputs = node.outputs.map((o) => (forward.differentiable.has(o) ? take(o) : undefined));
    if (dOutputs.every((d) => d === undefined)) continue;
    const rule = node.domain === '' || node.domain === 'ai.onnx' ? BACKWARD_RULES[node.opType] : undefined;
    if (!rule) {
      throw new PasticheError(
        'E_MODEL_SIGNATURE',
        `Cannot differentiate ${describeNode(node)}${node.domain ? ` (domain '${node.domain}')` : ''}: ` +
          `no backward rule for ${node.opType} on the path from the image to the chosen layers. ` +
          `Supported ops: ${DIFFERENTIABLE_OPS.join(', ')}. Choose earlier layers or re-export the network without it.`,
      );
    }
    const needsGrad = node.inputs.map((v) => v !== '' && forward.differentiable.has(v));
    const dInputs = rule({ node, e, dOutputs, needsGrad, constants: forward.constants });
    dInputs.forEach((d, k) => {
      if (d !== undefined && needsGrad[k]) add(node.inputs[k], d);
    });
  }
  return take(wrt);
}
