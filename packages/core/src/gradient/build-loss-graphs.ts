import { expectOneOf, expectOptions, invalidType, isObject } from '../arguments.js';
import type { ModelProto } from '../onnx/onnx-types.js';
import { buildFeaturesGraph } from './features-graph.js';
import { planForward, type Pooling } from './forward-plan.js';
import { LOSS_GRAPH_KINDS, lossGraphMetadata } from './graph-metadata.js';
import { LOSS_GRAPH_NAMES as N } from './loss-graph-names.js';
import { buildLossGradGraph } from './loss-grad-graph.js';
import { checkSpecLayers, lossNetworkLayers, validateLossSpec, type LossSpec } from './loss-spec.js';

/** Options of {@link buildLossGraphs}. */
export interface BuildLossGraphsOptions {
  /**
   * `'average'` replaces every MaxPool on the path by an AveragePool with the same window (Gatys et al. found
   * the results look better); both graphs then use it, targets included.
   * @default 'max'
   */
  pooling?: Pooling;
}

export const DEFAULT_POOLING: Pooling = 'max';
const POOLINGS: readonly Pooling[] = ['max', 'average'];

/** The two graphs of the optimisation method, built once per (loss network, spec, pooling). */
export interface LossGraphs {
  /** image → `content.<layer>` and `gram.<layer>`: run on the content and style images to get the targets. */
  features: ModelProto;
  /**
   * image, `target.content.<layer>`, `target.gram.<layer>`, `weights` → `loss`, `content_loss.<layer>`,
   * `style_loss.<layer>`, `tv_loss`, `grad`. Definitions in loss-terms.ts.
   */
  lossGrad: ModelProto;
  contentLayers: string[];
  styleLayers: string[];
  /** Output names of the terms, in the order of the `weights` input. */
  termNames: string[];
}

/**
 * Builds the features graph and the loss+gradient graph (reverse-mode, as plain ONNX opset 17) from a loss
 * network: ONNX with input `image` float [1, 3, H, W] (RGB 0..255, preprocessing folded in) and named
 * intermediate tensors. Only the nodes between the image and the chosen layers are kept; shapes come from the
 * run time, so one pair of graphs serves every image size.
 * @throws TypeError / RangeError for a bad spec or options; PasticheError `E_MODEL_SIGNATURE` for an unknown
 * layer (listing the available ones), a node on the path without a backward rule (naming its op and node) or
 * a network without `image`; `E_ONNX_PARSE` for a malformed graph.
 */
export function buildLossGraphs(lossNet: ModelProto, spec: LossSpec, options: BuildLossGraphsOptions = {}): LossGraphs {
  if (!isObject(lossNet) || !isObject(lossNet.graph)) throw invalidType('lossNet', 'a decoded ONNX model (decodeModel)', lossNet);
  validateLossSpec(spec);
  const o = expectOptions<BuildLossGraphsOptions>('options', options);
  const pooling = o.pooling === undefined ? DEFAULT_POOLING : expectOneOf('options.pooling', o.pooling, POOLINGS);
  checkSpecLayers(spec, lossNetworkLayers(lossNet));

  const contentLayers = spec.content.map((c) => c.layer);
  const styleLayers = spec.style.map((s) => s.layer);
  const termNames = [...contentLayers.map(N.contentLoss), ...styleLayers.map(N.styleLoss), N.tvLoss];
  const plan = planForward(lossNet, [...new Set([...contentLayers, ...styleLayers])], pooling);
  const facts = { contentLayers, styleLayers, termNames, pooling };
  return {
    features: buildFeaturesGraph(plan, contentLayers, styleLayers, lossGraphMetadata(lossNet, LOSS_GRAPH_KINDS.features, facts)),
    lossGrad: buildLossGradGraph(plan, contentLayers, styleLayers, lossGraphMetadata(lossNet, LOSS_GRAPH_KINDS.lossGrad, facts)),
    contentLayers,
    styleLayers,
    termNames,
  };
}
