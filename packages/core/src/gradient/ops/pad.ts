import { attr } from '../../onnx/graph-builder.js';
import type { GraphEmitter } from '../graph-emitter.js';
import { TO_END } from '../graph-emitter.js';
import { stringAttr } from '../../onnx/node-attributes.js';
import { onlyGradFor, unsupported, type BackwardRule } from './backward-rule.js';

/**
 * Pad (constant pads; modes constant, reflect, edge). Constant: dX is the centre of dY. Reflect/edge: the
 * padded borders are copies of inner elements, so their gradients are folded back onto those elements,
 * one axis at a time (corners thus reach the right element through both axes).
 */
export const padBackward: BackwardRule = (args) => {
  onlyGradFor(args, [0]);
  const dY = args.dOutputs[0];
  if (!dY) return [];
  const { node, e, constants } = args;
  const pads = constants.numbers(node.inputs[1]);
  if (!pads) throw unsupported(node, 'its pads are not a constant');
  if (pads.some((p) => p < 0)) throw unsupported(node, 'negative pads (cropping) are not supported');
  const mode = stringAttr(node, 'mode', 'constant');
  if (mode !== 'constant' && mode !== 'reflect' && mode !== 'edge') throw unsupported(node, `mode '${mode}' is not supported`);
  const rank = pads.length / 2;
  const axes = Array.from({ length: rank }, (_, a) => a).filter((a) => pads[a] > 0 || pads[a + rank] > 0);
  if (mode === 'constant') return [crop(e, dY, axes, pads.slice(0, rank), pads.slice(rank))];
  let grad = dY;
  for (const axis of axes) grad = foldAxis(e, grad, axis, pads[axis], pads[axis + rank], mode, rank);
  return [grad];
};

function crop(e: GraphEmitter, t: string, axes: readonly number[], begin: readonly number[], end: readonly number[]): string {
  if (axes.length === 0) return t;
  return e.op('Slice', [
    t,
    e.i64(axes.map((a) => begin[a])),
    e.i64(axes.map((a) => (end[a] > 0 ? -end[a] : TO_END))),
    e.i64(axes),
  ]);
}

const slice = (e: GraphEmitter, t: string, axis: number, start: number, end: number, step = 1) =>
  e.op('Slice', [t, e.i64([start]), e.i64([end]), e.i64([axis]), e.i64([step])]);

/** Crops `axis` and adds each padded element's gradient to the element it copied. */
function foldAxis(e: GraphEmitter, t: string, axis: number, begin: number, end: number, mode: 'reflect' | 'edge', rank: number): string {
  const zeros = new Array<number>(rank).fill(0);
  const padAt = (v: string, before: number, after: number) => {
    const p = [...zeros, ...zeros];
    p[axis] = before;
    p[axis + rank] = after;
    return e.op('Pad', [v, e.i64(p)]);
  };
  const concat = (parts: string[]) => e.op('Concat', parts, { axis: attr.int(axis) });
  const sumAxis = (v: string) => e.op('ReduceSum', [v, e.i64([axis])], { keepdims: attr.int(1) });

  let out = slice(e, t, axis, begin, end > 0 ? -end : TO_END);
  if (begin > 0) {
    // reflect: padded[j] = x[begin − j] → reversed border onto x[1 … begin]; edge: all onto x[0].
    const span = mode === 'reflect' ? begin + 1 : 1;
    const border = mode === 'reflect' ? padAt(slice(e, t, axis, begin - 1, -TO_END, -1), 1, 0) : sumAxis(slice(e, t, axis, 0, begin));
    out = concat([e.op('Add', [slice(e, out, axis, 0, span), border]), slice(e, out, axis, span, TO_END)]);
  }
  if (end > 0) {
    // reflect: the m-th element past the end = x[L−1−m] → reversed border onto x[L−1−end … L−2]; edge: onto x[L−1].
    const span = mode === 'reflect' ? end + 1 : 1;
    const border = mode === 'reflect' ? padAt(slice(e, t, axis, -1, -end - 1, -1), 0, 1) : sumAxis(slice(e, t, axis, -end, TO_END));
    out = concat([slice(e, out, axis, 0, -span), e.op('Add', [slice(e, out, axis, -span, TO_END), border])]);
  }
  return out;
}
