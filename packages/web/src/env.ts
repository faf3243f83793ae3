import { DEFAULT_DOWNLOAD_STALL_MS, DEFAULT_MAX_MODEL_BYTES, DEFAULT_REMOTE_HOST, type ModelSettings } from '@pastiche/core';

/** Page-wide model settings (as transformers.js' `env`); the same names as load options override them per call. */
export const env: Required<ModelSettings> = {
  remoteHost: DEFAULT_REMOTE_HOST,
  allowRemoteModels: true,
  downloadStallTimeout: DEFAULT_DOWNLOAD_STALL_MS,
  maxModelBytes: DEFAULT_MAX_MODEL_BYTES,
};
