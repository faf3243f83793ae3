import { AttributeType, type AttributeProto, type Dim, type ModelProto, type NodeProto, type TensorProto, type ValueInfoProto } from './onnx-types.js';

/**
 * A typed attribute value. Integers and floats are told apart explicitly (`attr.int(1)` vs
 * `attr.float(1)`): ONNX checks attribute types and a JS number cannot say which one it is.
 */
export type TypedAttribute =
  | { readonly kind: 'float'; readonly value: number }
  | { readonly kind: 'int'; readonly value: number }
  | { readonly kind: 'floats'; readonly value: readonly number[] }
  | { readonly kind: 'ints'; readonly value: readonly number[] }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'strings'; readonly value: readonly string[] }
  | { readonly kind: 'tensor'; readonly value: TensorProto };

/** An attribute value: a typed one, or a bare string or tensor (both unambiguous). */
export type AttributeValue = TypedAttribute | string | TensorProto;

/** Constructors for {@link TypedAttribute}. */
export const attr = {
  float: (value: number): TypedAttribute => ({ kind: 'float', value }),
  int: (value: number): TypedAttribute => ({ kind: 'int', value }),
  floats: (value: readonly number[]): TypedAttribute => ({ kind: 'floats', value }),
  ints: (value: readonly number[]): TypedAttribute => ({ kind: 'ints', value }),
  string: (value: string): TypedAttribute => ({ kind: 'string', value }),
  strings: (value: readonly string[]): TypedAttribute => ({ kind: 'strings', value }),
  tensor: (value: TensorProto): TypedAttribute => ({ kind: 'tensor', value }),
} as const;

/** Options of {@link GraphBuilder.toModel}. */
export interface ToModelOptions {
  /** Version of the default ONNX operator set. @default 17 */
  opset?: number;
  /** @default 8 (the IR version that goes with opset 17) */
  irVersion?: number;
  /** metadata_props, e.g. the `pastiche.*` keys. @default {} */
  metadata?: Record<string, string>;
  /** @default 'pastiche' */
  producerName?: string;
  /** @default '' */
  producerVersion?: string;
  /** @default '' */
  docString?: string;
}

export const DEFAULT_OPSET = 17;
export const DEFAULT_IR_VERSION = 8;

const utf8 = new TextEncoder();

function toAttribute(name: string, value: AttributeValue, where: string): AttributeProto {
  if (typeof value === 'string') return { name, type: AttributeType.STRING, s: utf8.encode(value) };
  if (value !== null && typeof value === 'object' && 'dataType' in value) return { name, type: AttributeType.TENSOR, t: value };
  if (value === null || typeof value !== 'object' || !('kind' in value)) {
    throw new TypeError(
      `Expected attr.int(), attr.float(), attr.ints(), attr.floats(), a string or a tensor for attribute '${name}' of ${where} ` +
        `but received ${typeof value === 'number' ? `${value} of type number (say attr.int or attr.float)` : typeof value}`,
    );
  }
  switch (value.kind) {
    case 'float': return { name, type: AttributeType.FLOAT, f: value.value };
    case 'int':
      if (!Number.isInteger(value.value)) throw new RangeError(`Expected an integer for attribute '${name}' of ${where} but received ${value.value}`);
      return { name, type: AttributeType.INT, i: value.value };
    case 'floats': return { name, type: AttributeType.FLOATS, floats: [...value.value] };
    case 'ints':
      if (!value.value.every(Number.isInteger)) throw new RangeError(`Expected integers for attribute '${name}' of ${where} but received [${value.value.join(', ')}]`);
      return { name, type: AttributeType.INTS, ints: [...value.value] };
    case 'string': return { name, type: AttributeType.STRING, s: utf8.encode(value.value) };
    case 'strings': return { name, type: AttributeType.STRINGS, strings: value.value.map((s) => utf8.encode(s)) };
    case 'tensor': return { name, type: AttributeType.TENSOR, t: value.value };
  }
}

/**
 * Builds an ONNX graph node by node, in topological order. Every value name is checked to exist when it
 * is used and to be defined once; generated names are unique.
 *
 * ```ts
 * const g = new GraphBuilder('net');
 * const x = g.input('input', TensorDataType.FLOAT, [1, 3, 'height', 'width']);
 * const [y] = g.node('Relu', [x], ['output']);
 * g.output(y, TensorDataType.FLOAT, [1, 3, 'height', 'width']);
 * const model = g.toModel({ metadata: { 'pastiche.name': 'relu' } });
 * ```
 */
