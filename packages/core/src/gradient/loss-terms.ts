import { attr } from '../onnx/graph-builder.js';
import type { GramParts } from './gram.js';
import { TO_END, type GraphEmitter } from './graph-emitter.js';

/*
 * The loss terms, each with its hand-written gradient (cheaper and exact, rather than differentiating
 * MatMul/ReduceSumSquare generically). All means divide by element counts read at run time.
 *
 *   content_l = w · mean((F − P)²)                      F: features of layer l, P: the target features
 *   style_l   = w · mean((G − A)²) over the C² entries  G = F Fᵀ / (H·W), A: the target Gram matrix
 *   tv        = w · (mean of squared vertical differences + mean of squared horizontal differences),
 *               on the 0..255 image itself
 */

/** A scalar loss term and its gradient w.r.t. the value it was computed from. */
export interface LossTerm {
  readonly loss: string;
  readonly grad: string;
}

const sumOfSquares = (e: GraphEmitter, v: string) => e.op('ReduceSumSquare', [v], { keepdims: attr.int(0) });
const named = (e: GraphEmitter, opType: string, inputs: string[], name: string) => e.builder.node(opType, inputs, [name])[0];

/** content = w · mean((F − P)²); d/dF = 2w/N · (F − P). */
export function emitContentTerm(e: GraphEmitter, features: string, target: string, weight: string, name: string): LossTerm {
  const diff = e.op('Sub', [features, target]);
  const scale = e.op('Div', [weight, e.count(features)]);
  const loss = named(e, 'Mul', [scale, sumOfSquares(e, diff)], name);
  return { loss, grad: e.op('Mul', [diff, e.op('Mul', [scale, e.f32([2])])]) };
}

/**
 * style = w · mean((G − A)²); with D = G − A, d/dF = (D + Dᵀ) F · 2w / (C² · H·W) (D + Dᵀ keeps it exact
 * for a target that is not exactly symmetric), returned in the feature map's shape.
 */
export function emitStyleTerm(e: GraphEmitter, features: string, parts: GramParts, target: string, weight: string, name: string): LossTerm {
  const diff = e.op('Sub', [parts.gram, target]);
  const scale = e.op('Div', [weight, e.count(parts.gram)]);
  const loss = named(e, 'Mul', [scale, sumOfSquares(e, diff)], name);
  const coef = e.op('Mul', [e.op('Mul', [scale, e.f32([2])]), parts.invArea]);
  const symmetric = e.op('Add', [diff, e.op('Transpose', [diff], { perm: attr.ints([1, 0]) })]);
  const dFlat = e.op('MatMul', [e.op('Mul', [symmetric, coef]), parts.flat]);
  return { loss, grad: e.reshapeLike(dFlat, features) };
}

/** tv on [1, C, H, W]; its gradient is each difference's 2w/N · d, added at the lower and subtracted at the upper pixel. */
export function emitTvTerm(e: GraphEmitter, image: string, weight: string, name: string): LossTerm {
  const axisTerm = (axis: number) => {
    const ahead = e.op('Slice', [image, e.i64([1]), e.i64([TO_END]), e.i64([axis])]);
    const behind = e.op('Slice', [image, e.i64([0]), e.i64([-1]), e.i64([axis])]);
    const diff = e.op('Sub', [ahead, behind]);
    // Max(N, 1): a 1-pixel-high image has no vertical differences and a zero term, not NaN.
    const scale = e.op('Div', [weight, e.op('Max', [e.count(diff), e.f32([1])])]);
    const g = e.op('Mul', [diff, e.op('Mul', [scale, e.f32([2])])]);
    const pads = (before: number, after: number) => {
      const p = new Array<number>(8).fill(0);
      p[axis] = before;
      p[axis + 4] = after;
      return e.i64(p);
    };
    return {
      loss: e.op('Mul', [scale, sumOfSquares(e, diff)]),
      grad: e.op('Sub', [e.op('Pad', [g, pads(1, 0)]), e.op('Pad', [g, pads(0, 1)])]),
    };
  };
  const vertical = axisTerm(2);
  const horizontal = axisTerm(3);
  return {
    loss: named(e, 'Add', [vertical.loss, horizontal.loss], name),
    grad: e.op('Add', [vertical.grad, horizontal.grad]),
  };
}
