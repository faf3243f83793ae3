import type { ModelProto, NodeProto } from '../onnx/onnx-types.js';
import { ConstantValues } from '../onnx/constant-values.js';
import type { ForwardPlan } from './forward-plan.js';
import { IMAGE_INPUT } from './forward-plan.js';
import type { GraphEmitter } from './graph-emitter.js';
import { copyAttributes } from '../onnx/node-attributes.js';

/** The forward part as it stands in a graph being built: value names are that graph's. */
export interface CopiedForward {
  readonly nodes: readonly NodeProto[];
  readonly differentiable: ReadonlySet<string>;
  readonly constants: ConstantValues;
  /** The graph's name for a value of the loss network. */
  readonly name: (value: string) => string;
  /** Writes the non-default domains of copied nodes into the finished model (GraphBuilder only writes ''). */
  readonly finish: (model: ModelProto) => ModelProto;
}

/**
 * Emits the planned forward nodes and their initializers. Values keep their names, except those listed in
 * `renamed` (e.g. a layer that is itself a graph output) and those that would clash with `reserved` names
 * (the graph's own inputs and outputs), which get fresh ones.
 */
export function copyForward(
  e: GraphEmitter,
  plan: ForwardPlan,
  reserved: ReadonlySet<string>,
  renamed: ReadonlyMap<string, string> = new Map(),
): CopiedForward {
  const names = new Map<string, string>([[IMAGE_INPUT, IMAGE_INPUT]]);
  const values = [...plan.initializers.map((t) => t.name), ...plan.nodes.flatMap((n) => n.outputs.filter((o) => o !== ''))];
  const taken = new Set([...values, ...reserved, ...renamed.values()]);
  for (const v of values) {
    let target = renamed.get(v) ?? v;
    if (!renamed.has(v) && (reserved.has(v) || [...renamed.values()].includes(v))) {
      target = `fwd.${v}`;
      for (let i = 1; taken.has(target); i++) target = `fwd.${v}_${i}`;
      taken.add(target);
    }
    names.set(v, target);
  }
  const name = (v: string) => (v === '' ? '' : names.get(v) ?? v);

  for (const t of plan.initializers) e.builder.initializer({ ...t, name: name(t.name) });
  const nodeNames = new Set<string>();
  const domains = new Map<string, string>();
  const nodes = plan.nodes.map((node, i) => {
    let nodeName = node.name || `${node.opType}_fwd${i}`;
    while (nodeNames.has(nodeName)) nodeName = `${nodeName}_${i}`;
    nodeNames.add(nodeName);
    const outputs = node.outputs.map(name);
    while (outputs.at(-1) === '') outputs.pop(); // omitted optional outputs
    const copy: NodeProto = { ...node, name: nodeName, inputs: node.inputs.map(name), outputs };
    e.builder.node(copy.opType, copy.inputs, copy.outputs, copyAttributes(copy), nodeName);
    if (copy.domain !== '' && copy.domain !== 'ai.onnx') domains.set(nodeName, copy.domain);
    return copy;
  });

  const finish = (model: ModelProto): ModelProto => {
    if (domains.size === 0) return model;
    return {
      ...model,
      opsetImports: [...model.opsetImports, ...plan.extraOpsets],
      graph: { ...model.graph, nodes: model.graph.nodes.map((n) => (domains.has(n.name) ? { ...n, domain: domains.get(n.name)! } : n)) },
    };
  };
  return {
    nodes,
    differentiable: new Set([...plan.differentiable].map(name)),
    constants: new ConstantValues(plan.initializers.map((t) => ({ ...t, name: name(t.name) })), nodes),
    name,
    finish,
  };
}
