/** Stable machine-readable codes carried by every {@link PasticheError}. */
export const ERROR_CODES = [
  'E_MODEL_LOAD',
  'E_MODEL_SIGNATURE',
  'E_MODEL_NOT_FOUND',
  'E_MODEL_CHECKSUM',
  'E_MODEL_DOWNLOAD',
  'E_IMAGE_DECODE',
  'E_IMAGE_ENCODE',
  'E_DEVICE_UNAVAILABLE',
  'E_INFERENCE',
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
