import { attr, float32Tensor, GraphBuilder, int64Tensor, METADATA_KEYS, TensorDataType, type AttributeValue, type ModelProto } from '@pastiche/core';
import { Random } from './random.js';

/**
 * Small random loss networks for the gradient checks: input `image` [1, 3, H, W], named layers, the layer list
 * in `pastiche.layers`.
 */
export class NetBuilder {
  readonly g = new GraphBuilder('test-loss-net');
  readonly image: string;
  readonly random: Random;
  private readonly layers: string[] = [];
  private count = 0;

  constructor(seed: number) {
    this.random = new Random(seed);
    this.image = this.g.input('image', TensorDataType.FLOAT, [1, 3, 'height', 'width']);
  }

  private fresh(base: string): string {
    return this.g.freshName(`${base}${this.count++}`);
  }

  /** A FLOAT constant with normal entries of the given scale (or the given values). */
  weights(dims: number[], scale: number): string {
    const n = dims.reduce((a, b) => a * b, 1);
    return this.g.initializer(float32Tensor(this.fresh('w'), dims, this.random.normals(n, scale)));
  }

  constant(dims: number[], values: number[]): string {
    return this.g.initializer(float32Tensor(this.fresh('c'), dims, values));
  }

  ints(values: number[]): string {
    return this.g.initializer(int64Tensor(this.fresh('i'), [values.length], values));
  }

  op(opType: string, inputs: string[], attrs: Record<string, AttributeValue> = {}, name?: string): string {
    return this.g.node(opType, inputs, [name ?? this.fresh(opType.toLowerCase())], attrs, name)[0];
  }

  /** Conv with random weights scaled 1/sqrt(fan-in) (activations stay O(input)). */
  conv(
    x: string,
    cin: number,
    cout: number,
    opts: { k?: number[]; strides?: number[]; pads?: number[]; dilations?: number[]; group?: number; bias?: boolean; name?: string } = {},
  ): string {
    const k = opts.k ?? [3, 3];
    const group = opts.group ?? 1;
    const w = this.weights([cout, cin / group, ...k], 1 / Math.sqrt((cin / group) * k[0] * k[1]));
    const inputs = opts.bias === false ? [x, w] : [x, w, this.weights([cout], 0.5)];
    const attrs: Record<string, AttributeValue> = { kernel_shape: attr.ints(k), group: attr.int(group) };
    if (opts.strides) attrs.strides = attr.ints(opts.strides);
    if (opts.pads) attrs.pads = attr.ints(opts.pads);
    if (opts.dilations) attrs.dilations = attr.ints(opts.dilations);
    return this.op('Conv', inputs, attrs, opts.name);
  }

  /** Scales the 0..255 image to about unit range, as folded preprocessing does. */
  preprocess(): string {
    const mean = this.constant([1, 3, 1, 1], [124, 116, 104]);
    const scale = this.constant([1, 3, 1, 1], [1 / 58, 1 / 57, 1 / 57]);
    return this.op('Mul', [this.op('Sub', [this.image, mean]), scale]);
  }

  /** Marks a value as a selectable layer (and a graph output, so the original network can be run). */
  layer(value: string): string {
    this.layers.push(value);
    this.g.output(value, TensorDataType.FLOAT, []);
    return value;
  }

  build(): ModelProto {
    const model = this.g.toModel({ metadata: { [METADATA_KEYS.layers]: this.layers.join(',') } });
    // Outputs of unknown rank: no declared shape.
    return { ...model, graph: { ...model.graph, outputs: model.graph.outputs.map((o) => ({ ...o, shape: undefined })) } };
  }
}
