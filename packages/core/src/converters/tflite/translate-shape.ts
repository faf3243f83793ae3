import { attr } from '../../onnx/index.js';
import { INT_END, NHWC_AXIS_IN_NCHW, type TfliteGraph } from './tflite-graph.js';
import { emitWithActivation } from './translate-activation.js';

/**
 * SHAPE, STRIDED_SLICE and PACK (sizes computed in the graph, as the dynamic transfer network does for its
 * upsampling), RESHAPE and CONCATENATION. Integer values are ONNX INT64 whatever their TFLite type.
 */

/** SHAPE in TFLite's order: the NCHW shape is gathered back to NHWC. */
export function translateShape(ctx: TfliteGraph): void {
  const v = ctx.input(0);
  if (v.kind === 'constant') throw ctx.fail('takes the shape of a constant, which the converter does not fold');
  const name = ctx.outputTensor(0).name;
  if (v.layout === 'nchw') {
    const shape = ctx.node('Shape', [v.name], `${name}/nchw`);
    ctx.define(0, ctx.g.node('Gather', [shape, ctx.int64Constant('nhwc_order', [...NHWC_AXIS_IN_NCHW])], [ctx.outName(0)], { axis: attr.int(0) })[0], 'plain', 1, true);
    return;
  }
  ctx.define(0, ctx.g.node('Shape', [v.name], [ctx.outName(0)])[0], 'plain', 1, true);
}

/** StridedSliceOptions bit masks. */
interface SliceMasks {
  begin: number;
  end: number;
  ellipsis: number;
  newAxis: number;
  shrink: number;
  offset: boolean;
}

/** STRIDED_SLICE with constant begin, end and strides, on TFLite's layout. */
export function translateStridedSlice(ctx: TfliteGraph): void {
  const o = ctx.op?.options;
  const m: SliceMasks = {
    begin: o?.int32(0) ?? 0,
    end: o?.int32(1) ?? 0,
    ellipsis: o?.int32(2) ?? 0,
    newAxis: o?.int32(3) ?? 0,
    shrink: o?.int32(4) ?? 0,
    offset: o?.bool(5) ?? false,
  };
  if (m.ellipsis || m.newAxis || m.offset) throw ctx.fail('ellipsis_mask, new_axis_mask and offset are not supported');
  const v = ctx.input(0);
  const begin = ctx.integers(ctx.constantInput(1, 'begin'));
  const end = ctx.integers(ctx.constantInput(2, 'end'));
  const strides = ctx.integers(ctx.constantInput(3, 'strides'));
  const rank = begin.length;
  if (end.length !== rank || strides.length !== rank) throw ctx.fail('begin, end and strides differ in length');
  if (strides.some((s) => s === 0)) throw ctx.fail('has a zero stride');
  const starts: number[] = [];
  const ends: number[] = [];
  const shrinkAxes: number[] = [];
  for (let i = 0; i < rank; i++) {
    const bit = 1 << i;
    const step = strides[i];
    if (m.shrink & bit) {
      // One element at begin; begin −1 means the last, whose end is "past the end", not 0.
      starts.push(begin[i]);
      ends.push(begin[i] === -1 ? INT_END : begin[i] + 1);
      shrinkAxes.push(i);
      continue;
    }
    starts.push(m.begin & bit ? (step > 0 ? 0 : INT_END) : begin[i]);
    ends.push(m.end & bit ? (step > 0 ? INT_END : -INT_END) : end[i]);
  }
  const name = ctx.outputTensor(0).name;
  const axes = Array.from({ length: rank }, (_, i) => i);
  const steps = strides.map((s, i) => (m.shrink & (1 << i) ? 1 : s));
  const q = ctx.passedQuantization(v, 0);
  const inputs = [
    ctx.plain(v, q !== undefined),
    ctx.int64Constant(`${name}/starts`, starts),
    ctx.int64Constant(`${name}/ends`, ends),
    ctx.int64Constant(`axes_${rank}`, axes),
    ctx.int64Constant(`${name}/steps`, steps),
  ];
  if (!shrinkAxes.length) {
    ctx.define(0, ctx.g.node('Slice', inputs, [ctx.outName(0, q !== undefined)])[0], 'plain', rank, ctx.isInteger(v), q);
    return;
  }
  const sliced = ctx.node('Slice', inputs, `${name}/slice`);
  const out = ctx.g.node('Squeeze', [sliced, ctx.int64Constant(`${name}/squeeze_axes`, shrinkAxes)], [ctx.outName(0, q !== undefined)])[0];
  ctx.define(0, out, 'plain', rank - shrinkAxes.length, ctx.isInteger(v), q);
}

