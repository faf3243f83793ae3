import type { TfliteGraph } from './tflite-graph.js';

/**
 * QUANTIZE and DEQUANTIZE. With activations in float both pass their input on. With simulated quantization a
 * QUANTIZE turns reals into the output's integers (TfliteGraph.define, as XNNPACK converts), and requantizes
 * integers of another quantization through reals; a DEQUANTIZE gives reals. A DEQUANTIZE of a constant (fp16 or
 * int8 weights) is folded here.
 */

export function translateQuantize(ctx: TfliteGraph): void {
  const v = ctx.input(0);
  if (v.kind === 'constant') throw ctx.fail('quantizes a constant, which the converter does not fold');
  const q = ctx.passedQuantization(v, 0);
  if (q) {
    ctx.define(0, v.name, v.layout, v.rank, v.integer, q);
    return;
  }
  const r = ctx.real(v);
  ctx.define(0, r.kind === 'dynamic' ? r.name : ctx.plain(r), v.layout, v.rank, v.integer);
}

export function translateDequantize(ctx: TfliteGraph): void {
  const v = ctx.input(0);
  if (v.kind === 'constant') {
    ctx.defineConstant(0, ctx.floats(v));
    return;
  }
  const r = ctx.real(v);
  ctx.define(0, r.kind === 'dynamic' ? r.name : ctx.plain(r), v.layout, v.rank, v.integer);
}
