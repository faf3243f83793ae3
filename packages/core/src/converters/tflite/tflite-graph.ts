import type { PasticheError } from '../../errors.js';
import { attr, float32Tensor, GraphBuilder, int64Tensor, type AttributeValue, type TensorProto } from '../../onnx/index.js';
import { convertError } from '../convert-error.js';
import { TfliteType, type TfliteOperator, type TfliteSubgraph, type TfliteTensor } from './tflite-model.js';
import { tfliteOperatorName } from './tflite-operators.js';
import { centeredIntegers, constantFloats, constantIntegers } from './tflite-weights.js';

/**
 * The state of one conversion: which ONNX value stands for each TFLite tensor and in which layout, the constants
 * (kept as numbers until an operator says which layout it needs them in), and initializers shared by name.
 *
 * Layout: every 4-D float activation is kept NCHW (what onnxruntime's kernels run fastest); everything else
 * (shape vectors, scalars, results of operators translated on TFLite's own layout) is `plain`, in TFLite's
 * order. An operator asks for its inputs in the layout it works in ({@link nchw}, {@link plain}); a transpose is
 * added only when a value is in the other one.
 *
 * Domain: with simulated quantization, an int8/uint8 activation is held as its integers less the zero point
 * (`q − zero_point`, exact in float32), and the operators that run on integers in the file compute on them as
 * XNNPACK does (tflite-quantized.ts). {@link nchw} and {@link plain} hand out real numbers unless asked for the
 * integers, so that operators translated on reals never see them.
 */

export type Layout = 'nchw' | 'plain';

/** Per-tensor quantization of an activation: real = scale · (q − zeroPoint), q in [min, max]. */
export interface Quantization {
  scale: number;
  zeroPoint: number;
  min: number;
  max: number;
}

export const sameQuantization = (a: Quantization | undefined, b: Quantization | undefined): boolean =>
  a !== undefined && b !== undefined && a.scale === b.scale && a.zeroPoint === b.zeroPoint && a.min === b.min && a.max === b.max;

/** A value computed when the model runs. */
export interface DynamicValue {
  kind: 'dynamic';
  name: string;
  layout: Layout;
  /** Known rank (4 for NCHW values), or undefined when neither the file nor the translation says. */
  rank: number | undefined;
  /** Integer values (shapes and sizes), held as ONNX INT64. */
  integer: boolean;
  /** Set when the value holds `q − zeroPoint` of a quantized activation rather than real numbers. */
  quant?: Quantization;
}

/** A constant tensor of the file, or one folded at conversion (a DEQUANTIZE of a constant). */
export interface ConstantValue {
  kind: 'constant';
  tensor: TfliteTensor;
  /** Folded float values; read from the tensor's buffer when absent. */
  floats?: Float32Array;
}

export type Value = DynamicValue | ConstantValue;

export interface TfliteGraphOptions {
  /** Names the file in messages. */
  file: string;
  /** Compute int8/uint8 activations on their integers, as the file's integer kernels do. */
  simulateQuantization: boolean;
}

/** NHWC → NCHW and back, for 4-D data and shapes. */
export const TO_NCHW = [0, 3, 1, 2] as const;
export const TO_NHWC = [0, 2, 3, 1] as const;
/** Where each NHWC axis sits in NCHW. */
export const NHWC_AXIS_IN_NCHW = [0, 2, 3, 1] as const;

/** Safe stand-ins for ±infinity in Slice starts and ends; onnxruntime clamps them to the dimension. */
export const INT_END = Number.MAX_SAFE_INTEGER;

export const elementCount = (shape: readonly number[]) => shape.reduce((n, d) => n * d, 1);

/** Transposes row-major `data` of `shape` by `perm` (as numpy.transpose). */
export function transposeData<T extends Float32Array | number[]>(data: T, shape: readonly number[], perm: readonly number[]): T {
  const rank = shape.length;
  const outShape = perm.map((p) => shape[p]);
  const inStrides = new Array<number>(rank);
  for (let i = rank - 1, s = 1; i >= 0; i--) {
    inStrides[i] = s;
    s *= shape[i];
  }
  const strides = perm.map((p) => inStrides[p]);
  const out = (data instanceof Float32Array ? new Float32Array(data.length) : new Array<number>(data.length)) as T;
  const index = new Array<number>(rank).fill(0);
  for (let o = 0; o < data.length; o++) {
    let src = 0;
    for (let d = 0; d < rank; d++) src += index[d] * strides[d];
    out[o] = data[src];
    for (let d = rank - 1; d >= 0; d--) {
      if (++index[d] < outShape[d]) break;
      index[d] = 0;
    }
  }
  return out;
}

