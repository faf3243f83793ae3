import {
  downloadModel,
  expectBoolean,
  expectString,
  fetchCatalog,
  loadBuiltinCatalog,
  webCryptoSha256,
  type Catalog,
  type ModelCache,
  type ModelStore,
} from '@pastiche/core';

/** The Cache API cache that holds downloaded models. */
export const MODEL_CACHE_NAME = 'pastiche-models';
/** Cache API keys of built-in models converted in the page (the Cache API keys by http(s) URL). */
const KEPT_MODELS = 'https://pastiche.invalid/models/';

/** Where the browser finds models. */
export interface ModelLocationOptions {
  /**
   * URL of a folder serving converted built-in models and their `catalog.json` (what `npm run models` writes to
   * `models/onnx`), absolute or relative to the page (or worker script). Without it, built-in models are made in
   * the page on first use from their original public files (see `remoteHost`) and kept in the Cache API.
   * @default undefined
   */
  modelBaseUrl?: string;
  /** Keep fetched models in the browser's Cache API (`pastiche-models`). @default true */
  cache?: boolean;
}

/** `modelBaseUrl` as an absolute URL ending in `/`. */
function modelBase(modelBaseUrl: string): string {
  const absolute = new URL(modelBaseUrl, globalThis.location?.href).href;
  return absolute.endsWith('/') ? absolute : `${absolute}/`;
}

export function checkModelLocations(options: ModelLocationOptions): void {
  if (options.modelBaseUrl !== undefined) expectString('modelBaseUrl', options.modelBaseUrl, 'a URL string');
  if (options.cache !== undefined) expectBoolean('cache', options.cache);
}

const catalogs = new Map<string, Promise<Catalog>>();

let warnedCacheWrite = false;

/** Downloaded models in the Cache API; where it is missing or blocked, models are simply fetched again. */
function cacheApi(): ModelCache | undefined {
  if (typeof caches === 'undefined') return undefined;
  const open = () => caches.open(MODEL_CACHE_NAME);
  return {
    describe: (url) => `the Cache API cache '${MODEL_CACHE_NAME}' entry ${url}`,
    async get(url) {
      const response = await (await open()).match(url);
      return response ? new Uint8Array(await response.arrayBuffer()) : undefined;
    },
    async put(url, bytes) {
      const stored = new Response(bytes as Uint8Array<ArrayBuffer>, {
        headers: { 'content-type': 'application/octet-stream', 'content-length': String(bytes.length) },
      });
      await (await open()).put(url, stored).catch((error: unknown) => {
        if (warnedCacheWrite) return;
        warnedCacheWrite = true;
        console.warn(`Pastiche could not keep ${url} in the Cache API (${(error as Error).message}); models will be downloaded again next time.`);
      });
    },
    async delete(url) {
      await (await open()).delete(url);
    },
  };
}

const hasScheme = (s: string) => /^[a-z][a-z0-9+.-]*:/i.test(s);
const looksLikeUrl = (s: string) => hasScheme(s) || s.includes('/') || /\.(onnx|tflite)$/i.test(s);

const cacheFor = (options: ModelLocationOptions) => (options.cache === false ? undefined : cacheApi());

/** The browser's model files: built-in models served at `modelBaseUrl` or made in the page, URLs, and the Cache API. */
export const webModelStore: ModelStore<ModelLocationOptions> = {
  catalog({ options, signal }) {
    if (options.modelBaseUrl === undefined) return loadBuiltinCatalog();
    const url = `${modelBase(options.modelBaseUrl)}catalog.json`;
    let catalog = catalogs.get(url);
    if (!catalog) {
      catalog = fetchCatalog(url, signal);
      catalogs.set(url, catalog);
      catalog.catch(() => catalogs.delete(url));
    }
    return catalog;
  },
  async readCatalogModel(file, { options, signal, onLoadProgress }, accept) {
    if (options.modelBaseUrl !== undefined) {
      const url = new URL(file, modelBase(options.modelBaseUrl)).href;
      const bytes = await downloadModel(url, { name: file.replace(/\.onnx$/, ''), sha256: undefined, cache: cacheFor(options), hash: webCryptoSha256, signal, onProgress: onLoadProgress });
      return (await accept(bytes)) ? { bytes, where: url } : undefined;
    }
    const bytes = await cacheFor(options)?.get(KEPT_MODELS + file).catch(() => undefined);
    return bytes && (await accept(bytes)) ? { bytes, where: `the Cache API ('${MODEL_CACHE_NAME}')` } : undefined;
  },
  async keepCatalogModel(file, bytes, { options }) {
    await cacheFor(options)?.put(KEPT_MODELS + file, bytes);
  },
  describeCatalogModels: (options) => (options.modelBaseUrl === undefined ? `the Cache API ('${MODEL_CACHE_NAME}')` : modelBase(options.modelBaseUrl)),
  locate: (text) => (looksLikeUrl(text) ? { kind: 'url', url: new URL(text, globalThis.location?.href).href } : undefined),
  // The Cache API stores http(s) requests only, in secure contexts.
  cache: cacheFor,
};

/** Deletes every model Pastiche kept in the Cache API. Resolves to false where there was nothing to delete. */
export async function clearModelCache(): Promise<boolean> {
  if (typeof caches === 'undefined') return false;
  return caches.delete(MODEL_CACHE_NAME);
}

/** The catalog of built-in styles and loss networks served at `modelBaseUrl`, fetched once per page and checked. */
export function loadCatalog(options: ModelLocationOptions = {}): Promise<Catalog> {
  checkModelLocations(options);
  return webModelStore.catalog({ options, signal: undefined });
}
