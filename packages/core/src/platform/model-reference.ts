import { expectString, invalidType, invalidValue, isBytes, isString } from '../arguments.js';
import type { Catalog } from '../catalog/catalog-types.js';
import type { CatalogEntry } from '../catalog/catalog-types.js';
import { catalogFileFor, catalogNames, findCatalogEntry } from '../catalog/resolve-catalog-name.js';
import { isTfliteBytes, TFLITE_CONVERTER_VERSION } from '../converters/tflite/tflite-file.js';
import type { ModelSettings } from './model-settings.js';
import { modelTooLarge, PasticheError } from '../errors.js';
import type { LoadProgressCallback } from './load-progress.js';
import { downloadModel } from './model-download.js';
import type { ModelCache, ModelLocation, Platform } from './platform.js';
import { webCryptoSha256 } from './sha256.js';

/**
 * What a model argument names: a style network, a loss network, one of a pair of prebuilt gradient graphs, or a
 * network of the arbitrary-style method.
 */
export type ModelRole = 'style' | 'loss network' | 'gradient graph' | 'style predictor' | 'transfer network';

const PARAMS: Readonly<Record<ModelRole, string>> = {
  style: 'style',
  'loss network': 'lossNetwork',
  'gradient graph': 'gradientGraphs',
  'style predictor': 'predictor',
  'transfer network': 'transferNetwork',
};

/** A model argument, resolved: where its bytes come from and a key that identifies them for the session cache. */
export interface ModelReference {
  key: string;
  /** For results and messages: the catalog name or the file name without extension. */
  name: string;
  read(): Promise<Uint8Array>;
}

/** What reading a model may use: the platform store's options, the model settings, the checksum, abort and progress. */
export interface ReferenceContext<StoreOptions> {
  options: Partial<StoreOptions>;
  settings: Required<ModelSettings>;
  sha256: string | undefined;
  signal: AbortSignal | undefined;
  onLoadProgress: LoadProgressCallback | undefined;
}

type AnyPlatform<StoreOptions extends object> = Platform<unknown, unknown, string, StoreOptions>;

const isHttpUrl = (s: string) => /^https?:\/\//i.test(s);

/** Checks a model argument's type before any work (a loaded model is checked by the caller). */
export function checkModelArgument(platform: Pick<AnyPlatform<object>, 'isModelBytes'>, value: unknown, role: ModelRole): void {
  const expected = `a ${role} name, a path or URL of an .onnx or .tflite file, or its bytes`;
  if (isBytes(value) || value instanceof URL || platform.isModelBytes?.(value)) return;
  if (!isString(value)) throw invalidType(PARAMS[role], expected, value);
  if (value === '') throw invalidValue(PARAMS[role], expected, value);
}

function fileName(location: ModelLocation): string {
  const last = location.kind === 'url' ? decodeURIComponent(new URL(location.url).pathname.split('/').pop() ?? '') : location.path.split(/[\\/]/).pop()!;
  return last.replace(/\.(onnx|tflite)$/i, '') || 'model';
}

function unknownName(role: Exclude<ModelRole, 'gradient graph'>, text: string, catalog: Catalog): PasticheError {
  return new PasticheError(
    'E_MODEL_NOT_FOUND',
    `Unknown ${role} '${text}': expected a built-in ${role} (${catalogNames(catalog, role).join(', ')}), a path or URL of an .onnx or .tflite file, or its bytes.`,
  );
}

/**
 * A model's bytes as ONNX: a TensorFlow Lite file (told by its identifier `TFL3` at bytes 4–7, not by its name) is
 * converted here, with the converter imported on first use; anything else passes as it is.
 */
async function asOnnx(bytes: Uint8Array, name: string): Promise<Uint8Array> {
  if (!isTfliteBytes(bytes)) return bytes;
  const { convertTflite } = await import('../converters/tflite/convert-tflite.js');
  return convertTflite(bytes, { file: `${name}.tflite` });
}

