/**
 * The one argument module (as sharp's `lib/is.js`): predicates, and checkers that throw with the right class.
 * Wrong types throw TypeError, wrong values of the right type RangeError; every message reads
 * `Expected <what> for <name> but received <value>`. Public entry points check their options once, here;
 * inner kernels take the resolved values and do not check again.
 */
import { describeValue } from './errors.js';

export const isDefined = <T>(value: T | undefined): value is T => value !== undefined;
export const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null;
export const isString = (value: unknown): value is string => typeof value === 'string';
export const isNumber = (value: unknown): value is number => typeof value === 'number';
export const isBytes = (value: unknown): value is Uint8Array | ArrayBuffer => value instanceof Uint8Array || value instanceof ArrayBuffer;

/** `Expected <expected> for <name> but received <value>`, as a TypeError (wrong type). */
export function invalidType(name: string, expected: string, value: unknown): TypeError {
  return new TypeError(`Expected ${expected} for ${name} but received ${describeValue(value)}`);
}

/** `Expected <expected> for <name> but received <value>`, as a RangeError (right type, wrong value). */
export function invalidValue(name: string, expected: string, value: unknown): RangeError {
  return new RangeError(`Expected ${expected} for ${name} but received ${describeValue(value)}`);
}

/** Bounds of a number; both inclusive. */
export interface NumberBounds {
  min?: number;
  max?: number;
}

function describeBounds(kind: string, { min, max }: NumberBounds): string {
  if (min !== undefined && max !== undefined && max !== Infinity) return `${kind} between ${min} and ${max}`;
  if (min === 1 && kind === 'integer') return 'positive integer';
  if (min === 0 && kind === 'integer') return 'non-negative integer';
  if (min !== undefined) return `${kind} ≥ ${min}`;
  if (max !== undefined) return `${kind} ≤ ${max}`;
  return kind === 'number' ? 'finite number' : kind;
}

/** A finite number within the bounds. NaN and ±Infinity are wrong values (RangeError). */
export function expectNumber(name: string, value: unknown, bounds: NumberBounds = {}): number {
  const expected = describeBounds('number', bounds);
  if (!isNumber(value)) throw invalidType(name, expected, value);
  if (!Number.isFinite(value) || (bounds.min !== undefined && value < bounds.min) || (bounds.max !== undefined && value > bounds.max)) {
    throw invalidValue(name, expected, value);
  }
  return value;
}

/** An integer within the bounds. */
export function expectInteger(name: string, value: unknown, bounds: NumberBounds = {}): number {
  const expected = describeBounds('integer', bounds);
  if (!isNumber(value)) throw invalidType(name, expected, value);
  if (!Number.isInteger(value) || (bounds.min !== undefined && value < bounds.min) || (bounds.max !== undefined && value > bounds.max)) {
    throw invalidValue(name, expected, value);
  }
  return value;
}

/**
 * A positive integer, at most `max`. Below 1 (or not an integer) the message asks for a `positive integer`;
 * above `max` for a `positive integer ≤ max`, so that each message says what was wrong.
 */
export function expectPositiveInteger(name: string, value: unknown, max = Infinity): number {
  const n = expectInteger(name, value, { min: 1 });
  if (n > max) throw invalidValue(name, `positive integer ≤ ${max}`, value);
  return n;
}

/** Ends of an interval of numbers; each end is included unless marked open. */
export interface Interval {
  min: number;
  max: number;
  minOpen?: boolean;
  maxOpen?: boolean;
}

/** A number in the interval, described as `number in [0, 1)`, `number in (0, 8]` and so on. */
export function expectNumberIn(name: string, value: unknown, { min, max, minOpen = false, maxOpen = false }: Interval): number {
  const expected = `number in ${minOpen ? '(' : '['}${min}, ${max}${maxOpen ? ')' : ']'}`;
  if (!isNumber(value)) throw invalidType(name, expected, value);
  const aboveMin = minOpen ? value > min : value >= min;
  const belowMax = maxOpen ? value < max : value <= max;
  if (!(aboveMin && belowMax && Number.isFinite(value))) throw invalidValue(name, expected, value);
  return value;
}

