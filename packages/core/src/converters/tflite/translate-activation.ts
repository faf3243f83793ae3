import type { AttributeValue } from '../../onnx/index.js';
import type { Layout, TfliteGraph } from './tflite-graph.js';

/** TFLite's ActivationFunctionType, fused into convolutions and arithmetic, and the standalone activations. */
export const FusedActivation = { NONE: 0, RELU: 1, RELU_N1_TO_1: 2, RELU6: 3, TANH: 4, SIGN_BIT: 5 } as const;

/** Adds the node(s) of an activation from `x` to `out`; undefined for NONE. */
function activation(ctx: TfliteGraph, code: number): ((x: string, out: string) => string) | undefined {
  const clip = (min: number, max: number) => (x: string, out: string) => ctx.g.node('Clip', [x, ctx.scalar(min), ctx.scalar(max)], [out])[0];
  switch (code) {
    case FusedActivation.NONE:
      return undefined;
    case FusedActivation.RELU:
      return (x, out) => ctx.g.node('Relu', [x], [out])[0];
    case FusedActivation.RELU_N1_TO_1:
      return clip(-1, 1);
    case FusedActivation.RELU6:
      return clip(0, 6);
    case FusedActivation.TANH:
      return (x, out) => ctx.g.node('Tanh', [x], [out])[0];
    default:
      throw ctx.fail(`fused activation ${code} is not supported (NONE, RELU, RELU_N1_TO_1, RELU6 and TANH are)`);
  }
}

/**
 * Adds the operator's main node and its fused activation, and defines output 0: the last node takes the output's
 * name, so that nothing but the activation separates the two.
 */
export function emitWithActivation(
  ctx: TfliteGraph,
  opType: string,
  inputs: readonly string[],
  attrs: Readonly<Record<string, AttributeValue>>,
  fused: number,
  layout: Layout,
  rank: number | undefined,
  integer = false,
): void {
  const act = activation(ctx, fused);
  if (!act) {
    ctx.define(0, ctx.g.node(opType, inputs, [ctx.outName(0)], attrs)[0], layout, rank, integer);
    return;
  }
  const pre = ctx.node(opType, inputs, `${ctx.outputTensor(0).name}/pre_activation`, attrs);
  ctx.define(0, act(pre, ctx.outName(0)), layout, rank, integer);
}

/** Elementwise operators of one input keep its layout; they compute on reals (int8 outputs are quantized after). */
export function unary(ctx: TfliteGraph, emit: (x: string, out: string) => string): void {
  const v = ctx.real(ctx.input(0));
  const x = v.kind === 'dynamic' ? v.name : ctx.plain(v);
  const layout = v.kind === 'dynamic' ? v.layout : 'plain';
  ctx.define(0, emit(x, ctx.outName(0)), layout, ctx.rank(v), ctx.isInteger(v));
}

export const translateLogistic = (ctx: TfliteGraph) => unary(ctx, (x, out) => ctx.g.node('Sigmoid', [x], [out])[0]);

/** RELU, RELU6 and RELU_N1_TO_1 as operators of their own. */
export function standaloneActivation(code: number) {
  return (ctx: TfliteGraph) => {
    const act = activation(ctx, code);
    if (!act) throw ctx.fail('has no activation');
    unary(ctx, act);
  };
}
