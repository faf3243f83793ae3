import { PasticheError, describeValue } from '@pastiche/core';

/** The part of a `catalog.json` style entry the browser needs. */
export interface WebCatalogStyle {
  name: string;
  title: string;
  family: string;
  license: string;
  /** File name of the model inside the model folder. */
  file: string;
}

/** The part of a `catalog.json` loss-network entry (for the optimisation method) the browser needs. */
export interface WebCatalogLossNetwork {
  name: string;
  title: string;
  license: string;
  /** File name of the loss network inside the model folder. */
  file: string;
  /** Layers that content and style losses can use. */
  layers: string[];
}

export interface WebCatalog {
  default: string;
  styles: WebCatalogStyle[];
  /** Loss networks of the optimisation method; empty in catalogs that list none. */
  lossNetworks: WebCatalogLossNetwork[];
}

/** Where built-in models are served unless `modelBaseUrl` says otherwise. */
export const DEFAULT_MODEL_BASE_URL = '/models/';

export interface ModelBaseOptions {
  /**
   * URL of the folder that holds the built-in models and their `catalog.json` (what `npm run models` writes
   * to `models/onnx`), absolute or relative to the page (or worker script). @default DEFAULT_MODEL_BASE_URL
   */
  modelBaseUrl?: string;
}

/** `modelBaseUrl` as an absolute URL ending in `/`. */
export function modelBase(options: ModelBaseOptions = {}): string {
  const base = options.modelBaseUrl ?? DEFAULT_MODEL_BASE_URL;
  if (typeof base !== 'string' || base === '') {
    throw new TypeError(`Expected a URL string for modelBaseUrl but received ${describeValue(base)}`);
  }
  const absolute = new URL(base, globalThis.location?.href).href;
  return absolute.endsWith('/') ? absolute : `${absolute}/`;
}

const catalogs = new Map<string, Promise<WebCatalog>>();

async function fetchCatalog(url: string): Promise<WebCatalog> {
  let response: Response;
  try {
    response = await fetch(url);
  } catch (cause) {
    throw new PasticheError('E_MODEL_NOT_FOUND', `Could not read the style catalog ${url}: ${(cause as Error).message}.`, { cause });
  }
  if (!response.ok) {
    throw new PasticheError(
      'E_MODEL_NOT_FOUND',
      `Could not read the style catalog ${url}: HTTP ${response.status}. Serve the folder that \`npm run models\` fills ` +
        '(models/onnx, with catalog.json) and set modelBaseUrl to its URL.',
    );
  }
  const json = (await response.json().catch(() => undefined)) as Partial<WebCatalog> | undefined;
  if (!json || !Array.isArray(json.styles)) {
    throw new PasticheError('E_MODEL_NOT_FOUND', `${url} is not a Pastiche catalog: expected JSON with a "styles" array.`);
  }
  return { default: String(json.default ?? ''), styles: json.styles, lossNetworks: Array.isArray(json.lossNetworks) ? json.lossNetworks : [] };
}

/**
 * The built-in styles and loss networks served at `modelBaseUrl`, read from its `catalog.json` once per page (or worker)
 * and base URL.
 */
export function loadCatalog(options: ModelBaseOptions = {}): Promise<WebCatalog> {
  const url = `${modelBase(options)}catalog.json`;
  let catalog = catalogs.get(url);
  if (!catalog) {
    catalog = fetchCatalog(url);
    catalogs.set(url, catalog);
    catalog.catch(() => catalogs.delete(url));
  }
  return catalog;
}
