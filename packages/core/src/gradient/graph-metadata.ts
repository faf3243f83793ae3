import { METADATA_KEYS } from '../models/metadata-keys.js';
import type { ModelProto } from '../onnx/onnx-types.js';
import type { Pooling } from './forward-plan.js';

/** metadata_props keys of the features and loss+gradient graphs (besides METADATA_KEYS.kind). */
export const LOSS_GRAPH_METADATA = {
  contentLayers: 'pastiche.loss.content_layers',
  styleLayers: 'pastiche.loss.style_layers',
  terms: 'pastiche.loss.terms',
  pooling: 'pastiche.loss.pooling',
} as const;

/** METADATA_KEYS.kind of the two graphs. */
export const LOSS_GRAPH_KINDS = { features: 'loss-features', lossGrad: 'loss-gradient' } as const;

/** What both gradient-side graphs record about how they were built (metadata_props). */
export interface LossGraphFacts {
  readonly contentLayers: readonly string[];
  readonly styleLayers: readonly string[];
  readonly termNames: readonly string[];
  readonly pooling: Pooling;
}

/** `pastiche.*` metadata of a features or loss+gradient graph; the loss network's name, source and licence carry over. */
export function lossGraphMetadata(
  lossNet: ModelProto,
  kind: (typeof LOSS_GRAPH_KINDS)[keyof typeof LOSS_GRAPH_KINDS],
  facts: LossGraphFacts,
): Record<string, string> {
  const carried = [METADATA_KEYS.name, METADATA_KEYS.source, METADATA_KEYS.license]
    .filter((key) => lossNet.metadataProps[key] !== undefined)
    .map((key) => [key, lossNet.metadataProps[key]] as const);
  return {
    ...Object.fromEntries(carried),
    [METADATA_KEYS.kind]: kind,
    [LOSS_GRAPH_METADATA.contentLayers]: facts.contentLayers.join(','),
    [LOSS_GRAPH_METADATA.styleLayers]: facts.styleLayers.join(','),
    [LOSS_GRAPH_METADATA.terms]: facts.termNames.join(','),
    [LOSS_GRAPH_METADATA.pooling]: facts.pooling,
  };
}

/** Drops the declared shape of outputs whose rank is not known when building (layer feature maps). */
export function withUnknownShapes(model: ModelProto, names: ReadonlySet<string>): ModelProto {
  const strip = <T extends { name: string; shape?: unknown }>(v: T): T => (names.has(v.name) ? { ...v, shape: undefined } : v);
  return { ...model, graph: { ...model.graph, inputs: model.graph.inputs.map(strip), outputs: model.graph.outputs.map(strip) } };
}
