import { expectBoolean, expectString, fetchCatalog, type Catalog, type ModelCache, type ModelStore } from '@pastiche/core';

/** Where built-in models are served unless `modelBaseUrl` says otherwise. */
export const DEFAULT_MODEL_BASE_URL = '/models/';
/** The Cache API cache that holds downloaded models. */
export const MODEL_CACHE_NAME = 'pastiche-models';

/** Where the browser finds models. */
export interface ModelLocationOptions {
  /**
   * URL of the folder that holds the built-in models and their `catalog.json` (what `npm run models` writes to
   * `models/onnx`), absolute or relative to the page (or worker script). @default DEFAULT_MODEL_BASE_URL
   */
  modelBaseUrl?: string;
  /** Keep fetched models in the browser's Cache API (`pastiche-models`). @default true */
  cache?: boolean;
}

/** `modelBaseUrl` as an absolute URL ending in `/`. */
function modelBase(options: ModelLocationOptions): string {
  const absolute = new URL(options.modelBaseUrl ?? DEFAULT_MODEL_BASE_URL, globalThis.location?.href).href;
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

/** The browser's model files: built-in models served at `modelBaseUrl`, URLs, and the Cache API. */
export const webModelStore: ModelStore<ModelLocationOptions> = {
  catalog({ options, signal }) {
    const url = `${modelBase(options)}catalog.json`;
    let catalog = catalogs.get(url);
    if (!catalog) {
      catalog = fetchCatalog(url, signal);
      catalogs.set(url, catalog);
      catalog.catch(() => catalogs.delete(url));
    }
    return catalog;
  },
  catalogFile: async (file, { options }) => ({ kind: 'url', url: new URL(file, modelBase(options)).href }),
  locate: (text) => (looksLikeUrl(text) ? { kind: 'url', url: new URL(text, globalThis.location?.href).href } : undefined),
  // The Cache API stores http(s) requests only, in secure contexts.
  cache: (options) => (options.cache === false ? undefined : cacheApi()),
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
