/** Stable machine-readable codes carried by every {@link PasticheError}. */
export const ERROR_CODES = [
  'E_MODEL_LOAD',
  'E_MODEL_SIGNATURE',
  'E_MODEL_NOT_FOUND',
  'E_MODEL_CHECKSUM',
  'E_MODEL_DOWNLOAD',
  /** A model file or model bytes over the size cap for model files (`DEFAULT_MAX_MODEL_BYTES`), refused before reading or hashing. */
  'E_MODEL_TOO_LARGE',
  'E_IMAGE_DECODE',
  'E_IMAGE_ENCODE',
  /**
   * An image over the pixel limit (the `maxPixels` run option), refused from its header before it is decoded or
   * rasterised, or a working size (`size`, `styleScale`) that would be over it.
   */
  'E_IMAGE_TOO_LARGE',
  'E_DEVICE_UNAVAILABLE',
  'E_INFERENCE',
  /** A style network that returned NaN or ±Infinity, or an optimisation whose loss or gradient became non-finite. */
  'E_NUMERIC',
  'E_ONNX_PARSE',
  'E_IO',
  'E_ABORTED',
  'E_DISPOSED',
  /** A catalog.json that does not follow the schema (bundled, read by a script, or fetched by a browser). */
  'E_CATALOG',
  /**
   * Source weights that a converter (`@pastiche/core/converters`) cannot turn into a model: a wrong file set,
   * truncated or malformed weights, JSON that does not parse or lacks what the format needs.
   */
  'E_CONVERT',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/**
 * Error for everything that is not a wrong argument (those are TypeError / RangeError).
 * `code` is stable across releases; the message says what was expected, what came, and what to do.
 */
export class PasticheError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PasticheError';
    this.code = code;
  }
}

/** Describes a received value for messages: `spoons of type string`. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'string') return `${JSON.stringify(value.length > 40 ? value.slice(0, 40) + '…' : value)} of type string`;
  if (typeof value === 'number' || typeof value === 'boolean') return `${String(value)} of type ${typeof value}`;
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  const ctor = (value as object).constructor?.name;
  return ctor ? `an object of type ${ctor}` : `a value of type ${typeof value}`;
}

/** A byte count for messages: `1.5 GB`, `746 kB`, `68 bytes` (powers of 1000). */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} bytes`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let value = bytes / 1000;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${Number(value.toPrecision(3))} ${units[unit]}`;
}

/**
 * E_MODEL_TOO_LARGE for a model file, model bytes or a download over `limit` (the `maxModelBytes` load option, default
 * DEFAULT_MAX_MODEL_BYTES), raised before the bytes are read, hashed or parsed. `bytes` is a lower bound when `atLeast`
 * (a download that sent more than the limit).
 */
export function modelTooLarge(what: string, bytes: number, limit: number, atLeast = false): PasticheError {
  const size = atLeast ? `more than ${formatBytes(limit)} (${bytes} bytes so far)` : `${formatBytes(bytes)} (${bytes} bytes)`;
  return new PasticheError(
    'E_MODEL_TOO_LARGE',
    `${what.charAt(0).toUpperCase() + what.slice(1)} is ${size}, over the ${formatBytes(limit)} limit for model files ` +
      `(maxModelBytes, ${limit} bytes): the largest style network is under 10 MB and the full VGG19 about 550 MB. Check that this ` +
      `is the model you meant, or pass a larger maxModelBytes to allow it.`,
  );
}