export class TfliteGraph {
  readonly g: GraphBuilder;
  /** The operator being translated, named in messages. */
  op: TfliteOperator | undefined;
  private readonly values = new Map<number, Value>();
  private readonly names = new Set<string>();
  private readonly reserved = new Map<number, string>();
  private readonly shared_ = new Map<string, string>();

  constructor(
    readonly subgraph: TfliteSubgraph,
    readonly options: TfliteGraphOptions,
    graphName: string,
  ) {
    this.g = new GraphBuilder(graphName);
    // Graph inputs and outputs keep the file's names exactly; nothing else may take them.
    for (const i of [...subgraph.inputs, ...subgraph.outputs]) {
      const name = subgraph.tensors[i]?.name;
      if (name !== undefined && !this.names.has(name)) {
        this.names.add(name);
        this.reserved.set(i, name);
      }
    }
  }

  /** E_CONVERT naming the file and, while one is translated, the operator and its index. */
  fail(problem: string): PasticheError {
    const op = this.op;
    return convertError(this.options.file, op ? `operator ${op.index} (${tfliteOperatorName(op.code, op.customCode)}): ${problem}` : problem);
  }

  tensor(index: number): TfliteTensor {
    const t = this.subgraph.tensors[index];
    if (!t) throw this.fail(`refers to tensor ${index}, but the subgraph has ${this.subgraph.tensors.length}`);
    return t;
  }

  /** A value name based on `base` that nothing has taken. */
  fresh(base: string): string {
    let name = base;
    for (let i = 1; this.names.has(name); i++) name = `${base}_${i}`;
    this.names.add(name);
    return name;
  }

  // ---- inputs of the current operator

  private current(): TfliteOperator {
    if (!this.op) throw new Error('no operator is being translated');
    return this.op;
  }

  /** Whether input `k` of the current operator is given (not omitted with -1). */
  hasInput(k: number): boolean {
    const index = this.current().inputs[k];
    return index !== undefined && index >= 0;
  }

  inputTensor(k: number): TfliteTensor {
    const index = this.current().inputs[k];
    if (index === undefined || index < 0) throw this.fail(`needs input ${k}, which is missing`);
    return this.tensor(index);
  }

  outputTensor(k: number): TfliteTensor {
    const index = this.current().outputs[k];
    if (index === undefined || index < 0) throw this.fail(`needs output ${k}, which is missing`);
    return this.tensor(index);
  }

  /** The value of input `k`: computed by an earlier operator, a graph input, or a constant of the file. */
  input(k: number): Value {
    const t = this.inputTensor(k);
    const known = this.values.get(t.index);
    if (known) return known;
    if (t.data) {
      const constant: ConstantValue = { kind: 'constant', tensor: t };
      this.values.set(t.index, constant);
      return constant;
    }
    throw this.fail(`input ${k} (tensor ${t.index} '${t.name}') is neither a constant nor computed by an earlier operator`);
  }

  /** Input `k`, which must be a constant (weights, paddings, axes). */
  constantInput(k: number, what: string): ConstantValue {
    const v = this.input(k);
    if (v.kind !== 'constant') throw this.fail(`Expected ${what} (input ${k}, '${this.inputTensor(k).name}') to be a constant, but it is computed when the model runs`);
    return v;
  }

  floats(c: ConstantValue): Float32Array {
    if (c.floats) return c.floats;
    try {
      return constantFloats(c.tensor);
    } catch (cause) {
      throw this.fail((cause as Error).message);
    }
  }

  integers(c: ConstantValue): number[] {
    try {
      return constantIntegers(c.tensor);
    } catch (cause) {
      throw this.fail((cause as Error).message);
    }
  }

