import { attr, GraphBuilder, type AttributeValue } from '../onnx/graph-builder.js';
import { float32Tensor, int64Tensor } from '../onnx/onnx-tensors.js';
import { TensorDataType } from '../onnx/onnx-types.js';

/** Slice bound meaning "to the end" (Slice clamps it; INT64_MAX is not a safe JS integer). */
export const TO_END = Number.MAX_SAFE_INTEGER;

/**
 * GraphBuilder plus what every rule needs: one-line ops, deduplicated constants and cached `Shape`/`Size`
 * of a value, so that repeated rules share them instead of recomputing. Shapes are always read at run time
 * (no image size is ever baked in).
 */
export class GraphEmitter {
  readonly builder: GraphBuilder;
  private readonly cache = new Map<string, string>();

  constructor(builder: GraphBuilder) {
    this.builder = builder;
  }

  /** Adds a node with one output; returns the output's name. */
  op(opType: string, inputs: readonly string[], attrs: Readonly<Record<string, AttributeValue>> = {}): string {
    return this.builder.node(opType, inputs, 1, attrs)[0];
  }

  /** Adds a node with `count` outputs. */
  ops(opType: string, inputs: readonly string[], count: number, attrs: Readonly<Record<string, AttributeValue>> = {}): string[] {
    return this.builder.node(opType, inputs, count, attrs);
  }

  /** A 1-D INT64 constant (rank 0 with `scalar`). */
  i64(values: readonly number[], scalar = false): string {
    return this.memo(`i64:${scalar}:${values.join(',')}`, () =>
      this.builder.initializer(int64Tensor(this.builder.freshName('const_i64'), scalar ? [] : [values.length], values)),
    );
  }

  /** A FLOAT constant of the given dims (rank-0 scalar by default). */
  f32(values: readonly number[], dims: readonly number[] = []): string {
    return this.memo(`f32:${dims.join('x')}:${values.join(',')}`, () =>
      this.builder.initializer(float32Tensor(this.builder.freshName('const_f32'), dims, values)),
    );
  }

  /** `Shape(value)[start:end]` (INT64, 1-D), cached. */
  shape(value: string, start?: number, end?: number): string {
    const attrs: Record<string, AttributeValue> = {};
    if (start !== undefined) attrs.start = attr.int(start);
    if (end !== undefined) attrs.end = attr.int(end);
    return this.memo(`shape:${value}:${start}:${end}`, () => this.op('Shape', [value], attrs));
  }

  /**
   * Number of elements of `value` as a FLOAT scalar, cached. Float quantities come from `Size` only:
   * onnxruntime-web's WebGPU EP returned stale values for `Cast` of a `Shape` slice to FLOAT (another tensor's).
   */
  count(value: string): string {
    return this.memo(`count:${value}`, () => this.op('Cast', [this.op('Size', [value])], { to: attr.int(TensorDataType.FLOAT) }));
  }

  /**
   * A boolean tensor as 0/1 floats, to select by multiplying: onnxruntime's CPU `Where` is single-threaded
   * and several times slower than `Cast` + `Mul`.
   */
  floatMask(condition: string): string {
    return this.op('Cast', [condition], { to: attr.int(TensorDataType.FLOAT) });
  }

  /** `Reshape(value, Shape(like))`. */
  reshapeLike(value: string, like: string): string {
    return this.op('Reshape', [value, this.shape(like)]);
  }

  /** A memo slot for values other modules want to share (e.g. the ones-kernel of a pool). */
  memo(key: string, make: () => string): string {
    let name = this.cache.get(key);
    if (name === undefined) {
      name = make();
      this.cache.set(key, name);
    }
    return name;
  }
}
