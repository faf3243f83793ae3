import { PasticheError } from '../errors.js';
import { METADATA_KEYS } from '../models/metadata-keys.js';
import { decodeModel, encodeModel } from '../onnx/onnx-codec.js';
import type { ModelProto } from '../onnx/onnx-types.js';
import type { LossGraphs } from './build-loss-graphs.js';
import { LOSS_GRAPH_KINDS, LOSS_GRAPH_METADATA } from './graph-metadata.js';

/** The two graphs as .onnx bytes (what `pastiche export-grad` writes). */
export function exportLossGraphs(graphs: LossGraphs): { features: Uint8Array; lossGrad: Uint8Array } {
  return { features: encodeModel(graphs.features), lossGrad: encodeModel(graphs.lossGrad) };
}

const list = (value: string) => (value === '' ? [] : value.split(','));

function checkKind(model: ModelProto, expected: string, what: string): void {
  const kind = model.metadataProps[METADATA_KEYS.kind];
  if (kind !== expected) {
    throw new PasticheError(
      'E_MODEL_SIGNATURE',
      `Expected a ${what} graph written by exportLossGraphs (${METADATA_KEYS.kind} = ${expected}) but it says ${kind ?? 'nothing'}`,
    );
  }
}

/**
 * Reads back graphs written by {@link exportLossGraphs}: the layers and term order come from their metadata.
 * @throws PasticheError `E_ONNX_PARSE` for bytes that are not ONNX; `E_MODEL_SIGNATURE` when they are not
 * a features / loss+gradient pair built together.
 */
export function importLossGraphs(featuresBytes: Uint8Array, lossGradBytes: Uint8Array): LossGraphs {
  const features = decodeModel(featuresBytes);
  const lossGrad = decodeModel(lossGradBytes);
  checkKind(features, LOSS_GRAPH_KINDS.features, 'features');
  checkKind(lossGrad, LOSS_GRAPH_KINDS.lossGrad, 'loss+gradient');
  const facts = (m: ModelProto) => Object.values(LOSS_GRAPH_METADATA).map((key) => m.metadataProps[key] ?? '');
  if (facts(features).join('\n') !== facts(lossGrad).join('\n')) {
    throw new PasticheError('E_MODEL_SIGNATURE', 'The features and loss+gradient graphs were not built together: their layers or terms differ');
  }
  const meta = lossGrad.metadataProps;
  return {
    features,
    lossGrad,
    contentLayers: list(meta[LOSS_GRAPH_METADATA.contentLayers] ?? ''),
    styleLayers: list(meta[LOSS_GRAPH_METADATA.styleLayers] ?? ''),
    termNames: list(meta[LOSS_GRAPH_METADATA.terms] ?? ''),
  };
}