  /** A quantized constant's integers less its zero points (a filter computed on integers). */
  centered(c: ConstantValue): Float32Array {
    try {
      return centeredIntegers(c.tensor);
    } catch (cause) {
      throw this.fail((cause as Error).message);
    }
  }

  /** Whether a constant holds integers that are not quantized reals (shapes, axes, sizes). */
  isIntegerConstant(c: ConstantValue): boolean {
    const t = c.tensor;
    return !c.floats && t.type !== TfliteType.FLOAT32 && t.type !== TfliteType.FLOAT16 && !t.quantization;
  }

  /** Rank of a value when known. */
  rank(v: Value): number | undefined {
    return v.kind === 'constant' ? v.tensor.shape.length : v.rank;
  }

  isInteger(v: Value): boolean {
    return v.kind === 'constant' ? this.isIntegerConstant(v) : v.integer;
  }

  // ---- quantization

  /**
   * The quantization of an activation tensor whose integers are simulated: int8/uint8 with one scale. Undefined
   * for float tensors, or when activations run in float.
   */
  activationQuantization(t: TfliteTensor): Quantization | undefined {
    const q = t.quantization;
    if (!this.options.simulateQuantization || !q || (t.type !== TfliteType.INT8 && t.type !== TfliteType.UINT8)) return undefined;
    if (q.scale.length !== 1) throw this.fail(`activation '${t.name}' is quantized per channel, which the converter does not simulate`);
    const [min, max] = t.type === TfliteType.INT8 ? [-128, 127] : [0, 255];
    return { scale: q.scale[0], zeroPoint: q.zeroPoint[0] ?? 0, min, max };
  }

  /** The quantization of a value's integers: a dynamic value's, or a constant int8/uint8 tensor's own. */
  quantizationOf(v: Value): Quantization | undefined {
    if (v.kind === 'dynamic') return v.quant;
    // Per-channel constants (filters) are no activation's integers.
    return v.floats || (v.tensor.quantization?.scale.length ?? 0) > 1 ? undefined : this.activationQuantization(v.tensor);
  }

  /** A quantized value as real numbers (`scale · (q − zero_point)`, as XNNPACK dequantizes); others as they are. */
  real(v: Value): Value {
    if (v.kind === 'constant' || !v.quant) return v;
    const name = this.shared(`real:${v.name}`, () => this.node('Mul', [v.name, this.scalar(v.quant!.scale)], `${v.name}/real`));
    return { ...v, name, quant: undefined };
  }

  /**
   * Real numbers → `q − zero_point` as XNNPACK converts float to int8: times the float32 reciprocal of the scale,
   * clamped to the type's range, rounded half to even. `out` names the result.
   */
  quantizeReal(x: string, q: Quantization, out: string): string {
    const scaled = this.node('Mul', [x, this.scalar(1 / q.scale)], `${out}/scaled`);
    const clamped = this.node('Clip', [scaled, this.scalar(q.min - q.zeroPoint), this.scalar(q.max - q.zeroPoint)], `${out}/clamped`);
    return this.g.node('Round', [clamped], [out])[0];
  }

  /** The value as integers of quantization `q` (requantized through reals when it has others). */
  quantized(v: Value, q: Quantization): DynamicValue | ConstantValue {
    if (sameQuantization(this.quantizationOf(v), q)) return v;
    const r = this.real(v);
    const x = r.kind === 'constant' ? this.plain(r) : r.name;
    const base = r.kind === 'constant' ? r.tensor.name : r.name;
    const name = this.shared(`quantized:${x}:${q.scale}:${q.zeroPoint}`, () => this.quantizeReal(x, q, this.fresh(`${base}/quantized`)));
    return r.kind === 'constant'
      ? { kind: 'dynamic', name, layout: 'plain', rank: r.tensor.shape.length, integer: false, quant: q }
      : { ...r, name, quant: q };
  }

  // ---- values in a layout

  /** A constant's values in the domain asked for: real numbers, or `q − zero_point` of its own quantization. */
  private constantData(v: ConstantValue, integers: boolean): { data: Float32Array | number[]; int64: boolean } {
    if (this.isIntegerConstant(v)) return { data: this.integers(v), int64: true };
    const q = integers ? this.quantizationOf(v) : undefined;
    if (!q) return { data: this.floats(v), int64: false };
    return { data: Float32Array.from(this.integers(v), (x) => x - q.zeroPoint), int64: false };
  }