/** PACK: the inputs stacked along a new axis. */
export function translatePack(ctx: TfliteGraph): void {
  const count = ctx.op?.inputs.length ?? 0;
  const values = Array.from({ length: count }, (_, k) => ctx.input(k));
  const ranks = values.map((v) => ctx.rank(v));
  const rank = ranks[0];
  if (rank === undefined || ranks.some((r) => r !== rank)) throw ctx.fail('packs inputs whose ranks are unknown or differ');
  const integer = values.map((v) => ctx.isInteger(v));
  if (integer.some((i) => i !== integer[0])) throw ctx.fail('mixes integer and real inputs');
  let axis = ctx.op?.options?.int32(1) ?? 0;
  if (axis < 0) axis += rank + 1;
  const axes = ctx.int64Constant(`unsqueeze_${axis}`, [axis]);
  const name = ctx.outputTensor(0).name;
  const q = values.every((v) => ctx.passedQuantization(v, 0)) ? ctx.passedQuantization(values[0], 0) : undefined;
  const parts = values.map((v, k) => ctx.node('Unsqueeze', [ctx.plain(v, q !== undefined), axes], `${name}/part${k}`));
  ctx.define(0, ctx.g.node('Concat', parts, [ctx.outName(0, q !== undefined)], { axis: attr.int(axis) })[0], 'plain', rank + 1, integer[0], q);
}

/** RESHAPE on TFLite's layout, to the shape of input 1 or of the options' new_shape. */
export function translateReshape(ctx: TfliteGraph): void {
  const v = ctx.input(0);
  const name = ctx.outputTensor(0).name;
  let shape: string;
  let rank: number | undefined;
  if (ctx.hasInput(1)) {
    const s = ctx.input(1);
    shape = ctx.plain(s);
    rank = s.kind === 'constant' ? ctx.integers(s).length : undefined;
  } else {
    const list = ctx.op?.options?.int32Vector(0);
    if (!list) throw ctx.fail('has neither a shape input nor new_shape');
    shape = ctx.int64Constant(`${name}/shape`, list);
    rank = list.length;
  }
  rank ??= ctx.outputTensor(0).shape.length || undefined;
  const q = ctx.passedQuantization(v, 0);
  ctx.define(0, ctx.g.node('Reshape', [ctx.plain(v, q !== undefined), shape], [ctx.outName(0, q !== undefined)])[0], 'plain', rank, ctx.isInteger(v), q);
}

/** CONCATENATION along an axis moved to NCHW when the inputs are 4-D activations. */
export function translateConcatenation(ctx: TfliteGraph): void {
  const o = ctx.op?.options;
  const count = ctx.op?.inputs.length ?? 0;
  const values = Array.from({ length: count }, (_, k) => ctx.input(k));
  const rank = values.map((v) => ctx.rank(v)).find((r) => r !== undefined);
  if (rank === undefined) throw ctx.fail('needs the rank of its inputs, which the file does not record');
  let axis = o?.int32(0) ?? 0;
  if (axis < 0) axis += rank;
  const nchw = rank === 4 && values.some((v) => v.kind === 'dynamic' && v.layout === 'nchw');
  const onnxAxis = nchw ? NHWC_AXIS_IN_NCHW[axis] : axis;
  const fused = o?.int8(1) ?? 0;
  const q = fused === 0 && values.every((v) => ctx.passedQuantization(v, 0)) ? ctx.passedQuantization(values[0], 0) : undefined;
  const names = values.map((v) => (nchw ? ctx.nchw(v, q !== undefined) : ctx.plain(v, q !== undefined)));
  if (q) {
    ctx.define(0, ctx.g.node('Concat', names, [ctx.outName(0, true)], { axis: attr.int(onnxAxis) })[0], nchw ? 'nchw' : 'plain', rank, false, q);
    return;
  }
  emitWithActivation(ctx, 'Concat', names, { axis: attr.int(onnxAxis) }, fused, nchw ? 'nchw' : 'plain', rank, ctx.isInteger(values[0]));
}