/**
 * The cache key of the ONNX model converted from the TFLite file at `url`: the URL with `.onnx` added to its path and
 * the converter's version (and the expected sha256 of the file, when given) in its query, so that another converter
 * version, or another file, never reads it.
 */
export function convertedModelKey(url: string, sha256: string | undefined): string {
  const key = new URL(url);
  key.hash = '';
  key.pathname += '.onnx';
  key.searchParams.append('pastiche-converter', TFLITE_CONVERTER_VERSION);
  if (sha256) key.searchParams.append('sha256', sha256);
  return key.href;
}

/** A cache that keeps downloads as they are unless they are TFLite files, which are kept converted instead. */
function keepingOnnxOnly(cache: ModelCache): ModelCache {
  return { ...cache, put: async (url, bytes) => (isTfliteBytes(bytes) ? undefined : cache.put(url, bytes)) };
}

let anonymousBytes = 0;
const bytesIds = new WeakMap<object, string>();

async function bytesReference(platform: Pick<AnyPlatform<object>, 'sha256'>, source: object, bytes: Uint8Array, maxBytes: number): Promise<ModelReference> {
  // Before hashing: the cap downloads and files have.
  if (bytes.length > maxBytes) throw modelTooLarge('the model given as bytes', bytes.length, maxBytes);
  const hash = await (platform.sha256 ?? webCryptoSha256)(bytes);
  let key = hash && `sha256:${hash}`;
  if (!key) {
    // Without a hash (an insecure page), the same bytes object still shares its session.
    key = bytesIds.get(source) ?? `bytes:${++anonymousBytes}`;
    bytesIds.set(source, key);
  }
  const name = typeof (source as { name?: unknown }).name === 'string' ? fileName({ kind: 'path', path: (source as { name: string }).name }) : 'model';
  return { key, name, read: () => asOnnx(bytes, name) };
}

function locationReference<StoreOptions extends object>(
  platform: AnyPlatform<StoreOptions>,
  location: ModelLocation,
  name: string,
  context: ReferenceContext<StoreOptions>,
): ModelReference {
  if (location.kind === 'path') {
    const readFile = platform.models.readFile;
    if (!readFile) throw new PasticheError('E_MODEL_NOT_FOUND', `${platform.name} cannot read files; pass a URL or the model's bytes.`);
    return { key: `file:${location.path}`, name, read: async () => asOnnx(await readFile(location.path, context.signal, context.settings.maxModelBytes), name) };
  }
  const { url } = location;
  const { onLoadProgress: onProgress } = context;
  return {
    key: `url:${url}#sha256=${context.sha256 ?? ''}`,
    name,
    async read() {
      const cache = platform.models.cache(context.options as StoreOptions);
      const convertedKey = convertedModelKey(url, context.sha256);
      const converted = await cache?.get(convertedKey).catch(() => undefined);
      if (converted) {
        onProgress?.({ status: 'initiate', name, url });
        onProgress?.({ status: 'download', name, url, cached: true });
        onProgress?.({ status: 'progress', name, url, loaded: converted.length, total: converted.length, progress: 100 });
        onProgress?.({ status: 'done', name, url, bytes: converted.length });
        return converted;
      }
      const bytes = await downloadModel(url, {
        name,
        sha256: context.sha256,
        cache: cache && keepingOnnxOnly(cache),
        hash: platform.sha256 ?? webCryptoSha256,
        signal: context.signal,
        onProgress,
        stallMs: context.settings.downloadStallTimeout,
        maxBytes: context.settings.maxModelBytes,
      });
      if (!isTfliteBytes(bytes)) return bytes;
      const onnx = await asOnnx(bytes, name);
      await cache?.put(convertedKey, onnx);
      return onnx;
    },
  };
}

function catalogEntryFor(catalog: Catalog, role: Exclude<ModelRole, 'gradient graph'>, name: string): CatalogEntry | undefined {
  return findCatalogEntry(catalog, role, name);
}