  /**
   * The value as a 4-D NCHW tensor: NCHW values as they are; constants of rank ≤ 4 padded with leading ones (as
   * TFLite broadcasts them) and transposed here; scalars left scalar (ONNX broadcasts them the same way). Real
   * numbers unless `integers` asks for a quantized value's integers.
   */
  nchw(value: Value, integers = false): string {
    const v = integers ? value : this.real(value);
    if (v.kind === 'constant') {
      const shape = v.tensor.shape;
      if (shape.length === 0) return this.plain(v, integers);
      if (shape.length > 4) throw this.fail(`cannot broadcast the rank-${shape.length} constant '${v.tensor.name}' against a 4-D activation`);
      const shape4 = [...new Array<number>(4 - shape.length).fill(1), ...shape];
      const dims = TO_NCHW.map((p) => shape4[p]);
      return this.sharedInitializer(`${v.tensor.index}:nchw:${integers}`, () => {
        const { data, int64 } = this.constantData(v, integers);
        const name = this.fresh(`${v.tensor.name}/nchw`);
        return int64 ? int64Tensor(name, dims, transposeData(data as number[], shape4, TO_NCHW)) : float32Tensor(name, dims, transposeData(data, shape4, TO_NCHW));
      });
    }
    if (v.layout === 'nchw') return v.name;
    if (v.rank === undefined) throw this.fail(`needs '${v.name}' as a 4-D tensor, but its rank is unknown`);
    if (v.rank === 0) return v.name;
    if (v.rank > 4) throw this.fail(`cannot use the rank-${v.rank} tensor '${v.name}' as a 4-D activation`);
    return this.shared(`nchw:${v.name}`, () => {
      let x = v.name;
      if (v.rank! < 4) {
        const axes = this.int64Constant(`unsqueeze_axes_${4 - v.rank!}`, Array.from({ length: 4 - v.rank! }, (_, i) => i));
        x = this.node('Unsqueeze', [x, axes], `${v.name}/4d`);
      }
      return this.node('Transpose', [x], `${v.name}/nchw`, { perm: attr.ints(TO_NCHW) });
    });
  }

  /** The value in TFLite's own layout: NCHW values transposed back to NHWC, constants in their file shape. */
  plain(value: Value, integers = false): string {
    const v = integers ? value : this.real(value);
    if (v.kind === 'constant') {
      const t = v.tensor;
      return this.sharedInitializer(`${t.index}:plain:${integers}`, () => {
        const { data, int64 } = this.constantData(v, integers);
        return int64 ? int64Tensor(this.fresh(t.name), t.shape, data as number[]) : float32Tensor(this.fresh(t.name), t.shape, data);
      });
    }
    if (v.layout === 'plain') return v.name;
    return this.shared(`plain:${v.name}`, () => this.node('Transpose', [v.name], `${v.name}/nhwc`, { perm: attr.ints(TO_NHWC) }));
  }

  /** A value built once per key (a shared bias, a dequantised filter used by several operators). */
  shared(key: string, build: () => string): string {
    const known = this.shared_.get(key);
    if (known) return known;
    const name = build();
    this.shared_.set(key, name);
    return name;
  }

  /** An initializer built once per key. */
  sharedInitializer(key: string, build: () => TensorProto): string {
    return this.shared(key, () => this.g.initializer(build()));
  }

  /** A float32 initializer named after `base`. */
  floatInitializer(base: string, dims: readonly number[], data: Float32Array | readonly number[]): string {
    return this.g.initializer(float32Tensor(this.fresh(base), dims, data));
  }

  /** An INT64 constant shared by its name (axes, perms, pads): the same name must always mean the same values. */
  int64Constant(name: string, values: readonly number[], dims: readonly number[] = [values.length]): string {
    return this.sharedInitializer(`int64:${name}`, () => int64Tensor(this.fresh(name), dims, values));
  }

