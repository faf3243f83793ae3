import { attr, TensorDataType } from '../../onnx/index.js';
import { NHWC_AXIS_IN_NCHW, type Quantization, type TfliteGraph, type Value } from './tflite-graph.js';
import { activationBounds, addParameters, requantize } from './tflite-quantized.js';
import { emitWithActivation, unary } from './translate-activation.js';

/** ADD, SUB, MUL, SQUARED_DIFFERENCE, RSQRT and MEAN. */

interface Operands {
  values: Value[];
  layout: 'nchw' | 'plain';
  rank: number | undefined;
  integer: boolean;
}

/**
 * Both inputs, and the layout to take them in: NCHW when either is a 4-D activation (constants are broadcast as
 * TFLite does, from the right, then transposed), TFLite's own otherwise.
 */
function operands(ctx: TfliteGraph): Operands {
  const values: Value[] = [ctx.input(0), ctx.input(1)];
  const integer = values.map((v) => ctx.isInteger(v));
  if (integer[0] !== integer[1]) throw ctx.fail('mixes integer and real inputs');
  const nchw = values.some((v) => v.kind === 'dynamic' && v.layout === 'nchw');
  const ranks = values.map((v) => ctx.rank(v));
  const rank = nchw ? 4 : ranks.some((r) => r === undefined) ? undefined : Math.max(...(ranks as number[]));
  return { values, layout: nchw ? 'nchw' : 'plain', rank, integer: integer[0] };
}

const names = (ctx: TfliteGraph, o: Operands, integers = false) => o.values.map((v) => (o.layout === 'nchw' ? ctx.nchw(v, integers) : ctx.plain(v, integers)));

/** The quantizations of a binary operator that runs on int8 in the file (both inputs and the output), when simulated. */
function integerBinary(ctx: TfliteGraph, o: Operands): [Quantization, Quantization, Quantization] | undefined {
  const out = ctx.activationQuantization(ctx.outputTensor(0));
  const a = ctx.activationQuantization(ctx.inputTensor(0));
  const b = ctx.activationQuantization(ctx.inputTensor(1));
  if (!out || !a || !b || o.integer) return undefined;
  return [a, b, out];
}

/** The operands as the integers of their tensors' quantizations. */
function integerOperands(ctx: TfliteGraph, o: Operands, a: Quantization, b: Quantization): Operands {
  return { ...o, values: [ctx.quantized(o.values[0], a), ctx.quantized(o.values[1], b)] };
}

/**
 * Int8 ADD or SUB as XNNPACK computes it: `(A·a_multiplier + B·b_multiplier + 2^(shift−1)) >> shift` in INT32 (the
 * products need 29 bits), the floor division spelled as (x − x mod 2^shift) / 2^shift. Returns false when the scales
 * lie outside what that kernel takes (TFLite then uses its own; the reals path below is as close).
 */
function integerAdd(ctx: TfliteGraph, o: Operands, q: [Quantization, Quantization, Quantization], subtract: boolean, fused: number): boolean {
  const p = addParameters(q[0], q[1], q[2], subtract);
  if (!p) return false;
  const name = ctx.outputTensor(0).name;
  const [a, b] = names(ctx, integerOperands(ctx, o, q[0], q[1]), true).map((x, i) => ctx.node('Cast', [x], `${name}/int${i}`, { to: attr.int(TensorDataType.INT32) }));
  const int32 = (value: number) => ctx.sharedInitializer(`int32:${value}`, () => int32Scalar(ctx.fresh(`int32_${value}`), value));
  const sum = ctx.node(
    'Add',
    [ctx.node('Add', [ctx.node('Mul', [a, int32(p.aMultiplier)], `${name}/a`), ctx.node('Mul', [b, int32(p.bMultiplier)], `${name}/b`)], `${name}/sum`), int32(2 ** (p.shift - 1))],
    `${name}/rounded`,
  );
  const divisor = int32(2 ** p.shift);
  const floor = ctx.node('Div', [ctx.node('Sub', [sum, ctx.node('Mod', [sum, divisor], `${name}/remainder`)], `${name}/multiple`), divisor], `${name}/shifted`);
  const real = ctx.node('Cast', [floor], `${name}/float`, { to: attr.int(TensorDataType.FLOAT) });
  const [lo, hi] = activationBounds(ctx, fused, q[2]);
  const y = ctx.g.node('Clip', [real, ctx.scalar(lo), ctx.scalar(hi)], [ctx.outName(0, true)])[0];
  ctx.define(0, y, o.layout, o.rank, false, q[2]);
  return true;
}

function int32Scalar(name: string, value: number) {
  const raw = new Uint8Array(4);
  new DataView(raw.buffer).setInt32(0, value, true);
  return { name, dims: [], dataType: TensorDataType.INT32, rawData: raw };
}

