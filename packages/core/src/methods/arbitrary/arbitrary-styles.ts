import { expectNumber, invalidType, invalidValue, isObject } from '../../arguments.js';
import type { WeightedImageInput } from '../optimization/style-images.js';
import { expectStyleVector, type StyleVectorInput } from './style-vectors.js';

/** A kept style vector with its share of the blend. */
export interface WeightedStyleVector {
  vector: StyleVectorInput;
  /** @default 1 */
  weight?: number;
}

/**
 * The style of the arbitrary-style method as the adapters' `stylize` takes it: one of `styleImage`, `styleImages`
 * (blended by weight in vector space), `styleVector` or `styleVectors` (vectors kept from `predictStyle`).
 */
export interface ArbitraryStyles<Image> {
  styleImage?: Image;
  styleImages?: Array<Image | WeightedImageInput<Image>>;
  styleVector?: StyleVectorInput;
  styleVectors?: Array<StyleVectorInput | WeightedStyleVector>;
}

/** Kept style vectors only: the style argument that chooses the arbitrary method by itself. */
export type StyleVectors =
  | { styleVector: StyleVectorInput; styleVectors?: undefined }
  | { styleVectors: Array<StyleVectorInput | WeightedStyleVector>; styleVector?: undefined };

/** One style of a blend: an image to run the predictor on, or a vector, with its share. */
export type ArbitraryStyleItem<Image> = { image: Image; vector?: undefined; share: number } | { image?: undefined; vector: Float32Array; share: number };

const KEYS = ['styleImage', 'styleImages', 'styleVector', 'styleVectors'] as const;

/** Tells `{ styleVector }` / `{ styleVectors }` from the other styles (which only the arbitrary method takes). */
export function isStyleVectors(style: unknown): style is ArbitraryStyles<unknown> {
  return typeof style === 'object' && style !== null && ('styleVector' in style || 'styleVectors' in style);
}

/** Weights (undefined as 1), each finite and ≥ 0 and not all 0, divided by their total. */
function shares(weights: readonly unknown[], name: string): number[] {
  const checked = weights.map((weight, i) => (weight === undefined ? 1 : expectNumber(`${name}[${i}].weight`, weight, { min: 0 })));
  const total = checked.reduce((a, b) => a + b, 0);
  if (total <= 0) throw invalidValue(name, 'at least one style with a weight above 0', weights);
  return checked.map((w) => w / total);
}

const isWeighted = (item: unknown, key: 'image' | 'vector') => isObject(item) && !Array.isArray(item) && !(item instanceof Float32Array) && key in item;

/**
 * The styles as images and vectors, each with its share of the blend (weights, undefined as 1, scaled to sum to 1).
 * Vectors are checked (finite numbers, `styleLength` of them when given); images are the caller's to check.
 * @throws TypeError for no style or more than one of the four keys, for a vector that is not one; RangeError for an
 *   empty list, a vector of another length, or weights that are negative or all 0.
 */
export function listArbitraryStyles<Image>(style: unknown, styleLength?: number): ArbitraryStyleItem<Image>[] {
  const expected = `an object with one of ${KEYS.join(', ')}`;
  if (!isObject(style) || Array.isArray(style)) throw invalidType('style', expected, style);
  const given = KEYS.filter((key) => (style as Record<string, unknown>)[key] !== undefined);
  if (given.length !== 1) {
    if (given.length === 0) throw invalidType('style', expected, style);
    throw new TypeError(`Expected one of ${KEYS.join(', ')} for style but received ${given.join(' and ')}: give several styles as one list`);
  }
  const key = given[0];
  const value = (style as Record<string, unknown>)[key];
  const single = key === 'styleImage' || key === 'styleVector';
  if (!single && !Array.isArray(value)) throw invalidType(key, 'an array of styles', value);
  const list = single ? [value] : (value as unknown[]);
  if (list.length === 0) throw invalidValue(key, 'a non-empty array', list);
  const vectors = key === 'styleVector' || key === 'styleVectors';
  const weightKey = vectors ? 'vector' : 'image';
  const items = list.map((item) => (isWeighted(item, weightKey) ? (item as Record<string, unknown>) : { [weightKey]: item }));
  const parts = shares(items.map((item) => item.weight), key);
  return items.map((item, i) => {
    const name = single ? key : isWeighted(list[i], weightKey) ? `${key}[${i}].${weightKey}` : `${key}[${i}]`;
    return vectors
      ? { vector: expectStyleVector(name, item.vector, styleLength), share: parts[i] }
      : { image: item.image as Image, share: parts[i] };
  });
}
