import type { InferenceSession } from 'onnxruntime-common';
import type { Catalog } from '../catalog/catalog-types.js';
import type { ImageLimits } from '../image/image-header.js';
import type { PlanarImage, RawImage } from '../image/image-types.js';
import type { ModelSettings } from './model-settings.js';
import type { LoadProgressCallback } from './load-progress.js';
import type { OrtRuntime } from '../runtime/runtime.js';
import type { CheckpointSpill } from '../tiling/checkpoint-storage.js';

export type ExecutionProviders = NonNullable<InferenceSession.SessionOptions['executionProviders']>;

/**
 * A platform's device names and the execution providers each maps to (one frozen table per platform, as
 * transformers.js keeps). `auto` tries `autoOrder` in turn; its last entry always starts and is the fallback.
 */
export interface DeviceTable<Device extends string> {
  /** Every accepted name, `auto` included. */
  readonly names: readonly Device[];
  /** Used when no device is given. */
  readonly default: Device;
  readonly providers: Readonly<Record<Exclude<Device, 'auto'>, ExecutionProviders>>;
  readonly autoOrder: readonly Exclude<Device, 'auto'>[];
}

/** Where a model's bytes are, once a reference has been resolved. */
export type ModelLocation = { kind: 'path'; path: string } | { kind: 'url'; url: string };

/** A platform's persistent store for downloaded models (a per-user folder, the Cache API). */
export interface ModelCache {
  /** The bytes kept for `url`, or undefined. */
  get(url: string): Promise<Uint8Array | undefined>;
  /** Keeps `bytes` for `url`; only ever called with complete, checked bytes. */
  put(url: string, bytes: Uint8Array): Promise<void>;
  delete(url: string): Promise<void>;
  /** Where `url` is kept, for messages (a file path, or the Cache API's name). */
  describe(url: string): string;
}

/** Options every platform's model store receives; a platform adds its own (model folders, base URLs, …). */
export interface ModelStoreContext<Options> {
  options: Options;
  signal: AbortSignal | undefined;
  onLoadProgress?: LoadProgressCallback;
}

/** A copy of a built-in model found on this machine (or served to it). */
export interface KeptModel {
  bytes: Uint8Array;
  /** Where it was, for messages. */
  where: string;
}

/**
 * Where model files come from on a platform. Core decides what a reference means (catalog name, URL, bytes);
 * the store knows the platform's files and caches.
 */
export interface ModelStore<Options> {
  /** The catalog of built-in names (node: bundled; web: served at the model base URL, checked by core). */
  catalog(context: ModelStoreContext<Options>): Promise<Catalog>;
  /**
   * A built-in model's file kept on this machine or served to it (node: the model folders, then the cache; web:
   * a served model folder, or the Cache API): the first copy that `accept` takes (it checks the sha256), or undefined.
   */
  readCatalogModel(file: string, context: ModelStoreContext<Options>, accept: (bytes: Uint8Array) => Promise<boolean>): Promise<KeptModel | undefined>;
  /**
   * An original file of a built-in model kept on this machine under the mirror's path (`OWNER/REPO/REF/PATH/FILE`;
   * node: in a model folder), converted on first use like a download; platforms without files omit it.
   */
  readSourceFile?(relativePath: string, options: Options): Promise<KeptModel | undefined>;
  /** Keeps a model converted on first use (node: `<cache>/models/<file>`, written atomically; web: the Cache API). */
  keepCatalogModel(file: string, bytes: Uint8Array, context: ModelStoreContext<Options>): Promise<void>;
  /** Where built-in models are looked for, for messages. */
  describeCatalogModels(options: Options): string;
  /** True when a built-in model folder holds `file` (for the full-VGG19 rule); platforms that cannot tell omit it. */
  hasCatalogFile?(file: string, options: Options): boolean;
  /** A string that is neither a catalog name nor an http(s) URL: a file path (node), a URL relative to the page (web). */
  locate(text: string): ModelLocation | undefined;
  /** Reads a local file (platforms without files omit it); one over `maxBytes` is E_MODEL_TOO_LARGE, unread. */
  readFile?(path: string, signal: AbortSignal | undefined, maxBytes: number): Promise<Uint8Array>;
  /** The persistent cache for URLs, when the options allow one. */
  cache(options: Options): ModelCache | undefined;
}

