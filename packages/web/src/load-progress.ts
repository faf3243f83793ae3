/**
 * Progress of loading one style model, in the order the events come (like transformers.js):
 * `initiate` → `download` → `progress`… → `done` for each fetched file, then `ready` when the session runs.
 * Models given as bytes report `ready` only.
 */
export type LoadProgress =
  | { status: 'initiate'; name: string; url: string }
  /** The response has started; `cached` when it comes from the Cache API instead of the network. */
  | { status: 'download'; name: string; url: string; cached: boolean }
  /** `total` is undefined when the server sends no Content-Length; `progress` is then undefined too. */
  | { status: 'progress'; name: string; url: string; loaded: number; total: number | undefined; progress: number | undefined }
  | { status: 'done'; name: string; url: string; bytes: number }
  /** A session exists on `device` (e.g. `webgpu`, `wasm`). */
  | { status: 'ready'; name: string; device: string };

export type LoadProgressCallback = (event: LoadProgress) => void;
