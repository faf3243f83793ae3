import { expectArray, expectNumber, expectOneOf, expectOptions, expectPositiveInteger, expectPositiveNumber, invalidValue } from '../arguments.js';
import type { ModelProto } from '../onnx/onnx-types.js';
import {
  DEFAULT_TENSOR_CONVENTIONS,
  type ChannelOrder,
  type TensorConventions,
  type TensorLayout,
  type ValueRange,
} from '../image/tensor-conventions.js';
import { describeValue, PasticheError } from '../errors.js';
import { METADATA_KEYS } from './metadata-keys.js';

/**
 * Per-call overrides of what a model's metadata says about its tensors. Every field is optional;
 * output fields default to the input's value.
 */
export interface ModelConventionOverrides {
  layout?: TensorLayout;
  range?: ValueRange;
  channelOrder?: ChannelOrder;
  mean?: readonly [number, number, number];
  std?: readonly [number, number, number];
  outputLayout?: TensorLayout;
  outputRange?: ValueRange;
  outputChannelOrder?: ChannelOrder;
  outputMean?: readonly [number, number, number];
  outputStd?: readonly [number, number, number];
  /** Height and width are padded to a multiple of this. @default 1 (or the model's `pastiche.size_multiple`) */
  sizeMultiple?: number;
}

export interface ModelConventions {
  input: TensorConventions;
  output: TensorConventions;
  sizeMultiple: number;
}

const LAYOUTS: readonly TensorLayout[] = ['NCHW', 'NHWC'];
const RANGES: readonly ValueRange[] = ['0-255', '0-1', '-1-1'];
const ORDERS: readonly ChannelOrder[] = ['RGB', 'BGR'];

const quoted = (allowed: readonly string[]) => allowed.map((a) => `'${a}'`).join(', ');

/**
 * Largest size multiple (metadata or override): a network needing more could not run below that side, and padding
 * every image to a multiple of it would allocate without bound (`1e9` asked for a 3·10¹⁸-value tensor).
 */
export const MAX_SIZE_MULTIPLE = 1024;

/**
 * A malformed `pastiche.*` value is the model's fault, not an argument's: E_MODEL_SIGNATURE, in the argument
 * module's words, with what to do.
 */
function metadataError(key: string, expected: string, value: string): PasticheError {
  return new PasticheError(
    'E_MODEL_SIGNATURE',
    `Expected ${expected} for metadata '${key}' but received ${describeValue(value)}. Fix the model's metadata, or override it with the conventions load option.`,
  );
}

function oneOf<T extends string>(key: string, value: string | undefined, allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  const normalized = value.trim().toUpperCase();
  const match = allowed.find((a) => a.toUpperCase() === normalized);
  if (!match) throw metadataError(key, `one of ${quoted(allowed)}`, value);
  return match;
}

function triple(key: string, value: string | undefined, positive = false): readonly [number, number, number] | undefined {
  if (value === undefined) return undefined;
  const parts = value.split(',').map((p) => Number(p.trim()));
  if (parts.length !== 3 || parts.some((n) => !Number.isFinite(n) || (positive && n <= 0))) {
    throw metadataError(key, `three comma-separated ${positive ? 'positive ' : ''}numbers`, value);
  }
  return [parts[0], parts[1], parts[2]];
}

function positiveInteger(key: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > MAX_SIZE_MULTIPLE) throw metadataError(key, `integer between 1 and ${MAX_SIZE_MULTIPLE}`, value);
  return n;
}

