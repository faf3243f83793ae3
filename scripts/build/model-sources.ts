import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { repositorySlug, type CatalogEntry, type CatalogSourceFile } from '../catalog.js';

/** Where `npm run models` reads source weights from: a local copy of the assets, or the web. */
export interface ModelSource {
  /** For messages, e.g. `local assets ../shared/assets`. */
  readonly description: string;
  /** The bytes of one source file of a style or loss network, verified against its catalog sha256. */
  read(style: CatalogEntry, file: CatalogSourceFile): Promise<Uint8Array>;
}

export const DEFAULT_FETCH_BASE = 'https://raw.githubusercontent.com';

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function verified(bytes: Uint8Array, file: CatalogSourceFile, where: string): Uint8Array {
  const actual = sha256Hex(bytes);
  if (actual !== file.sha256) {
    throw new Error(`Checksum mismatch for ${where}: expected sha256 ${file.sha256} (packages/core/src/catalog/catalog.json) but got ${actual}`);
  }
  return bytes;
}

/** Files under `dir`/<style.source.assets>/ (the layout of ../shared/assets). */
export function localSource(dir: string): ModelSource {
  return {
    description: `local assets ${dir}`,
    async read(style, file) {
      const path = join(dir, style.source.assets, file.name);
      return verified(new Uint8Array(await readFile(path)), file, path);
    },
  };
}

/** `${base}/${owner}/${repo}/${ref}/${path}/${file}`, GitHub's raw-file URL layout. */
export function sourceUrl(base: string, style: CatalogEntry, file: CatalogSourceFile): string {
  const { ref, path } = style.source;
  return `${base.replace(/\/+$/, '')}/${repositorySlug(style.source)}/${ref}/${path}/${encodeURIComponent(file.name)}`;
}

export function httpSource(base: string): ModelSource {
  return {
    description: base,
    async read(style, file) {
      const url = sourceUrl(base, style, file);
      let response: Response;
      try {
        response = await fetch(url);
      } catch (err) {
        throw new Error(`Could not download ${url}: ${(err as Error).message}`, { cause: err });
      }
      if (!response.ok) throw new Error(`Could not download ${url}: HTTP ${response.status} ${response.statusText}`);
      return verified(new Uint8Array(await response.arrayBuffer()), file, url);
    },
  };
}

/** Reads every source file of a style, at most `concurrency` at a time (ml5 styles have 49 files). */
export async function readStyleFiles(source: ModelSource, style: CatalogEntry, concurrency = 8): Promise<Map<string, Uint8Array>> {
  const files = new Map<string, Uint8Array>();
  const queue = [...style.source.files];
  const worker = async () => {
    for (let file = queue.shift(); file; file = queue.shift()) files.set(file.name, await source.read(style, file));
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, queue.length) }, worker));
  return files;
}
