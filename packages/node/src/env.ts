import { tmpdir } from 'node:os';
import { DEFAULT_DOWNLOAD_STALL_MS, DEFAULT_MAX_MODEL_BYTES, DEFAULT_REMOTE_HOST, type ModelSettings } from '@pastiche/core';

/**
 * Process-wide model settings (as transformers.js' `env`), read from the environment at start and changeable at
 * run time; the same names as load options override them per call.
 * - `PASTICHE_REMOTE_HOST`: a mirror serving the original weights under GitHub's raw-file paths.
 * - `PASTICHE_ALLOW_REMOTE_MODELS=0`: never touch the network.
 * - `PASTICHE_DOWNLOAD_STALL_MS`: how long a download may send nothing before it fails.
 * - `PASTICHE_MAX_MODEL_BYTES`: the largest model file, model bytes or download accepted (`Infinity` for no cap).
 * - `PASTICHE_SCRATCH_DIR`: where exact tiling may keep activations that do not fit `memoryBudget` (`off`: nowhere).
 * Model folders and the cache: `PASTICHE_MODELS`, `PASTICHE_CACHE` (see ModelLocationOptions).
 */
export const env: Required<ModelSettings> & NodeSettings = {
  remoteHost: process.env.PASTICHE_REMOTE_HOST || DEFAULT_REMOTE_HOST,
  allowRemoteModels: !isOff(process.env.PASTICHE_ALLOW_REMOTE_MODELS),
  downloadStallTimeout: Number(process.env.PASTICHE_DOWNLOAD_STALL_MS) > 0 ? Number(process.env.PASTICHE_DOWNLOAD_STALL_MS) : DEFAULT_DOWNLOAD_STALL_MS,
  maxModelBytes: maxModelBytesFromEnv(process.env.PASTICHE_MAX_MODEL_BYTES),
  scratchDir: scratchDirFromEnv(process.env.PASTICHE_SCRATCH_DIR),
};

/** Settings only Node has. */
export interface NodeSettings {
  /**
   * Folder where exact tiling keeps, in temporary files removed after each run, the activations it caches between
   * passes when they do not fit `memoryBudget` (tens of megapixels); `false` keeps them in memory only, and passes
   * that do not fit recompute them. @default the system's temporary folder
   */
  scratchDir: string | false;
}

/** Whether an environment variable says no: `0`, `false`, `no`, `none` or `off`, in any case. */
function isOff(text: string | undefined): boolean {
  return /^(0|false|no|none|off)$/i.test(text?.trim() ?? '');
}

/** PASTICHE_SCRATCH_DIR: a folder, or `off` (or another word {@link isOff} takes) for none. */
function scratchDirFromEnv(text: string | undefined): string | false {
  if (text === undefined || text.trim() === '') return tmpdir();
  return isOff(text) ? false : text;
}

/** PASTICHE_MAX_MODEL_BYTES: a positive integer or `Infinity`; anything else is a mistake said at start, not ignored. */
function maxModelBytesFromEnv(text: string | undefined): number {
  if (text === undefined || text.trim() === '') return DEFAULT_MAX_MODEL_BYTES;
  const value = Number(text);
  if (value === Infinity || (Number.isInteger(value) && value >= 1)) return value;
  throw new RangeError(`Expected a positive integer or Infinity for PASTICHE_MAX_MODEL_BYTES but received ${JSON.stringify(text)}`);
}
