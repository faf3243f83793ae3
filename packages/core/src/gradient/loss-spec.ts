import { describeValue, PasticheError } from '../errors.js';
import { METADATA_KEYS } from '../models/metadata-keys.js';
import type { ModelProto } from '../onnx/onnx-types.js';

/** One layer of the loss network and how much its term counts. */
export interface LayerWeight {
  /** Name of an intermediate tensor of the loss network, e.g. `relu1_1` (VGG19) or `fire2` (SqueezeNet). */
  layer: string;
  /** Finite and ≥ 0. */
  weight: number;
}

/**
 * What the optimisation minimises: a content term per content layer, a style term per style layer and total
 * variation. The weights here are defaults ({@link lossWeights}); the graphs take them as an input.
 */
export interface LossSpec {
  content: LayerWeight[];
  style: LayerWeight[];
  /** Weight of the total-variation term; finite and ≥ 0. */
  tvWeight: number;
}

function checkWeight(value: unknown, field: string): void {
  if (typeof value !== 'number') throw new TypeError(`Expected a number for '${field}' but received ${describeValue(value)}`);
  if (!Number.isFinite(value) || value < 0) throw new RangeError(`Expected a finite number ≥ 0 for '${field}' but received ${value}`);
}

function checkLayers(value: unknown, field: 'content' | 'style'): void {
  if (!Array.isArray(value)) throw new TypeError(`Expected an array of { layer, weight } for 'spec.${field}' but received ${describeValue(value)}`);
  const seen = new Set<string>();
  value.forEach((entry: unknown, i) => {
    const where = `spec.${field}[${i}]`;
    if (entry === null || typeof entry !== 'object') throw new TypeError(`Expected { layer, weight } for '${where}' but received ${describeValue(entry)}`);
    const { layer, weight } = entry as Record<string, unknown>;
    if (typeof layer !== 'string' || layer === '') throw new TypeError(`Expected a non-empty string for '${where}.layer' but received ${describeValue(layer)}`);
    if (seen.has(layer)) throw new RangeError(`Expected each layer once in 'spec.${field}' but '${layer}' is listed twice`);
    seen.add(layer);
    checkWeight(weight, `${where}.weight`);
  });
}

/**
 * Checks the shape and values of a loss spec.
 * @throws TypeError for wrong types, RangeError for bad values (negative or non-finite weights, a layer listed
 * twice in one list, no layer at all); both name the field.
 */
export function validateLossSpec(spec: unknown): asserts spec is LossSpec {
  if (spec === null || typeof spec !== 'object') throw new TypeError(`Expected a loss spec { content, style, tvWeight } for 'spec' but received ${describeValue(spec)}`);
  const { content, style, tvWeight } = spec as Record<string, unknown>;
  checkLayers(content, 'content');
  checkLayers(style, 'style');
  checkWeight(tvWeight, 'spec.tvWeight');
  if ((content as unknown[]).length + (style as unknown[]).length === 0) {
    throw new RangeError(`Expected at least one layer in 'spec.content' or 'spec.style' but both are empty`);
  }
}

/**
 * The selectable layers of a loss network, from its `pastiche.layers` metadata (METADATA_KEYS.layers); without
 * that key, the outputs of all its nodes.
 */
export function lossNetworkLayers(model: ModelProto): string[] {
  const listed = model.metadataProps[METADATA_KEYS.layers];
  if (listed !== undefined) return listed.split(',').map((s) => s.trim()).filter((s) => s !== '');
  return model.graph.nodes.flatMap((n) => n.outputs.filter((o) => o !== ''));
}

/**
 * @throws PasticheError `E_MODEL_SIGNATURE` listing the available layers when the spec names another one.
 */
export function checkSpecLayers(spec: LossSpec, available: readonly string[]): void {
  const known = new Set(available);
  for (const field of ['content', 'style'] as const) {
    spec[field].forEach(({ layer }, i) => {
      if (!known.has(layer)) {
        throw new PasticheError(
          'E_MODEL_SIGNATURE',
          `Unknown layer '${layer}' in 'spec.${field}[${i}].layer': the loss network's layers are ${available.join(', ') || '(none)'}`,
        );
      }
    });
  }
}

/**
 * The `weights` input of the loss+gradient graph for this spec: content weights, style weights, then the TV
 * weight, in the spec's order.
 */
export function lossWeights(spec: LossSpec): Float32Array {
  return Float32Array.from([...spec.content.map((c) => c.weight), ...spec.style.map((s) => s.weight), spec.tvWeight]);
}
