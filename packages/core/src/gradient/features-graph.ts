import { GraphBuilder } from '../onnx/graph-builder.js';
import { TensorDataType, type ModelProto } from '../onnx/onnx-types.js';
import { copyForward } from './forward-copy.js';
import type { ForwardPlan } from './forward-plan.js';
import { emitGram } from './gram.js';
import { GraphEmitter } from './graph-emitter.js';
import { withUnknownShapes } from './graph-metadata.js';
import { LOSS_GRAPH_NAMES as N } from './loss-graph-names.js';

/**
 * image → `content.<layer>` (feature maps) and `gram.<layer>` (Gram matrices): the targets of the loss.
 * Content layers are the forward values themselves, renamed, so no copy is made.
 */
export function buildFeaturesGraph(plan: ForwardPlan, contentLayers: readonly string[], styleLayers: readonly string[], metadata: Record<string, string>): ModelProto {
  const builder = new GraphBuilder('pastiche-loss-features');
  const e = new GraphEmitter(builder);
  builder.input(N.image, TensorDataType.FLOAT, [1, 3, 'height', 'width']);
  const outputs = [...contentLayers.map(N.content), ...styleLayers.map(N.gram)];
  const forward = copyForward(e, plan, new Set(outputs), new Map(contentLayers.map((l) => [l, N.content(l)])));
  for (const layer of contentLayers) builder.output(N.content(layer), TensorDataType.FLOAT, []);
  for (const layer of styleLayers) {
    builder.output(emitGram(e, forward.name(layer), N.gram(layer)).gram, TensorDataType.FLOAT, [null, null]);
  }
  const model = forward.finish(builder.toModel({ metadata, docString: 'Pastiche loss features: content feature maps and Gram matrices G = F Fᵀ / (H·W).' }));
  return withUnknownShapes(model, new Set(contentLayers.map(N.content)));
}
