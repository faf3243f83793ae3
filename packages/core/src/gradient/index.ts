export { buildLossGraphs, DEFAULT_POOLING, type BuildLossGraphsOptions, type LossGraphs } from './build-loss-graphs.js';
export { exportLossGraphs, importLossGraphs } from './export-loss-graphs.js';
export { IMAGE_INPUT, SUPPORTED_OPSETS, type Pooling } from './forward-plan.js';
export { LOSS_GRAPH_KINDS, LOSS_GRAPH_METADATA } from './graph-metadata.js';
export { LOSS_GRAPH_NAMES } from './loss-graph-names.js';
export { checkSpecLayers, lossNetworkLayers, lossWeights, validateLossSpec, type LayerWeight, type LossSpec } from './loss-spec.js';
export { DIFFERENTIABLE_OPS } from './ops/registry.js';
