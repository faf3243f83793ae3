import type { CatalogEntry, CatalogSourceFile } from '../catalog/catalog-types.js';
import type { KeptModel } from './platform.js';
import { PasticheError } from '../errors.js';
import type { LoadProgressCallback } from './load-progress.js';
import { downloadModel } from './model-download.js';

export { DEFAULT_REMOTE_HOST, type ModelSettings } from './model-settings.js';

/** Where one source file of a catalog entry is under a mirror, GitHub's raw-file layout: `OWNER/REPO/REF/PATH/FILE`. */
export function sourceFilePath(entry: CatalogEntry, file: CatalogSourceFile): string {
  const { repository, ref, path } = entry.source;
  const slug = repository.replace(/^https:\/\/github\.com\//, '');
  return `${slug}/${ref}/${path}/${file.name}`;
}

/** The URL of one source file of a catalog entry under `host`. */
export function sourceFileUrl(host: string, entry: CatalogEntry, file: CatalogSourceFile): string {
  const relative = sourceFilePath(entry, file).split('/').map(encodeURIComponent).join('/');
  return `${host.replace(/\/+$/, '')}/${relative}`;
}

export interface FetchAndConvertOptions {
  remoteHost: string;
  /** False: only original files already on this machine (`readLocal`) are used; a missing one is E_MODEL_NOT_FOUND. */
  allowRemote: boolean;
  /** An original file kept on this machine under the mirror's path (a model folder), looked at before the network. */
  readLocal: ((relativePath: string) => Promise<KeptModel | undefined>) | undefined;
  /** Where built-in models and original files are looked for, for the offline error. */
  where: string;
  stallMs: number;
  hash: (bytes: Uint8Array) => Promise<string | undefined>;
  signal: AbortSignal | undefined;
  onProgress: LoadProgressCallback | undefined;
  /** Downloads at once (ml5 checkpoints have 49 files). @default 6 */
  concurrency?: number;
}

/**
 * A catalog entry's model from its original public files: each read from a model folder that holds it under the
 * mirror's path, else downloaded, and checked against the catalog's sha256; then converted by core's converter,
 * and the result checked against the catalog's sha256 of the converted model. Nothing is cached here; the caller
 * keeps the result.
 */
export async function fetchAndConvert(entry: CatalogEntry, options: FetchAndConvertOptions): Promise<Uint8Array> {
  const files = new Map<string, Uint8Array>();
  const local = await readLocalSources(entry, options);
  const queue = entry.source.files.filter((file) => !local.has(file.name));
  if (queue.length > 0 && !options.allowRemote) {
    throw offlineError(entry.name, entry.file, options.where, options.readLocal && sourceFilePath(entry, queue[0]!));
  }
  for (const [name, bytes] of local) files.set(name, bytes);
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

/** The entry's original files found on this machine, each checked against the catalog's sha256. */
async function readLocalSources(entry: CatalogEntry, options: FetchAndConvertOptions): Promise<Map<string, Uint8Array>> {
  const found = new Map<string, Uint8Array>();
  if (!options.readLocal) return found;
  for (const file of entry.source.files) {
    const kept = await options.readLocal(sourceFilePath(entry, file));
    if (!kept) continue;
    const actual = await options.hash(kept.bytes);
    if (actual !== file.sha256) {
      throw new PasticheError(
        'E_MODEL_CHECKSUM',
        `${kept.where} has sha256 ${actual} but '${entry.name}' needs ${file.name} with sha256 ${file.sha256}: ` +
          'replace it with the original file, or delete it to download the original.',
      );
    }
    found.set(file.name, kept.bytes);
  }
  return found;
}

/**
 * E_MODEL_NOT_FOUND for a built-in model that is not on this machine while the network is off limits.
 * `missingSource`: the first original file a model folder could have held instead (platforms with files).
 */
export function offlineError(name: string, file: string, where: string, missingSource?: string): PasticheError {
  const weights = missingSource ? ` (or its original weights, e.g. ${missingSource} under that folder)` : '';
  return new PasticheError(
    'E_MODEL_NOT_FOUND',
    `Built-in model '${name}' (${file}) is not on this machine (looked in ${where}) and allowRemoteModels is false. ` +
      `Run \`npx pastiche models pull ${name}\` where the network is reachable and copy the cache folder here, or set ` +
      `modelDir to a folder holding ${file}${weights}.`,
  );
}
