import { expectBoolean, expectFunction, expectInteger, expectOptions, expectSignal, expectString, invalidType, invalidValue, isNumber } from '../arguments.js';
import { PasticheError } from '../errors.js';
import type { ModelSettings } from './model-settings.js';
import type { ModelConventionOverrides } from '../models/model-conventions.js';
import { resolveDeviceOptions, type DeviceOptions, type ResolvedDeviceOptions } from './device-selection.js';
import type { LoadProgressCallback } from './load-progress.js';
import type { DeviceTable } from './platform.js';

/** What every load takes: where to run, where built-in models come from, the downloads' checksum, abort and progress. */
export interface ModelLoadOptions<Device extends string> extends DeviceOptions<Device>, ModelSettings {
  /** Expected hex SHA-256 of a model fetched by URL; a mismatch is E_MODEL_CHECKSUM and nothing is kept. */
  sha256?: string;
  /** Aborts downloads and session creation (E_ABORTED). */
  signal?: AbortSignal;
  /** Download and session progress: `initiate`, `download`, `progress`, `done`, `ready`. */
  onLoadProgress?: LoadProgressCallback;
}

/** Options of `loadStyle`. */
export interface LoadStyleOptions<Device extends string> extends ModelLoadOptions<Device> {
  /** Overrides of the model's conventions (layout, range, channel order, mean/std, size multiple). */
  conventions?: ModelConventionOverrides;
  /**
   * Exact graph rewrites applied when the model loads, for speed (nearest-2× upsample + 3×3 convolution → four
   * 2×2 convolutions on the low-resolution grid + DepthToSpace). Outputs equal the original's up to float
   * rounding; `false` runs the model as it is. @default true
   */
  graphRewrites?: boolean;
}

export interface ResolvedModelLoadOptions<Device extends string> {
  device: ResolvedDeviceOptions<Device>;
  settings: Required<ModelSettings>;
  sha256: string | undefined;
  signal: AbortSignal | undefined;
  onLoadProgress: LoadProgressCallback | undefined;
}

/** The keys every load takes, before the platform's own and the method's. */
export const MODEL_LOAD_KEYS = [
  'device', 'executionProviders', 'sessionOptions', 'remoteHost', 'allowRemoteModels', 'downloadStallTimeout', 'maxModelBytes', 'sha256', 'signal', 'onLoadProgress',
] as const;

/** Checks what every load takes, once. */
export function resolveModelLoadOptions<Device extends string>(
  table: DeviceTable<Device>,
  env: Required<ModelSettings>,
  options: ModelLoadOptions<Device>,
): ResolvedModelLoadOptions<Device> {
  const { sha256, signal, onLoadProgress, remoteHost, allowRemoteModels, downloadStallTimeout, maxModelBytes } = options;
  if (remoteHost !== undefined && !/^https?:\/\//i.test(expectString('remoteHost', remoteHost, 'an http(s) URL'))) {
    throw invalidValue('remoteHost', 'an http(s) URL', remoteHost);
  }
  if (sha256 !== undefined && !/^[0-9a-f]{64}$/i.test(expectString('sha256', sha256, '64 hex digits'))) {
    throw invalidValue('sha256', '64 hex digits', sha256);
  }
  return {
    device: resolveDeviceOptions(table, options),
    settings: {
      remoteHost: remoteHost ?? env.remoteHost,
      allowRemoteModels: allowRemoteModels === undefined ? env.allowRemoteModels : expectBoolean('allowRemoteModels', allowRemoteModels),
      downloadStallTimeout:
        downloadStallTimeout === undefined ? env.downloadStallTimeout : expectInteger('downloadStallTimeout', downloadStallTimeout, { min: 1 }),
      maxModelBytes: maxModelBytes === undefined ? env.maxModelBytes : resolveMaxModelBytes(maxModelBytes),
    },
    sha256: sha256?.toLowerCase(),
    signal: signal === undefined ? undefined : expectSignal('signal', signal),
    onLoadProgress: onLoadProgress === undefined ? undefined : guardedCallback(expectFunction<LoadProgressCallback>('onLoadProgress', onLoadProgress)),
  };
}

/**
 * The caller's progress callback, whose own exceptions come out as E_MODEL_LOAD with the exception as cause (the load
 * stops there), so that nothing but typed errors leaves a load.
 */
function guardedCallback(callback: LoadProgressCallback): LoadProgressCallback {
  return (event) => {
    try {
      callback(event);
    } catch (cause) {
      throw new PasticheError('E_MODEL_LOAD', `The onLoadProgress callback threw on a '${event.status}' event: ${(cause as Error)?.message ?? cause}`, { cause });
    }
  };
}

/** `maxModelBytes` checked: a positive integer, or `Infinity` (no cap). */
export function resolveMaxModelBytes(value: unknown): number {
  const expected = 'positive integer or Infinity';
  if (!isNumber(value)) throw invalidType('maxModelBytes', expected, value);
  if (value !== Infinity && !(Number.isInteger(value) && value >= 1)) throw invalidValue('maxModelBytes', expected, value);
  return value;
}

/** `conventions`, checked as an object (its fields are checked against the model when it loads). */
export function expectConventions(value: unknown): ModelConventionOverrides | undefined {
  return value === undefined ? undefined : (expectOptions<ModelConventionOverrides>('conventions', value) as ModelConventionOverrides);
}