/**
 * Everything core needs from a platform (as onnxruntime-js' `Backend` and tfjs' `Platform`): the runtime,
 * its devices, image decoding, model files, the result type and how to warn. `@pastiche/node` and
 * `@pastiche/web` each supply one.
 */
export interface Platform<Image, Result, Device extends string, StoreOptions extends object> {
  /** The package, for messages. */
  readonly name: string;
  readonly runtime: OrtRuntime;
  readonly devices: DeviceTable<Device>;
  /** Process-wide defaults of the model settings (each adapter exports it as `env`); load options override them. */
  readonly env: Required<ModelSettings>;
  /**
   * Why `device` cannot start here, or undefined when it may. `forAuto` asks whether `auto` should use it
   * (a software WebGPU adapter runs, but `auto` prefers wasm to it).
   */
  probeDevice(device: Exclude<Device, 'auto'>, forAuto: boolean): Promise<string | undefined>;
  /** What to install or change to get `device`, appended to E_DEVICE_UNAVAILABLE. */
  deviceHint(device: Exclude<Device, 'auto'>): string;
  /**
   * Decodes an image to interleaved 8-bit pixels; throws TypeError for what is no image input at all, and
   * E_IMAGE_TOO_LARGE, from the header and before decoding or rasterising, for an image over `limits.maxPixels`.
   */
  decodeImage(input: Image, signal: AbortSignal | undefined, limits: ImageLimits): Promise<RawImage>;
  /** True for values `decodeImage` takes, so that arguments can be told apart before any work. */
  isImageInput(value: unknown): value is Image;
  /** What `decodeImage` accepts, for TypeErrors. */
  readonly imageInputs: string;
  readonly models: ModelStore<StoreOptions>;
  /** The names of the store's options, so that core can tell load options from run options. */
  readonly storeOptionKeys: readonly (keyof StoreOptions & string)[];
  /** Checks the store's options (types and values); called once, before any work. */
  checkStoreOptions(options: Partial<StoreOptions>): void;
  /**
   * Lowers extra byte-like model inputs (e.g. a Blob) to bytes; undefined when `value` is none of them. One over
   * `maxBytes` is E_MODEL_TOO_LARGE, unread.
   */
  modelBytes?(value: unknown, maxBytes: number): Promise<Uint8Array> | undefined;
  /** True for extra byte-like model inputs that `modelBytes` takes. */
  isModelBytes?(value: unknown): boolean;
  /** Hex SHA-256 (undefined where the platform cannot hash). @default Web Crypto's, where there is one (Node, secure pages) */
  sha256?(bytes: Uint8Array): Promise<string | undefined>;
  /** Called before the first session of a load, with the load options (e.g. onnxruntime-web's wasm settings). */
  beforeSessions?(options: Partial<StoreOptions>): void;
  /** Wraps a finished image in the platform's result type. */
  createResult(image: PlanarImage, info: StylizeInfo): Result;
  /**
   * Storage beside memory for the activations exact tiling caches between passes, for images whose activations do not
   * fit the memory budget (Node: files in a scratch folder). Without it such images recompute them instead.
   */
  readonly checkpointSpill?: CheckpointSpill;
  /** Per-iteration previews in the platform's image type. */
  previewImage?(image: PlanarImage): unknown;
  warn(message: string, code: string): void;
}

/** How an image was made. */
export interface StylizeInfo {
  /** Model name (catalog name or file name); `gatys:<loss network>` for the optimisation method. */
  model: string;
  /** Device or execution providers that ran it, e.g. `cpu`, `wasm`. */
  device: string;
  /** Wall time of the call in milliseconds (a one-shot call includes loading). */
  ms: number;
}