/** Int8 MUL as XNNPACK computes it: the product of integers times float32(float32(a·b scales) / output scale). */
function integerMul(ctx: TfliteGraph, o: Operands, q: [Quantization, Quantization, Quantization], fused: number): void {
  const name = ctx.outputTensor(0).name;
  const product = ctx.node('Mul', names(ctx, integerOperands(ctx, o, q[0], q[1]), true), `${name}/product`);
  const scale = ctx.scalar(Math.fround(Math.fround(q[0].scale * q[1].scale) / q[2].scale));
  ctx.define(0, requantize(ctx, product, scale, activationBounds(ctx, fused, q[2]), ctx.outName(0, true)), o.layout, o.rank, false, q[2]);
}

/** ADD, SUB and MUL (their options hold the fused activation at field 0). */
export function binary(opType: 'Add' | 'Sub' | 'Mul') {
  return (ctx: TfliteGraph): void => {
    const o = operands(ctx);
    const fused = ctx.op?.options?.int8(0) ?? 0;
    const q = integerBinary(ctx, o);
    if (q && opType === 'Mul') return integerMul(ctx, o, q, fused);
    if (q && integerAdd(ctx, o, q, opType === 'Sub', fused)) return;
    emitWithActivation(ctx, opType, names(ctx, o), {}, fused, o.layout, o.rank, o.integer);
  };
}

/** (a − b)². */
export function translateSquaredDifference(ctx: TfliteGraph): void {
  const o = operands(ctx);
  const d = ctx.node('Sub', names(ctx, o), `${ctx.outputTensor(0).name}/difference`);
  ctx.define(0, ctx.g.node('Mul', [d, d], [ctx.outName(0)])[0], o.layout, o.rank, o.integer);
}

/** 1 / √x, as TFLite's float kernel computes it. */
export const translateRsqrt = (ctx: TfliteGraph) =>
  unary(ctx, (x, out) => ctx.g.node('Reciprocal', [ctx.node('Sqrt', [x], `${ctx.outputTensor(0).name}/sqrt`)], [out])[0]);

/**
 * MEAN over constant axes. On an NCHW input the axes are moved to NCHW; without keep_dims that is only right when
 * the remaining axes keep their order (reducing H and W, as global pooling does); otherwise the input goes back to
 * TFLite's layout first. On simulated int8 values: the mean of the integers times input scale / output scale.
 */
export function translateMean(ctx: TfliteGraph): void {
  const v = ctx.input(0);
  const axesValue = ctx.constantInput(1, 'the axes');
  const keepDims = ctx.op?.options?.bool(0) ?? false;
  const rank = ctx.rank(v);
  if (rank === undefined) throw ctx.fail('needs the rank of its input, which the file does not record');
  const axes = [...new Set(ctx.integers(axesValue).map((a) => (a < 0 ? a + rank : a)))].sort((a, b) => a - b);
  if (axes.some((a) => a < 0 || a >= rank)) throw ctx.fail(`reduces axes [${ctx.integers(axesValue).join(', ')}] of a rank-${rank} tensor`);
  const outRank = keepDims ? rank : rank - axes.length;
  const inNchw = v.kind === 'dynamic' && v.layout === 'nchw';
  const kept = [0, 1, 2, 3].filter((a) => !axes.includes(a)).map((a) => NHWC_AXIS_IN_NCHW[a]);
  const nchw = inNchw && (keepDims || kept.every((a, i) => i === 0 || kept[i - 1] < a));
  const onnxAxes = nchw ? axes.map((a) => NHWC_AXIS_IN_NCHW[a]).sort((a, b) => a - b) : axes;
  const layout = nchw && keepDims ? 'nchw' : 'plain';
  const attrs = { axes: attr.ints(onnxAxes), keepdims: attr.int(keepDims ? 1 : 0) };
  const qIn = ctx.activationQuantization(ctx.inputTensor(0));
  const qOut = ctx.activationQuantization(ctx.outputTensor(0));
  if (qIn && qOut) {
    // The mean of the integers (exact sums; the count follows the image size) times the ratio of the scales.
    const x = nchw ? ctx.nchw(ctx.quantized(v, qIn), true) : ctx.plain(ctx.quantized(v, qIn), true);
    const name = ctx.outputTensor(0).name;
    const mean = ctx.node('ReduceMean', [x], `${name}/mean`, attrs);
    const scale = ctx.scalar(Math.fround(qIn.scale / qOut.scale));
    ctx.define(0, requantize(ctx, mean, scale, [qOut.min - qOut.zeroPoint, qOut.max - qOut.zeroPoint], ctx.outName(0, true)), layout, outRank, false, qOut);
    return;
  }
  const x = nchw ? ctx.nchw(v) : ctx.plain(v);
  ctx.define(0, ctx.g.node('ReduceMean', [x], [ctx.outName(0)], attrs)[0], layout, outRank, ctx.isInteger(v));
}