/** Reads the `pastiche.*` metadata keys into overrides (only the keys present). */
export function conventionsFromMetadata(metadata: Record<string, string>): ModelConventionOverrides {
  const k = METADATA_KEYS;
  const read: ModelConventionOverrides = {
    layout: oneOf(k.inputLayout, metadata[k.inputLayout], LAYOUTS),
    range: oneOf(k.inputRange, metadata[k.inputRange], RANGES),
    channelOrder: oneOf(k.inputChannelOrder, metadata[k.inputChannelOrder], ORDERS),
    mean: triple(k.inputMean, metadata[k.inputMean]),
    std: triple(k.inputStd, metadata[k.inputStd], true),
    outputLayout: oneOf(k.outputLayout, metadata[k.outputLayout], LAYOUTS),
    outputRange: oneOf(k.outputRange, metadata[k.outputRange], RANGES),
    outputChannelOrder: oneOf(k.outputChannelOrder, metadata[k.outputChannelOrder], ORDERS),
    outputMean: triple(k.outputMean, metadata[k.outputMean]),
    outputStd: triple(k.outputStd, metadata[k.outputStd], true),
    sizeMultiple: positiveInteger(k.sizeMultiple, metadata[k.sizeMultiple]),
  };
  return Object.fromEntries(Object.entries(read).filter(([, v]) => v !== undefined)) as ModelConventionOverrides;
}

/** Three finite numbers (a mean), or three positive ones (a std). */
function overrideTriple(name: string, value: unknown, positive: boolean): void {
  const list = expectArray(name, value, 'an array of 3 numbers');
  if (list.length !== 3) throw invalidValue(name, 'an array of 3 numbers', list);
  list.forEach((v, i) => (positive ? expectPositiveNumber(`${name}[${i}]`, v) : expectNumber(`${name}[${i}]`, v)));
}

/**
 * Checks per-call overrides (named `conventions.<field>` in messages): wrong types throw TypeError, wrong values
 * RangeError. After this and the metadata checks the resolved conventions need no further checks when the model runs.
 */
export function checkConventionOverrides(overrides: unknown): ModelConventionOverrides {
  const o = expectOptions<ModelConventionOverrides>('conventions', overrides);
  for (const key of ['layout', 'outputLayout'] as const) if (o[key] !== undefined) expectOneOf(`conventions.${key}`, o[key], LAYOUTS);
  for (const key of ['range', 'outputRange'] as const) if (o[key] !== undefined) expectOneOf(`conventions.${key}`, o[key], RANGES);
  for (const key of ['channelOrder', 'outputChannelOrder'] as const) if (o[key] !== undefined) expectOneOf(`conventions.${key}`, o[key], ORDERS);
  for (const key of ['mean', 'outputMean'] as const) if (o[key] !== undefined) overrideTriple(`conventions.${key}`, o[key], false);
  for (const key of ['std', 'outputStd'] as const) if (o[key] !== undefined) overrideTriple(`conventions.${key}`, o[key], true);
  if (o.sizeMultiple !== undefined) expectPositiveInteger('conventions.sizeMultiple', o.sizeMultiple, MAX_SIZE_MULTIPLE);
  return o;
}

/**
 * Applies, in order of precedence: explicit overrides, then the model's metadata, then the
 * documented defaults. `detectedLayout` comes from the model's signature when metadata is silent.
 * Checks the overrides ({@link checkConventionOverrides}) and the metadata values it reads.
 */
export function resolveModelConventions(
  model: Pick<ModelProto, 'metadataProps'>,
  overrides: ModelConventionOverrides = {},
  detected: { inputLayout?: TensorLayout; outputLayout?: TensorLayout; batch: boolean; outputBatch: boolean } = {
    batch: true,
    outputBatch: true,
  },
): ModelConventions {
  const merged: ModelConventionOverrides = { ...conventionsFromMetadata(model.metadataProps), ...stripUndefined(checkConventionOverrides(overrides)) };
  const d = DEFAULT_TENSOR_CONVENTIONS;
  const input: TensorConventions = {
    layout: merged.layout ?? detected.inputLayout ?? d.layout,
    range: merged.range ?? d.range,
    channelOrder: merged.channelOrder ?? d.channelOrder,
    mean: merged.mean,
    std: merged.std,
    batch: detected.batch,
  };
  const output: TensorConventions = {
    layout: merged.outputLayout ?? detected.outputLayout ?? input.layout,
    range: merged.outputRange ?? input.range,
    channelOrder: merged.outputChannelOrder ?? input.channelOrder,
    mean: merged.outputMean ?? merged.mean,
    std: merged.outputStd ?? merged.std,
    batch: detected.outputBatch,
  };
  return { input, output, sizeMultiple: merged.sizeMultiple ?? 1 };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