/**
 * A built-in model: the copy on this machine (or served to it) whose sha256 is the catalog's, else, on first use,
 * the original files fetched from `remoteHost`, converted, checked and kept for next time. A file outside the
 * catalog (the full VGG19) must be on hand.
 */
function builtInReference<StoreOptions extends object>(
  platform: AnyPlatform<StoreOptions>,
  entry: CatalogEntry | undefined,
  builtIn: { name: string; file: string },
  context: ReferenceContext<StoreOptions>,
): ModelReference {
  const { name, file } = builtIn;
  const store = platform.models;
  const hash = platform.sha256 ?? webCryptoSha256;
  const storeContext = { options: context.options as StoreOptions, signal: context.signal, onLoadProgress: context.onLoadProgress };
  return {
    key: `builtin:${file}#sha256=${entry?.onnx.sha256 ?? ''}`,
    name,
    async read() {
      const accept = async (bytes: Uint8Array) => !entry || (await hash(bytes)) === entry.onnx.sha256;
      const kept = await store.readCatalogModel(file, storeContext, accept);
      if (kept) return kept.bytes;
      const where = store.describeCatalogModels(context.options as StoreOptions);
      if (!entry) {
        throw new PasticheError('E_MODEL_NOT_FOUND', `${file} is in none of: ${where}. Export it first (see the README), or set modelDir to its folder.`);
      }
      // Imported on first use: most loads find the model on hand.
      const { fetchAndConvert } = await import('./catalog-model.js');
      const bytes = await fetchAndConvert(entry, {
        remoteHost: context.settings.remoteHost,
        allowRemote: context.settings.allowRemoteModels,
        readLocal: store.readSourceFile && ((path) => store.readSourceFile!(path, context.options as StoreOptions)),
        where,
        stallMs: context.settings.downloadStallTimeout,
        hash,
        signal: context.signal,
        onProgress: context.onLoadProgress,
      });
      await store.keepCatalogModel(file, bytes, storeContext);
      return bytes;
    },
  };
}

/**
 * Resolves a model argument (checked by {@link checkModelArgument}): bytes, a URL, a built-in name (through the
 * catalog, with the loss networks' aliases and the full-VGG19 rule) or whatever the platform locates (a path,
 * a page-relative URL). Reads nothing but the catalog.
 */
export async function resolveModelReference<StoreOptions extends object>(
  platform: AnyPlatform<StoreOptions>,
  value: unknown,
  role: ModelRole,
  context: ReferenceContext<StoreOptions>,
): Promise<ModelReference> {
  const { maxModelBytes } = context.settings;
  if (isBytes(value)) return bytesReference(platform, value, value instanceof Uint8Array ? value : new Uint8Array(value), maxModelBytes);
  const extra = platform.modelBytes?.(value, maxModelBytes);
  if (extra) return bytesReference(platform, value as object, await extra, maxModelBytes);
  const text = value instanceof URL ? value.href : expectString(PARAMS[role], value);
  if (isHttpUrl(text)) return locationReference(platform, { kind: 'url', url: text }, fileName({ kind: 'url', url: text }), context);
  const store = platform.models;
  const storeContext = { options: context.options as StoreOptions, signal: context.signal };
  if (role !== 'gradient graph') {
    const catalog = await store.catalog(storeContext);
    const builtIn = catalogFileFor(catalog, role, text, store.hasCatalogFile && ((file) => store.hasCatalogFile!(file, context.options as StoreOptions)));
    if (builtIn) return builtInReference(platform, catalogEntryFor(catalog, role, builtIn.name), builtIn, context);
    const location = store.locate(text);
    if (!location) throw unknownName(role, text, catalog);
    return locationReference(platform, location, fileName(location), context);
  }
  const location = store.locate(text);
  if (!location) throw invalidValue(PARAMS[role], 'a path or URL of an .onnx file, or ONNX bytes', text);
  return locationReference(platform, location, fileName(location), context);
}
