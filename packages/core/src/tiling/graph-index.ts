import type { ModelProto, NodeProto, TensorProto } from '../onnx/onnx-types.js';

const isDefaultDomain = (domain: string) => domain === '' || domain === 'ai.onnx';

/**
 * Who produces and who reads each value of a style network's graph, which values are constants (they do not depend
 * on the image), and the default-domain opset: what the tiling analysis looks things up in.
 */
export class GraphIndex {
  readonly model: ModelProto;
  readonly nodes: readonly NodeProto[];
  /** Node index of each node output. */
  readonly producer = new Map<string, number>();
  /** Node indices reading each value, in node order. */
  readonly consumers = new Map<string, number[]>();
  readonly initializers: ReadonlyMap<string, TensorProto>;
  /** The image input's name. */
  readonly input: string;
  /** The image output's name (the first graph output). */
  readonly output: string;
  /**
   * Graph inputs other than the image and initializers (a style vector): the same for every tile of one run, so that
   * each pass graph takes them as they are.
   */
  readonly runInputs: ReadonlySet<string>;
  readonly opset: number;
  private readonly constant = new Set<string>();
  private readonly imageDependent = new Set<string>();

  constructor(model: ModelProto, input: string) {
    this.model = model;
    this.nodes = model.graph.nodes;
    this.input = input;
    this.output = model.graph.outputs[0].name;
    this.initializers = new Map(model.graph.initializers.map((t) => [t.name, t]));
    this.opset = model.opsetImports.find((o) => isDefaultDomain(o.domain))?.version ?? 1;
    for (const t of model.graph.initializers) this.constant.add(t.name);
    this.runInputs = new Set(model.graph.inputs.map((v) => v.name).filter((v) => v !== input && !this.initializers.has(v)));
    this.imageDependent.add(input);
    this.nodes.forEach((node, i) => {
      for (const v of node.inputs) {
        if (v === '') continue;
        const list = this.consumers.get(v);
        if (list) list.push(i);
        else this.consumers.set(v, [i]);
      }
      for (const v of node.outputs) if (v !== '') this.producer.set(v, i);
      // ONNX lists nodes in topological order, so the inputs' constness is known here.
      if (isDefaultDomain(node.domain) && node.opType !== 'RandomNormal' && node.opType !== 'RandomUniform' && node.inputs.every((v) => v === '' || this.constant.has(v))) {
        for (const v of node.outputs) if (v !== '') this.constant.add(v);
      }
      if (node.inputs.some((v) => this.imageDependent.has(v))) for (const v of node.outputs) if (v !== '') this.imageDependent.add(v);
    });
  }

  /** True for a value that does not depend on the image: an initializer, a Constant, or computed from those only. */
  isConstant(value: string): boolean {
    return this.constant.has(value);
  }

  /**
   * True for a value that is the same in every tile of one run: it does not depend on the image (a constant, a
   * {@link runInputs run input}, or computed from those only). Pass graphs compute it again rather than cache it.
   */
  isTileInvariant(value: string): boolean {
    return !this.imageDependent.has(value);
  }

  /** The node producing `value`, if a node does. */
  producerOf(value: string): NodeProto | undefined {
    const i = this.producer.get(value);
    return i === undefined ? undefined : this.nodes[i];
  }

  /** The tensor of an initializer or a Constant node's `value`, or undefined. */
  constantTensor(value: string): TensorProto | undefined {
    const init = this.initializers.get(value);
    if (init) return init;
    const node = this.producerOf(value);
    if (node?.opType !== 'Constant' || !isDefaultDomain(node.domain)) return undefined;
    return node.attributes.find((a) => a.name === 'value')?.t;
  }

  /**
   * Why the graph cannot be taken apart into passes, or undefined when it can: nodes in topological order, no
   * subgraphs (an If or Loop body reads outer values that its node does not list), and opset 7 or later (the
   * derived graphs use numpy broadcasting).
   */
  unsupportedReason(): string | undefined {
    if (this.opset < 7) return `it uses ONNX opset ${this.opset} (7 or later is needed)`;
    const defined = new Set<string>([this.input, ...this.initializers.keys(), ...this.runInputs]);
    for (const node of this.nodes) {
      if (node.attributes.some((a) => a.g !== undefined || (a.graphs?.length ?? 0) > 0)) return `its ${node.opType} node '${node.name}' has a subgraph`;
      for (const v of node.inputs) if (v !== '' && !defined.has(v)) return `its nodes are not in topological order ('${v}' is read before it is made)`;
      for (const v of node.outputs) defined.add(v);
    }
    return undefined;
  }
}

/** Reads an int or ints attribute. */
export function intsAttribute(node: NodeProto, name: string): number[] | undefined {
  const a = node.attributes.find((x) => x.name === name);
  if (!a) return undefined;
  if (a.ints) return a.ints;
  return a.i === undefined ? undefined : [a.i];
}

export function floatAttribute(node: NodeProto, name: string): number | undefined {
  return node.attributes.find((x) => x.name === name)?.f;
}
