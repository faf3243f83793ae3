// Apart from catalog-model.ts, which bundles load only on first use.

/** Where the original weights are fetched from: GitHub's raw-file host, or a mirror that serves the same paths. */
export const DEFAULT_REMOTE_HOST = 'https://raw.githubusercontent.com';

/** Settings of built-in models, as transformers.js' `env`: per call as load options, with process-wide defaults. */
export interface ModelSettings {
  /**
   * Host that serves the original weights under GitHub's raw-file paths (`/OWNER/REPO/REF/PATH/FILE`), e.g. your
   * own mirror. @default DEFAULT_REMOTE_HOST (node: env PASTICHE_REMOTE_HOST)
   */
  remoteHost?: string;
  /** `false` never touches the network: built-in models must already be on this machine. @default true (node: env PASTICHE_ALLOW_REMOTE_MODELS=0 turns it off) */
  allowRemoteModels?: boolean;
  /** A download that sends nothing for this many milliseconds fails (E_MODEL_DOWNLOAD). @default DEFAULT_DOWNLOAD_STALL_MS (30 s) */
  downloadStallTimeout?: number;
  /**
   * Model files, model bytes and downloads over this many bytes are refused with E_MODEL_TOO_LARGE before they are
   * read, hashed or parsed; `Infinity` for no cap. @default DEFAULT_MAX_MODEL_BYTES (1 GiB; node: env PASTICHE_MAX_MODEL_BYTES)
   */
  maxModelBytes?: number;
}
