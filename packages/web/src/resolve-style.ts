import { LOSS_NETWORK_ALIASES, PasticheError, StyleModel, describeValue } from '@pastiche/core';
import type { LoadProgressCallback } from './load-progress.js';
import { loadCatalog, modelBase, type ModelBaseOptions, type WebCatalog } from './model-catalog.js';
import { fetchModel, sha256Hex } from './model-fetch.js';

/**
 * A style: a built-in style name (`'candy'`), a URL of an `.onnx` file (absolute, or relative to the page),
 * ONNX bytes (also a `Blob`/`File`), or a loaded model.
 */
export type StyleInput = string | URL | Uint8Array | ArrayBuffer | Blob | StyleModel;

export interface ResolveStyleOptions extends ModelBaseOptions {
  /** Expected sha256 (hex) of a model fetched by URL or name. */
  sha256?: string;
  /** Keep fetched models in the browser's Cache API (`pastiche-models`). @default true */
  cache?: boolean;
  /** Model download and session progress. */
  onLoadProgress?: LoadProgressCallback;
}

/** Where a model's bytes come from, with a key that identifies them for the session cache. */
export interface StyleReference {
  key: string;
  name: string;
  readBytes(): Promise<Uint8Array>;
}

/** Models of one kind (style networks, loss networks, gradient graphs): how arguments name them. */
export interface ModelKind {
  /** For messages: `style`, `loss network`. */
  noun: string;
  /** The parameter that takes it, for messages. */
  param: string;
  /** What the parameter accepts, for the TypeError. */
  accepts: string;
  /** Built-in names in the catalog; without it, every string is a URL. */
  catalog?: {
    names(catalog: WebCatalog): string[];
    find(catalog: WebCatalog, name: string): { name: string; file: string } | undefined;
  };
}

export const STYLE_MODELS: ModelKind = {
  noun: 'style',
  param: 'style',
  accepts: 'a style name, a URL of an .onnx file, ONNX bytes (Uint8Array, ArrayBuffer, Blob) or a StyleModel',
  catalog: {
    names: (catalog) => catalog.styles.map((s) => s.name),
    find: (catalog, name) => catalog.styles.find((s) => s.name === name),
  },
};

/** Loss networks: `squeezenet`, `vgg19` and the catalog's `lossNetworks` names. */
export const LOSS_NETWORKS: ModelKind = {
  noun: 'loss network',
  param: 'lossNetwork',
  accepts: 'a loss network name, a URL of an .onnx file or ONNX bytes (Uint8Array, ArrayBuffer, Blob)',
  catalog: {
    names: (catalog) => [...Object.keys(LOSS_NETWORK_ALIASES), ...catalog.lossNetworks.map((n) => n.name)],
    find: (catalog, name) => catalog.lossNetworks.find((n) => n.name === (LOSS_NETWORK_ALIASES[name] ?? name)),
  },
};

const hasScheme = (s: string) => /^[a-z][a-z0-9+.-]*:/i.test(s);
const looksLikeUrl = (s: string) => hasScheme(s) || s.includes('/') || s.toLowerCase().endsWith('.onnx');

function fileName(url: string): string {
  const last = new URL(url).pathname.split('/').pop() ?? '';
  return decodeURIComponent(last).replace(/\.onnx$/i, '') || 'model';
}

let anonymousBytes = 0;
const bytesIds = new WeakMap<object, string>();

/** Content key for bytes: their sha256, or (without Web Crypto) the object's identity. */
async function bytesKey(source: object, bytes: Uint8Array): Promise<string> {
  const hash = await sha256Hex(bytes);
  if (hash) return `sha256:${hash}`;
  let id = bytesIds.get(source);
  if (!id) bytesIds.set(source, (id = `bytes:${++anonymousBytes}`));
  return id;
}

function checkSha256(sha256: unknown): void {
  if (sha256 !== undefined && (typeof sha256 !== 'string' || !/^[0-9a-f]{64}$/i.test(sha256))) {
    throw new TypeError(`Expected 64 hex digits for sha256 but received ${describeValue(sha256)}`);
  }
}

/** Finds where a model (anything but a loaded one) comes from; fetches nothing but the catalog. */
export async function resolveStyleReference(
  style: Exclude<StyleInput, StyleModel>,
  options: ResolveStyleOptions = {},
  kind: ModelKind = STYLE_MODELS,
): Promise<StyleReference> {
  checkSha256(options.sha256);
  if (style instanceof Uint8Array || style instanceof ArrayBuffer) {
    const bytes = style instanceof Uint8Array ? style : new Uint8Array(style);
    return { key: await bytesKey(style, bytes), name: 'model', readBytes: async () => bytes };
  }
  if (typeof Blob !== 'undefined' && style instanceof Blob) {
    const bytes = new Uint8Array(await style.arrayBuffer());
    const name = typeof File !== 'undefined' && style instanceof File ? style.name.replace(/\.onnx$/i, '') || 'model' : 'model';
    return { key: await bytesKey(style, bytes), name, readBytes: async () => bytes };
  }
  const text = style instanceof URL ? style.href : style;
  if (typeof text !== 'string' || text === '') {
    throw new TypeError(`Expected ${kind.accepts} for ${kind.param} but received ${describeValue(style)}`);
  }
  const fetchOptions = (name: string) => ({ name, sha256: options.sha256, cache: options.cache, onLoadProgress: options.onLoadProgress });
  if (!kind.catalog || looksLikeUrl(text)) {
    const url = new URL(text, globalThis.location?.href).href;
    const name = fileName(url);
    return { key: `url:${url}#sha256=${options.sha256 ?? ''}`, name, readBytes: () => fetchModel(url, fetchOptions(name)) };
  }
  const catalog = await loadCatalog(options);
  const entry = kind.catalog.find(catalog, text);
  if (!entry) {
    throw new PasticheError(
      'E_MODEL_NOT_FOUND',
      `Unknown ${kind.noun} '${text}': expected a built-in ${kind.noun} (${kind.catalog.names(catalog).join(', ')}), ` +
        'a URL of an .onnx file, or ONNX bytes.',
    );
  }
  const url = new URL(entry.file, modelBase(options)).href;
  return { key: `url:${url}#sha256=${options.sha256 ?? ''}`, name: entry.name, readBytes: () => fetchModel(url, fetchOptions(entry.name)) };
}
