import type { CatalogEntry, CatalogSourceFile } from '../catalog/catalog-types.js';
import { PasticheError } from '../errors.js';
import type { LoadProgressCallback } from './load-progress.js';
import { downloadModel } from './model-download.js';

export { DEFAULT_REMOTE_HOST, type ModelSettings } from './model-settings.js';

/** The URL of one source file of a catalog entry under `host`, GitHub's raw-file layout. */
export function sourceFileUrl(host: string, entry: CatalogEntry, file: CatalogSourceFile): string {
  const { repository, ref, path } = entry.source;
  const slug = repository.replace(/^https:\/\/github\.com\//, '');
  return `${host.replace(/\/+$/, '')}/${slug}/${ref}/${path}/${encodeURIComponent(file.name)}`;
}

export interface FetchAndConvertOptions {
  remoteHost: string;
  stallMs: number;
  hash: (bytes: Uint8Array) => Promise<string | undefined>;
  signal: AbortSignal | undefined;
  onProgress: LoadProgressCallback | undefined;
  /** Downloads at once (ml5 checkpoints have 49 files). @default 6 */
  concurrency?: number;
}

/**
 * A catalog entry's model from its original public files: each downloaded and checked against the catalog's
 * sha256, converted by core's converter, and the result checked against the catalog's sha256 of the converted
 * model. Nothing is cached here; the caller keeps the result.
 */
export async function fetchAndConvert(entry: CatalogEntry, options: FetchAndConvertOptions): Promise<Uint8Array> {
  const files = new Map<string, Uint8Array>();
  const queue = [...entry.source.files];
  const worker = async () => {
    for (let file = queue.shift(); file; file = queue.shift()) {
      const bytes = await downloadModel(sourceFileUrl(options.remoteHost, entry, file), {
        name: `${entry.name}/${file.name}`,
        sha256: file.sha256,
        cache: undefined,
        hash: options.hash,
        signal: options.signal,
        onProgress: options.onProgress,
        stallMs: options.stallMs,
      });
      files.set(file.name, bytes);
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.concurrency ?? 6, queue.length) }, worker));
  // Imported on first use: an app whose models are all on hand never loads the converters.
  const { convertCatalogEntry } = await import('../converters/index.js');
  const model = await convertCatalogEntry(entry, files);
  const actual = await options.hash(model);
  if (actual !== entry.onnx.sha256) {
    throw new PasticheError(
      'E_MODEL_CHECKSUM',
      `Converting '${entry.name}' gave a model with sha256 ${actual} but the catalog expects ${entry.onnx.sha256}: ` +
        'this version of @pastiche/core converts it differently from the one that wrote the catalog. Update @pastiche/core.',
    );
  }
  return model;
}

/** E_MODEL_NOT_FOUND for a built-in model that is not on this machine while the network is off limits. */
export function offlineError(name: string, file: string, where: string): PasticheError {
  return new PasticheError(
    'E_MODEL_NOT_FOUND',
    `Built-in model '${name}' (${file}) is not on this machine (looked in ${where}) and allowRemoteModels is false. ` +
      `Run \`npx pastiche models pull ${name}\` where the network is reachable and copy the cache folder here, or set ` +
      `modelDir to a folder holding ${file}.`,
  );
}
