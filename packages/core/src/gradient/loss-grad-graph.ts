import { GraphBuilder } from '../onnx/graph-builder.js';
import { TensorDataType, type ModelProto } from '../onnx/onnx-types.js';
import { copyForward } from './forward-copy.js';
import { IMAGE_INPUT, type ForwardPlan } from './forward-plan.js';
import { emitGram } from './gram.js';
import { GraphEmitter } from './graph-emitter.js';
import { withUnknownShapes } from './graph-metadata.js';
import { LOSS_GRAPH_NAMES as N } from './loss-graph-names.js';
import { emitContentTerm, emitStyleTerm, emitTvTerm } from './loss-terms.js';
import { emitBackward } from './reverse-mode.js';

export const LOSS_GRAD_DOC =
  'Pastiche loss and gradient. content_l = w·mean((F−P)²); style_l = w·mean((G−A)²) over C² entries, ' +
  'G = F Fᵀ/(H·W); tv = w·(mean squared vertical + mean squared horizontal differences) of the 0..255 image. ' +
  'weights = [content weights…, style weights…, tv weight]; grad = d loss / d image.';

/**
 * image, targets, weights → loss, one scalar per term, grad. The forward runs once; the terms seed reverse
 * mode at their layers, and TV adds its own gradient at the image.
 */
export function buildLossGradGraph(plan: ForwardPlan, contentLayers: readonly string[], styleLayers: readonly string[], metadata: Record<string, string>): ModelProto {
  const builder = new GraphBuilder('pastiche-loss-grad');
  const e = new GraphEmitter(builder);
  const termCount = contentLayers.length + styleLayers.length + 1;
  builder.input(N.image, TensorDataType.FLOAT, [1, 3, 'height', 'width']);
  for (const layer of contentLayers) builder.input(N.targetContent(layer), TensorDataType.FLOAT, []);
  for (const layer of styleLayers) builder.input(N.targetGram(layer), TensorDataType.FLOAT, [null, null]);
  builder.input(N.weights, TensorDataType.FLOAT, [termCount]);
  const reserved = new Set([
    N.weights, N.loss, N.grad, N.tvLoss,
    ...contentLayers.flatMap((l) => [N.targetContent(l), N.contentLoss(l)]),
    ...styleLayers.flatMap((l) => [N.targetGram(l), N.styleLoss(l)]),
  ]);
  const forward = copyForward(e, plan, reserved);

  const weight = (i: number) => e.op('Gather', [N.weights, e.i64([i], true)]);
  const seeds = new Map<string, string[]>();
  const seed = (layer: string, grad: string) => seeds.set(forward.name(layer), [...(seeds.get(forward.name(layer)) ?? []), grad]);
  const terms: string[] = [];
  contentLayers.forEach((layer, i) => {
    const term = emitContentTerm(e, forward.name(layer), N.targetContent(layer), weight(i), N.contentLoss(layer));
    terms.push(term.loss);
    seed(layer, term.grad);
  });
  styleLayers.forEach((layer, i) => {
    const features = forward.name(layer);
    const term = emitStyleTerm(e, features, emitGram(e, features), N.targetGram(layer), weight(contentLayers.length + i), N.styleLoss(layer));
    terms.push(term.loss);
    seed(layer, term.grad);
  });
  const tv = emitTvTerm(e, IMAGE_INPUT, weight(termCount - 1), N.tvLoss);
  terms.push(tv.loss);

  builder.node('Sum', terms, [N.loss]);
  const fromLayers = emitBackward(e, forward, seeds, IMAGE_INPUT);
  builder.node(fromLayers ? 'Add' : 'Identity', fromLayers ? [fromLayers, tv.grad] : [tv.grad], [N.grad]);

  builder.output(N.loss, TensorDataType.FLOAT, []);
  for (const term of terms) builder.output(term, TensorDataType.FLOAT, []);
  builder.output(N.grad, TensorDataType.FLOAT, [1, 3, 'height', 'width']);
  const model = forward.finish(builder.toModel({ metadata, docString: LOSS_GRAD_DOC }));
  return withUnknownShapes(model, new Set(contentLayers.map(N.targetContent)));
}