export class GraphBuilder {
  readonly name: string;
  private readonly nodes: NodeProto[] = [];
  private readonly initializers: TensorProto[] = [];
  private readonly inputs: ValueInfoProto[] = [];
  private readonly outputs: ValueInfoProto[] = [];
  private readonly values = new Set<string>();
  private readonly nodeNames = new Set<string>();

  constructor(name: string) {
    this.name = name;
  }

  /** Whether a value (input, initializer or node output) of this name exists. */
  has(name: string): boolean {
    return this.values.has(name);
  }

  /** A value name based on `base` that no value of this graph has yet (it is not reserved). */
  freshName(base: string): string {
    return fresh(base, this.values);
  }

  /** Declares a graph input; returns its name. */
  input(name: string, elemType: number, shape: readonly Dim[]): string {
    this.define(name, 'graph input');
    this.inputs.push({ name, elemType, shape: [...shape] });
    return name;
  }

  /** Declares an existing value as a graph output; returns its name. */
  output(name: string, elemType: number, shape: readonly Dim[]): string {
    this.use(name, 'graph output');
    this.outputs.push({ name, elemType, shape: [...shape] });
    return name;
  }

  /** Adds a constant; returns its name (the tensor's). */
  initializer(tensor: TensorProto): string {
    this.define(tensor.name, 'initializer');
    this.initializers.push(tensor);
    return tensor.name;
  }

  /**
   * Adds a node. `outputs` names the outputs, or gives how many to generate (`<node name>_out<i>`).
   * '' in `inputs` marks an omitted optional input. Returns the output names.
   */
  node(
    opType: string,
    inputs: readonly string[],
    outputs: readonly string[] | number = 1,
    attrs: Readonly<Record<string, AttributeValue>> = {},
    name?: string,
  ): string[] {
    const nodeName = name ?? fresh(`${opType}_${this.nodes.length}`, this.nodeNames);
    if (this.nodeNames.has(nodeName)) throw new RangeError(`Expected a new node name but '${nodeName}' is already used`);
    this.nodeNames.add(nodeName);
    const where = `node '${nodeName}' (${opType})`;
    for (const input of inputs) if (input !== '') this.use(input, `input of ${where}`);
    const outputNames =
      typeof outputs === 'number'
        ? Array.from({ length: outputs }, (_, i) => this.freshName(outputs === 1 ? `${nodeName}_out` : `${nodeName}_out${i}`))
        : [...outputs];
    for (const output of outputNames) this.define(output, `output of ${where}`);
    const attributes = Object.entries(attrs).map(([key, value]) => toAttribute(key, value, where));
    this.nodes.push({ name: nodeName, opType, domain: '', inputs: [...inputs], outputs: outputNames, attributes });
    return outputNames;
  }

  /** The finished model. The builder's arrays are copied, so building can go on afterwards. */
  toModel(options: ToModelOptions = {}): ModelProto {
    if (this.outputs.length === 0) throw new RangeError(`Expected graph '${this.name}' to declare at least one output`);
    return {
      irVersion: options.irVersion ?? DEFAULT_IR_VERSION,
      opsetImports: [{ domain: '', version: options.opset ?? DEFAULT_OPSET }],
      producerName: options.producerName ?? 'pastiche',
      producerVersion: options.producerVersion ?? '',
      docString: options.docString ?? '',
      metadataProps: { ...options.metadata },
      graph: {
        name: this.name,
        nodes: [...this.nodes],
        initializers: [...this.initializers],
        inputs: [...this.inputs],
        outputs: [...this.outputs],
        valueInfo: [],
      },
    };
  }

  private define(name: string, what: string): void {
    if (typeof name !== 'string' || name === '') throw new TypeError(`Expected a non-empty name for the ${what} but received ${JSON.stringify(name)}`);
    if (this.values.has(name)) throw new RangeError(`Expected a new value name for the ${what} but '${name}' is already defined`);
    this.values.add(name);
  }

  private use(name: string, what: string): void {
    if (!this.values.has(name)) throw new RangeError(`Unknown value '${name}' used as ${what}: define it first (input, initializer or node output)`);
  }
}

/** `base`, or `base_1`, `base_2`, … whichever `taken` lacks first. */
function fresh(base: string, taken: ReadonlySet<string>): string {
  let name = base;
  for (let i = 1; taken.has(name); i++) name = `${base}_${i}`;
  return name;
}
