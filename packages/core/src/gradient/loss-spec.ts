import { expectArray, expectNumber, expectObject, expectString, invalidValue } from '../arguments.js';
import { PasticheError } from '../errors.js';
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

function checkWeight(name: string, value: unknown): void {
  expectNumber(name, value, { min: 0 });
}

function checkLayers(field: 'content' | 'style', value: unknown): unknown[] {
  const name = `spec.${field}`;
  const list = expectArray(name, value, 'an array of { layer, weight }');
  const seen = new Set<string>();
  list.forEach((entry, i) => {
    const where = `${name}[${i}]`;
    const { layer, weight } = expectObject(where, entry, '{ layer, weight }');
    expectString(`${where}.layer`, layer);
    if (seen.has(layer as string)) throw invalidValue(`${where}.layer`, `a layer not listed before in ${name}`, layer);
    seen.add(layer as string);
    checkWeight(`${where}.weight`, weight);
  });
  return list;
}

/**
 * Checks the shape and values of a loss spec.
 * @throws TypeError for wrong types, RangeError for bad values (negative or non-finite weights, a layer listed
 * twice in one list, no layer at all); both name the field.
 */
export function validateLossSpec(spec: unknown): asserts spec is LossSpec {
  const { content, style, tvWeight } = expectObject('spec', spec, 'a loss spec { content, style, tvWeight }');
  const contentList = checkLayers('content', content);
  const styleList = checkLayers('style', style);
  checkWeight('spec.tvWeight', tvWeight);
  if (contentList.length + styleList.length === 0) {
    throw invalidValue('spec.style', 'at least one layer when spec.content is empty', styleList);
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