/** A finite number above 0 (and at most `max`, when it is finite). */
export function expectPositiveNumber(name: string, value: unknown, max = Infinity): number {
  if (max !== Infinity) return expectNumberIn(name, value, { min: 0, max, minOpen: true });
  if (!isNumber(value)) throw invalidType(name, 'positive number', value);
  if (!(value > 0 && Number.isFinite(value))) throw invalidValue(name, 'positive number', value);
  return value;
}

/** An object (not null); `expected` names what it should be, e.g. `'{ x, y, width, height }'`. */
export function expectObject(name: string, value: unknown, expected = 'an object'): Record<string, unknown> {
  if (!isObject(value)) throw invalidType(name, expected, value);
  return value;
}

/** An instance of `type` (a typed array, say), named in the message by the class name. */
export function expectInstance<T>(name: string, value: unknown, type: abstract new (...args: never[]) => T, expected = type.name): T {
  if (!(value instanceof type)) throw invalidType(name, expected, value);
  return value;
}

/** An array; `expected` names its items, e.g. `'an array of TileRect'`. */
export function expectArray(name: string, value: unknown, expected = 'an array'): unknown[] {
  if (!Array.isArray(value)) throw invalidType(name, expected, value);
  return value;
}

export function expectBoolean(name: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw invalidType(name, 'boolean', value);
  return value;
}

/** A non-empty string. */
export function expectString(name: string, value: unknown, expected = 'a non-empty string'): string {
  if (!isString(value)) throw invalidType(name, expected, value);
  if (value === '') throw invalidValue(name, expected, value);
  return value;
}

/** One of a fixed set of strings: another string is a RangeError, anything else a TypeError. */
export function expectOneOf<T extends string>(name: string, value: unknown, allowed: readonly T[]): T {
  const expected = `one of ${allowed.map((a) => `'${a}'`).join(', ')}`;
  if (!isString(value)) throw invalidType(name, expected, value);
  if (!(allowed as readonly string[]).includes(value)) throw invalidValue(name, expected, value);
  return value as T;
}

export function expectFunction<T extends (...args: never[]) => unknown>(name: string, value: unknown): T {
  if (typeof value !== 'function') throw invalidType(name, 'a function', value);
  return value as T;
}

/** An options object: `undefined` means none; `null`, arrays and primitives are TypeErrors. */
export function expectOptions<T extends object>(name: string, value: unknown): Partial<T> {
  if (value === undefined) return {};
  if (!isObject(value) || Array.isArray(value)) throw invalidType(name, 'an options object', value);
  return value as Partial<T>;
}

/** An AbortSignal (checked by shape, so that signals from another realm pass). */
export function expectSignal(name: string, value: unknown): AbortSignal {
  if (!isObject(value) || typeof value.aborted !== 'boolean' || typeof value.addEventListener !== 'function') {
    throw invalidType(name, 'an AbortSignal', value);
  }
  return value as unknown as AbortSignal;
}

/** A non-empty array of non-empty strings (layer names and the like). */
export function expectStringList(name: string, value: unknown, what = 'names'): string[] {
  const expected = `a non-empty array of ${what}`;
  if (!Array.isArray(value)) throw invalidType(name, expected, value);
  if (value.length === 0) throw invalidValue(name, expected, value);
  value.forEach((item, i) => expectString(`${name}[${i}]`, item));
  return value as string[];
}

/**
 * Rejects keys an options object does not take. A key that belongs to a sibling options type (a load option
 * passed to a run, say) is named with where it goes instead.
 */
export function expectKnownKeys(
  name: string,
  options: object,
  known: ReadonlySet<string>,
  elsewhere: ReadonlyMap<string, string> = new Map(),
): void {
  for (const key of Object.keys(options)) {
    if (known.has(key) || (options as Record<string, unknown>)[key] === undefined) continue;
    const where = elsewhere.get(key);
    throw new TypeError(
      where
        ? `Expected no '${key}' in ${name}: it is ${where}`
        : `Expected only ${[...known].map((k) => `'${k}'`).join(', ')} in ${name} but received '${key}'`,
    );
  }
}
