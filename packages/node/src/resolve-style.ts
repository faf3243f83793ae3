import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';
import { PasticheError, StyleModel, describeValue } from '@pastiche/core';
import { CATALOG, findCatalogStyle, knownSha256 } from './catalog.js';
import { cacheDirectory, modelSearchPath, type ModelLocationOptions } from './model-locations.js';
import { fetchModel, sha256Hex } from './model-download.js';

/** A style: a catalog name (`'candy'`), a path or URL to an `.onnx` file, ONNX bytes, or a loaded model. */
export type StyleInput = string | URL | Uint8Array | ArrayBuffer | StyleModel;

export interface ResolveStyleOptions extends ModelLocationOptions {
  /** Expected sha256 (hex) of a model given by URL; the catalog's is used when it knows the URL. */
  sha256?: string;
}

/** Where a model's bytes come from, with a key that identifies them for the session cache. */
export interface StyleReference {
  key: string;
  /** Reads (or downloads) the model; called only when no cached session has the key. */
  readBytes(): Promise<Uint8Array>;
  /** Name for results: the catalog name or the file name without extension. */
  name: string;
}

const isUrl = (s: string) => /^https?:\/\//i.test(s);
const looksLikePath = (s: string) => /[\\/]/.test(s) || extname(s).toLowerCase() === '.onnx';

function notFound(name: string, dirs: string[], file: string): PasticheError {
  return new PasticheError(
    'E_MODEL_NOT_FOUND',
    `'${name}' is built in, but ${file} is in none of: ${dirs.join(', ')}. ` +
      'Run `npm run models` in the Pastiche repository, or set PASTICHE_MODELS (or the modelDir option) to a folder holding it.',
  );
}

/** Built-in models of one kind: how names resolve to files. */
export interface ModelKind {
  /** `style` or `loss network`, for messages. */
  noun: string;
  names: readonly string[];
  /** The file of a built-in name, or undefined when the name is not built in. */
  fileOf(name: string, options: ModelLocationOptions): string | undefined;
}

export const STYLE_MODELS: ModelKind = {
  noun: 'style',
  names: CATALOG.styles.map((s) => s.name),
  fileOf: (name) => findCatalogStyle(name)?.file,
};

function unknownModel(value: string, kind: ModelKind): PasticheError {
  return new PasticheError(
    'E_MODEL_NOT_FOUND',
    `Unknown ${kind.noun} '${value}': expected a built-in ${kind.noun} (${kind.names.join(', ')}), ` +
      'a path to an .onnx file, an http(s) URL, or ONNX bytes.',
  );
}

async function readModelFile(path: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (cause) {
    throw new PasticheError('E_MODEL_NOT_FOUND', `Could not read model file '${path}': ${(cause as Error).message}`, { cause });
  }
}

/** Finds where a model (anything but a loaded one) comes from, without reading it yet. */
export function resolveStyleReference(
  style: Exclude<StyleInput, StyleModel>,
  options: ResolveStyleOptions = {},
  kind: ModelKind = STYLE_MODELS,
): StyleReference {
  if (style instanceof Uint8Array || style instanceof ArrayBuffer) {
    const bytes = style instanceof Uint8Array ? style : new Uint8Array(style);
    return { key: `sha256:${sha256Hex(bytes)}`, name: 'model', readBytes: async () => bytes };
  }
  const text = style instanceof URL ? style.href : style;
  if (typeof text !== 'string' || text === '') {
    throw new TypeError(
      `Expected a ${kind.noun} name, a path or URL to an .onnx file, or ONNX bytes for ${kind.noun} but received ${describeValue(style)}`,
    );
  }
  if (isUrl(text)) {
    const sha256 = options.sha256 ?? knownSha256(text);
    return {
      key: `url:${text}#sha256=${sha256 ?? ''}`,
      name: basename(new URL(text).pathname, '.onnx'),
      readBytes: () => fetchModel(text, cacheDirectory(options), sha256),
    };
  }
  const file = looksLikePath(text) ? undefined : kind.fileOf(text, options);
  if (file) {
    const dirs = modelSearchPath(options);
    const dir = dirs.find((d) => existsSync(join(d, file)));
    if (!dir) throw notFound(text, dirs, file);
    const path = join(dir, file);
    return { key: `file:${path}`, name: basename(file, '.onnx'), readBytes: () => readModelFile(path) };
  }
  if (looksLikePath(text) || existsSync(text)) {
    const path = resolve(text);
    return { key: `file:${path}`, name: basename(path, extname(path)), readBytes: () => readModelFile(path) };
  }
  throw unknownModel(text, kind);
}
