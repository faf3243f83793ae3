/**
 * Progress of loading one model, in the order the events come (as transformers.js reports them):
 * `initiate` → `download` → `progress`… → `done` for each file read from the network or a cache, then `ready`
 * once the sessions exist. Models given as bytes or a local file report `ready` only.
 */
export type LoadProgress =
  | { status: 'initiate'; name: string; url: string }
  /** The response has started; `cached` when it comes from the platform's model cache instead of the network. */
  | { status: 'download'; name: string; url: string; cached: boolean }
  /** `total` is undefined when the server sends no Content-Length; `progress` (0..100) is then undefined too. */
  | { status: 'progress'; name: string; url: string; loaded: number; total: number | undefined; progress: number | undefined }
  | { status: 'done'; name: string; url: string; bytes: number }
  /** Sessions exist on `device` (e.g. `cpu`, `wasm`, `webgpu`). */
  | { status: 'ready'; name: string; device: string };

export type LoadProgressCallback = (event: LoadProgress) => void;
