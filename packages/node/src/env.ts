import { DEFAULT_DOWNLOAD_STALL_MS, DEFAULT_MAX_MODEL_BYTES, DEFAULT_REMOTE_HOST, type ModelSettings } from '@pastiche/core';

/**
 * Process-wide model settings (as transformers.js' `env`), read from the environment at start and changeable at
 * run time; the same names as load options override them per call.
 * - `PASTICHE_REMOTE_HOST`: a mirror serving the original weights under GitHub's raw-file paths.
 * - `PASTICHE_ALLOW_REMOTE_MODELS=0`: never touch the network.
 * - `PASTICHE_DOWNLOAD_STALL_MS`: how long a download may send nothing before it fails.
 * - `PASTICHE_MAX_MODEL_BYTES`: the largest model file, model bytes or download accepted (`Infinity` for no cap).
 * Model folders and the cache: `PASTICHE_MODELS`, `PASTICHE_CACHE` (see ModelLocationOptions).
 */
export const env: Required<ModelSettings> = {
  remoteHost: process.env.PASTICHE_REMOTE_HOST || DEFAULT_REMOTE_HOST,
  allowRemoteModels: !/^(0|false|no|off)$/i.test(process.env.PASTICHE_ALLOW_REMOTE_MODELS ?? ''),
  downloadStallTimeout: Number(process.env.PASTICHE_DOWNLOAD_STALL_MS) > 0 ? Number(process.env.PASTICHE_DOWNLOAD_STALL_MS) : DEFAULT_DOWNLOAD_STALL_MS,
  maxModelBytes: maxModelBytesFromEnv(process.env.PASTICHE_MAX_MODEL_BYTES),
};

/** PASTICHE_MAX_MODEL_BYTES: a positive integer or `Infinity`; anything else is a mistake said at start, not ignored. */
function maxModelBytesFromEnv(text: string | undefined): number {
  if (text === undefined || text.trim() === '') return DEFAULT_MAX_MODEL_BYTES;
  const value = Number(text);
  if (value === Infinity || (Number.isInteger(value) && value >= 1)) return value;
  throw new RangeError(`Expected a positive integer or Infinity for PASTICHE_MAX_MODEL_BYTES but received ${JSON.stringify(text)}`);
}
