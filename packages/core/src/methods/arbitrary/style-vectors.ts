import { expectInstance, invalidType, invalidValue, isObject } from '../../arguments.js';

/**
 * Style vectors: what the style predictor makes of a painting (100 numbers for Magenta's networks) and what the
 * transfer network takes. A user may keep one, save it as JSON (`Array.from(vector)`) and pass it back.
 */

/**
 * A style vector as the adapters' `predictStyle` returns it: plain data, so that `JSON.stringify` keeps it whole and
 * `JSON.parse` gives back a value the method takes as it is (as do `postMessage` and structured clones).
 */
export interface StyleVector {
  /** The predictor that made it (a catalog name, or a file name), for the reader; vectors of one predictor mix. */
  readonly predictor: string;
  /** The vector itself (100 numbers for Magenta's predictor). */
  readonly values: readonly number[];
}

/** A style vector as the method takes it: a Float32Array, an array of numbers, or a {@link StyleVector} (e.g. parsed from JSON). */
export type StyleVectorInput = Float32Array | readonly number[] | { readonly values: Float32Array | readonly number[] };

/** True for an object with a `values` array, the shape of a {@link StyleVector}. */
const isVectorObject = (value: unknown): value is { values: unknown } =>
  isObject(value) && !Array.isArray(value) && !(value instanceof Float32Array) && 'values' in value;

/**
 * Checks a style vector: finite numbers, `length` of them when given. Returns a Float32Array (the same one when it
 * is one already).
 */
export function expectStyleVector(name: string, value: unknown, length?: number): Float32Array {
  if (isVectorObject(value)) return expectStyleVector(`${name}.values`, value.values, length);
  const expected = `a Float32Array, an array of ${length ?? ''}${length ? ' ' : ''}finite numbers, or { values } (what predictStyle returns)`;
  if (!(value instanceof Float32Array) && !Array.isArray(value)) throw invalidType(name, expected, value);
  const list = value as ArrayLike<unknown>;
  for (let i = 0; i < list.length; i++) {
    const v = list[i];
    if (typeof v !== 'number') throw invalidType(`${name}[${i}]`, 'a finite number', v);
    if (!Number.isFinite(v)) throw invalidValue(`${name}[${i}]`, 'a finite number', v);
  }
  if (list.length === 0 || (length !== undefined && list.length !== length)) throw invalidValue(`${name}.length`, length ? `${length}` : 'at least 1', list.length);
  return value instanceof Float32Array ? value : Float32Array.from(list as readonly number[]);
}

/** Whether a style given to the method is a vector rather than an image. */
export const isStyleVectorInput = (value: unknown): value is StyleVectorInput =>
  value instanceof Float32Array || (Array.isArray(value) && value.every((v) => typeof v === 'number')) || isVectorObject(value);

/** A vector as a {@link StyleVector} of `predictor`, ready for JSON (−0 as 0, which is what JSON keeps of it). */
export function toStyleVector(values: Float32Array, predictor: string): StyleVector {
  return Object.freeze({ predictor, values: Object.freeze(Array.from(values, (v) => v + 0)) });
}

/**
 * The weighted mean of style vectors of one length: the weights (≥ 0, not all 0) are scaled to sum to 1; equal
 * weights when none are given. Blending in vector space is how Magenta mixes several styles.
 */
export function blendStyleVectors(vectors: readonly Float32Array[], weights?: readonly number[]): Float32Array {
  if (!Array.isArray(vectors) || vectors.length === 0) throw invalidValue('vectors', 'a non-empty array of style vectors', vectors);
  vectors.forEach((v, i) => expectInstance(`vectors[${i}]`, v, Float32Array));
  const length = vectors[0].length;
  vectors.forEach((v, i) => {
    if (v.length !== length) throw invalidValue(`vectors[${i}].length`, `${length}, the length of vectors[0]`, v.length);
  });
  const w = weights ?? vectors.map(() => 1);
  if (!isObject(w) || w.length !== vectors.length) throw invalidValue('weights', `${vectors.length} weights, one per vector`, w);
  const total = w.reduce((s, x, i) => {
    if (typeof x !== 'number' || !(x >= 0) || !Number.isFinite(x)) throw invalidValue(`weights[${i}]`, 'a number ≥ 0', x);
    return s + x;
  }, 0);
  if (total <= 0) throw invalidValue('weights', 'weights that are not all 0', w);
  const out = new Float32Array(length);
  for (let k = 0; k < length; k++) {
    let sum = 0;
    for (let i = 0; i < vectors.length; i++) sum += (w[i] / total) * vectors[i][k];
    out[k] = sum;
  }
  return out;
}

/**
 * Style strength in vector space: `strength · style + (1 − strength) · content`, where `content` is the content
 * image's own style vector. 1 gives `style` and 0 `content`, exactly.
 */
export function mixStyleVectors(style: Float32Array, content: Float32Array, strength: number): Float32Array {
  if (strength === 1) return style.slice();
  if (strength === 0) return content.slice();
  return style.map((s, i) => strength * s + (1 - strength) * content[i]);
}
