import { float32Tensor, int64Tensor } from '../onnx/onnx-tensors.js';
import { AttributeType, type AttributeProto, type GraphProto, type NodeProto } from '../onnx/onnx-types.js';

/** Small helpers shared by the node-replacing rewrites: fresh names, attributes and constants. */

const utf8 = new TextEncoder();
export const intsAttribute = (name: string, ints: number[]): AttributeProto => ({ name, type: AttributeType.INTS, ints });
export const intAttribute = (name: string, i: number): AttributeProto => ({ name, type: AttributeType.INT, i });
export const stringAttribute = (name: string, s: string): AttributeProto => ({ name, type: AttributeType.STRING, s: utf8.encode(s) });

/** Names no value, initializer or node of the graph has yet. */
export class FreshNames {
  private count = 0;
  private readonly taken: Set<string>;

  constructor(graph: GraphProto) {
    this.taken = new Set<string>([...graph.initializers.map((t) => t.name), ...graph.inputs.map((i) => i.name)]);
    for (const node of graph.nodes) {
      this.taken.add(node.name);
      for (const output of node.outputs) this.taken.add(output);
    }
  }

  fresh(base: string): string {
    let name = base;
    while (this.taken.has(name)) name = `${base}_${++this.count}`;
    this.taken.add(name);
    return name;
  }
}

/** Builds the nodes and initializers that replace one node, named after it. */
export class Replacement {
  readonly nodes: NodeProto[] = [];

  constructor(
    private readonly graph: GraphProto,
    private readonly names: FreshNames,
    private readonly base: string,
  ) {}

  /** Adds a node; returns its output (`output` when given, else a fresh name). */
  add(opType: string, inputs: string[], attributes: AttributeProto[] = [], output?: string): string {
    const out = output ?? this.names.fresh(`${this.base}_${opType}`);
    this.nodes.push({ name: this.names.fresh(`${this.base}_${opType}`), opType, domain: '', inputs, outputs: [out], attributes });
    return out;
  }

  ints(suffix: string, values: number[]): string {
    const name = this.names.fresh(`${this.base}_${suffix}`);
    this.graph.initializers.push(int64Tensor(name, [values.length], values));
    return name;
  }

  floats(suffix: string, dims: number[], values: Float32Array | number[]): string {
    const name = this.names.fresh(`${this.base}_${suffix}`);
    this.graph.initializers.push(float32Tensor(name, dims, values));
    return name;
  }
}

/**
 * Puts each replaced node's replacement where the node was, then drops the initializers only the replaced nodes
 * read (their weights now live in the replacements' own initializers).
 */
export function spliceReplacements(graph: GraphProto, replacements: ReadonlyMap<NodeProto, readonly NodeProto[]>): void {
  graph.nodes = graph.nodes.flatMap((node) => replacements.get(node) ?? [node]);
  const used = new Set([...graph.nodes.flatMap((node) => node.inputs), ...graph.outputs.map((o) => o.name)]);
  const replaced = new Set([...replacements.keys()].flatMap((node) => node.inputs.slice(1)));
  graph.initializers = graph.initializers.filter((t) => !replaced.has(t.name) || used.has(t.name));
}