  /** A scalar float32 constant shared by value. */
  scalar(value: number): string {
    return this.sharedInitializer(`scalar:${value}`, () => float32Tensor(this.fresh(`scalar_${value}`), [], [value]));
  }

  /** Adds a node with one output named after `base`; returns its name. */
  node(opType: string, inputs: readonly string[], base: string, attrs: Readonly<Record<string, AttributeValue>> = {}): string {
    return this.g.node(opType, inputs, [this.fresh(base)], attrs)[0];
  }

  // ---- outputs of the current operator

  private finalName(t: TfliteTensor): string {
    return this.reserved.get(t.index) ?? this.fresh(t.name);
  }

  /**
   * The name the operator's last node should give output `k`: the tensor's own, or `<name>/real` when the output
   * is a simulated int8 activation and the operator computes reals (then {@link define} quantizes them under the
   * tensor's name). `integers`: the operator computes the output's integers itself.
   */
  outName(k: number, integers = false): string {
    const t = this.outputTensor(k);
    return this.activationQuantization(t) && !integers ? this.fresh(`${t.name}/real`) : this.finalName(t);
  }

  /**
   * Records what output `k` of the current operator is. `quant` says the value holds the output's integers
   * (`q − zero_point`); real numbers for a simulated int8 activation are quantized here, as a QUANTIZE would.
   */
  define(k: number, name: string, layout: Layout, rank: number | undefined, integer = false, quant?: Quantization): DynamicValue {
    const t = this.outputTensor(k);
    const q = integer ? undefined : this.activationQuantization(t);
    if (quant && !sameQuantization(quant, q)) throw this.fail(`gives integers of another quantization than its output '${t.name}'`);
    const value = q && !quant ? this.quantizeReal(name, q, this.finalName(t)) : name;
    const defined: DynamicValue = { kind: 'dynamic', name: value, layout: layout, rank: layout === 'nchw' ? 4 : rank, integer, quant: q };
    this.values.set(t.index, defined);
    return defined;
  }

  /** Output `k`'s quantization when `v`'s integers can pass to it unchanged (data movement: pad, resize, reshape). */
  passedQuantization(v: Value, k: number): Quantization | undefined {
    const q = this.activationQuantization(this.outputTensor(k));
    return q && sameQuantization(this.quantizationOf(v), q) ? q : undefined;
  }

  /**
   * Declares graph output `tensorIndex` under the file's name: real numbers; a 4-D float output NCHW, anything
   * else in its own layout.
   */
  finishOutput(tensorIndex: number): DynamicValue {
    const t = this.tensor(tensorIndex);
    const v = this.values.get(tensorIndex);
    if (!v) throw this.fail(`graph output ${tensorIndex} '${t.name}' is computed by no operator`);
    if (v.kind === 'constant') throw this.fail(`graph output ${tensorIndex} '${t.name}' is a constant`);
    const reserved = this.reserved.get(tensorIndex) ?? this.fresh(t.name);
    if (v.name === reserved && !v.quant) return v;
    if (v.quant) {
      const name = this.g.node('Mul', [v.name, this.scalar(v.quant.scale)], [reserved])[0];
      return { ...v, name, quant: undefined };
    }
    const toNchw = !v.integer && v.layout === 'plain' && v.rank === 4;
    const name = toNchw
      ? this.g.node('Transpose', [v.name], [reserved], { perm: attr.ints(TO_NCHW) })[0]
      : this.g.node('Identity', [v.name], [reserved])[0];
    return { ...v, name, layout: toNchw ? 'nchw' : v.layout };
  }

  /** Records output `k` as a constant folded at conversion. */
  defineConstant(k: number, floats: Float32Array): void {
    const t = this.outputTensor(k);
    if (this.reserved.has(t.index)) throw this.fail(`the graph output '${t.name}' is a constant`);
    if (floats.length !== elementCount(t.shape)) throw this.fail(`folds to ${floats.length} values for '${t.name}' of shape [${t.shape.join(', ')}]`);
    this.values.set(t.index, { kind: 'constant', tensor: t, floats });
  }

  /** Records a graph input. */
  defineInput(t: TfliteTensor, value: DynamicValue): void {
    this.values.set(t.index, value);
  }
}
