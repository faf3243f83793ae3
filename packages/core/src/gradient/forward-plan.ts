import { PasticheError } from '../errors.js';
import type { ModelProto, NodeProto, OperatorSetId, TensorProto } from '../onnx/onnx-types.js';
import { toAveragePool, withoutCeilMode } from './forward-rewrites.js';
import { describeNode } from '../onnx/node-attributes.js';
import { DIFFERENTIABLE_OUTPUTS, NON_DIFFERENTIABLE_OPS } from './ops/registry.js';

/** Name of the loss network's input: float [1, 3, H, W], RGB 0..255, preprocessing folded in. */
export const IMAGE_INPUT = 'image';

/** Default-domain opsets whose ops mean what they mean at opset 17, which the gradient graphs use. */
export const SUPPORTED_OPSETS = { min: 13, max: 17 } as const;

/** Pooling of the loss network: as it is, or MaxPool replaced by AveragePool (Gatys et al.). */
export type Pooling = 'max' | 'average';

/** The part of a loss network that the chosen layers need. */
export interface ForwardPlan {
  /** Nodes on which the layers depend, in topological order; nodes after the deepest layer are cut off. */
  readonly nodes: readonly NodeProto[];
  readonly initializers: readonly TensorProto[];
  /** Values that depend on the image through differentiable ops (they are the ones that get gradients). */
  readonly differentiable: ReadonlySet<string>;
  /** Opset imports of the non-default domains that the kept nodes use. */
  readonly extraOpsets: readonly OperatorSetId[];
}

const isDefaultDomain = (domain: string) => domain === '' || domain === 'ai.onnx';

function signatureError(message: string): PasticheError {
  return new PasticheError('E_MODEL_SIGNATURE', message);
}

function parseError(message: string): PasticheError {
  return new PasticheError('E_ONNX_PARSE', `${message}. Check that the loss network is a complete, valid ONNX model.`);
}

/**
 * Keeps the nodes that `layers` depend on (in topological order) and marks which values depend on the image.
 * @throws PasticheError `E_MODEL_SIGNATURE` when the network lacks an `image` input, needs another input,
 * uses an unsupported opset, or a layer does not depend on the image; `E_ONNX_PARSE` for dangling or cyclic graphs.
 */
export function planForward(model: ModelProto, layers: readonly string[], pooling: Pooling): ForwardPlan {
  const { graph } = model;
  const opset = model.opsetImports.find((o) => isDefaultDomain(o.domain))?.version;
  if (opset === undefined || opset < SUPPORTED_OPSETS.min || opset > SUPPORTED_OPSETS.max) {
    throw signatureError(
      `Expected a loss network of ONNX opset ${SUPPORTED_OPSETS.min}–${SUPPORTED_OPSETS.max} but it imports opset ${opset ?? 'none'}. ` +
        'Convert it (onnx.version_converter) to opset 17.',
    );
  }
  const initializers = new Map(graph.initializers.map((t) => [t.name, t]));
  const graphInputs = new Set(graph.inputs.map((v) => v.name).filter((name) => !initializers.has(name)));
  if (!graphInputs.has(IMAGE_INPUT)) {
    throw signatureError(`Expected the loss network to have an input named '${IMAGE_INPUT}' but its inputs are: ${[...graphInputs].join(', ') || 'none'}`);
  }

  const producer = new Map<string, number>();
  graph.nodes.forEach((node, i) => {
    for (const out of node.outputs) {
      if (out === '') continue;
      if (producer.has(out) || initializers.has(out) || graphInputs.has(out)) throw parseError(`Value '${out}' is defined twice (${describeNode(node)})`);
      producer.set(out, i);
    }
  });

  const order = topologicalOrder(graph.nodes, producer, layers, (node, value) => {
    if (value === IMAGE_INPUT || initializers.has(value)) return;
    if (graphInputs.has(value)) {
      throw signatureError(`The chosen layers need the loss network's input '${value}' (used by ${describeNode(node)}), but only '${IMAGE_INPUT}' is fed`);
    }
    throw parseError(`${describeNode(node)} uses '${value}', which no node, initializer or input defines`);
  });

  const read = new Set(order.flatMap((i) => graph.nodes[i].inputs));
  const nodes = order.map((i) => {
    const node = graph.nodes[i];
    if (!isDefaultDomain(node.domain)) return node;
    return withoutCeilMode(pooling === 'average' && node.opType === 'MaxPool' ? toAveragePool(node, read) : node);
  });
  const differentiable = new Set([IMAGE_INPUT]);
  for (const node of nodes) {
    if (NON_DIFFERENTIABLE_OPS.has(node.opType) && isDefaultDomain(node.domain)) continue;
    if (!node.inputs.some((v) => differentiable.has(v))) continue;
    const outputs = DIFFERENTIABLE_OUTPUTS[node.opType] ?? node.outputs.map((_, i) => i);
    for (const i of outputs) if (node.outputs[i]) differentiable.add(node.outputs[i]);
  }
  for (const layer of layers) {
    if (!differentiable.has(layer)) throw signatureError(`Layer '${layer}' does not depend on the input '${IMAGE_INPUT}', so it cannot steer the image`);
  }

  const domains = new Set(nodes.map((n) => n.domain).filter((d) => !isDefaultDomain(d)));
  return {
    nodes,
    initializers: graph.initializers.filter((t) => read.has(t.name)),
    differentiable,
    extraOpsets: model.opsetImports.filter((o) => domains.has(o.domain)),
  };
}

/** Post-order DFS from the layers' producers: every node after all the nodes it reads. Iterative (deep nets). */
function topologicalOrder(
  nodes: readonly NodeProto[],
  producer: ReadonlyMap<string, number>,
  layers: readonly string[],
  checkSource: (node: NodeProto, value: string) => void,
): number[] {
  const order: number[] = [];
  const state = new Map<number, 'open' | 'done'>();
  for (const layer of layers) {
    const root = producer.get(layer);
    if (root === undefined) throw signatureError(`Layer '${layer}' is not computed by any node of the loss network`);
    const stack: { node: number; next: number }[] = [{ node: root, next: 0 }];
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      if (top.next === 0) {
        if (state.get(top.node) === 'done') { stack.pop(); continue; }
        state.set(top.node, 'open');
      }
      const node = nodes[top.node];
      if (top.next === node.inputs.length) {
        state.set(top.node, 'done');
        order.push(top.node);
        stack.pop();
        continue;
      }
      const value = node.inputs[top.next++];
      if (value === '') continue;
      const from = producer.get(value);
      if (from === undefined) checkSource(node, value);
      else if (state.get(from) === 'open') throw parseError(`The loss network has a cycle through '${value}'`);
      else if (state.get(from) !== 'done') stack.push({ node: from, next: 0 });
    }
  }
  return order;
}
