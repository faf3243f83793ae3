import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUILTIN_CATALOG, PasticheError, expectOptions, expectString, modelTooLarge, type ModelCache, type ModelStore } from '@pastiche/core';
import { writeFileAtomic } from './atomic-write.js';

/** Where models live on this machine. */
export interface ModelLocationOptions {
  /**
   * Folder holding built-in models (`candy.onnx`, …), searched before env PASTICHE_MODELS and the cache. Without
   * PASTICHE_MODELS, a checkout of the Pastiche repository also searches its models/onnx. It may also hold a built-in
   * model's original weights under the mirror's paths (`nihui/ncnn-android-styletransfer/master/app/src/main/assets/
   * candy.bin`, as `remoteHost` serves them): they are converted on first use, with no network.
   */
  modelDir?: string;
  /** Per-user cache for downloaded models. @default env PASTICHE_CACHE, then $XDG_CACHE_HOME/pastiche or ~/.cache/pastiche */
  cacheDir?: string;
}

export const MODEL_LOCATION_KEYS = ['modelDir', 'cacheDir'] as const;

/** Checks `modelDir` and `cacheDir` (the options object too: the model functions take it directly). */
export function checkModelLocations(options: ModelLocationOptions): void {
  const o = expectOptions<ModelLocationOptions>('options', options);
  for (const key of MODEL_LOCATION_KEYS) if (o[key] !== undefined) expectString(key, o[key], 'a folder path');
}

/** The per-user cache folder. */
export function cacheDirectory(options: ModelLocationOptions = {}): string {
  if (options.cacheDir) return resolve(options.cacheDir);
  if (process.env.PASTICHE_CACHE) return resolve(process.env.PASTICHE_CACHE);
  return join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'pastiche');
}

/** `models/onnx` of the Pastiche repository this package runs from, when it runs from one. */
function repositoryModelDir(): string | undefined {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; ) {
    const candidate = join(dir, 'models', 'onnx');
    if (existsSync(join(candidate, 'catalog.json'))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** Folders searched for built-in models, in order. */
export function modelSearchPath(options: ModelLocationOptions = {}): string[] {
  const dirs = [
    options.modelDir && resolve(options.modelDir),
    // PASTICHE_MODELS names the one shared folder: it replaces the repository's models/onnx.
    process.env.PASTICHE_MODELS ? resolve(process.env.PASTICHE_MODELS) : repositoryModelDir(),
    join(cacheDirectory(options), 'models'),
  ];
  return [...new Set(dirs.filter((d): d is string => Boolean(d)))];
}

/** Cache file for a URL: a hash of the URL keeps different URLs with the same file name apart. */
export function cachedModelPath(cacheDir: string, url: string): string {
  const name = basename(new URL(url).pathname) || 'model.onnx';
  return join(cacheDir, 'models', 'url', `${createHash('sha256').update(url).digest('hex').slice(0, 16)}-${name}`);
}

/** Downloaded models as files in the per-user cache, written atomically. */
function fileCache(cacheDir: string): ModelCache {
  return {
    describe: (url) => cachedModelPath(cacheDir, url),
    async get(url) {
      const path = cachedModelPath(cacheDir, url);
      return existsSync(path) ? new Uint8Array(await readFile(path)) : undefined;
    },
    async put(url, bytes) {
      const path = cachedModelPath(cacheDir, url);
      try {
        await mkdir(dirname(path), { recursive: true });
        await writeFileAtomic(path, bytes);
      } catch (cause) {
        throw new PasticheError('E_IO', `Could not keep ${url} in the model cache at ${path}: ${(cause as Error).message}. Set cacheDir (or PASTICHE_CACHE) to a writable folder.`, {
          cause,
        });
      }
    },
    delete: (url) => rm(cachedModelPath(cacheDir, url), { force: true }),
  };
}

const looksLikePath = (s: string) => /[\\/]/.test(s) || ['.onnx', '.tflite'].includes(extname(s).toLowerCase());

/** Node's model files: built-in models in model folders, paths, and a per-user cache for URLs. */
export const nodeModelStore: ModelStore<ModelLocationOptions> = {
  catalog: async () => BUILTIN_CATALOG,
  async readCatalogModel(file, { options }, accept) {
    for (const dir of modelSearchPath(options)) {
      const path = join(dir, file);
      if (!existsSync(path)) continue;
      const bytes = new Uint8Array(await readFile(path));
      if (await accept(bytes)) return { bytes, where: path };
    }
    return undefined;
  },
  async readSourceFile(relativePath, options) {
    for (const dir of modelSearchPath(options)) {
      const path = join(dir, ...relativePath.split('/'));
      if (existsSync(path)) return { bytes: new Uint8Array(await readFile(path)), where: path };
    }
    return undefined;
  },
  async keepCatalogModel(file, bytes, { options }) {
    const dir = join(cacheDirectory(options), 'models');
    try {
      await mkdir(dir, { recursive: true });
      await writeFileAtomic(join(dir, file), bytes);
    } catch (cause) {
      throw new PasticheError('E_IO', `Could not keep ${file} in the model cache ${dir}: ${(cause as Error).message}. Set cacheDir (or PASTICHE_CACHE) to a writable folder.`, {
        cause,
      });
    }
  },
  describeCatalogModels: (options) => modelSearchPath(options).join(', '),
  hasCatalogFile: (file, options) => modelSearchPath(options).some((dir) => existsSync(join(dir, file))),
  locate: (text) => (looksLikePath(text) || existsSync(text) ? { kind: 'path', path: resolve(text) } : undefined),
  async readFile(path, _signal, maxBytes) {
    try {
      // The size first: a file over the cap is refused unread.
      const { size } = await stat(path);
      if (size > maxBytes) throw modelTooLarge(`model file '${path}'`, size, maxBytes);
      return new Uint8Array(await readFile(path));
    } catch (cause) {
      if (cause instanceof PasticheError) throw cause;
      throw new PasticheError('E_MODEL_NOT_FOUND', `Could not read model file '${path}': ${(cause as Error).message}`, { cause });
    }
  },
  cache: (options) => fileCache(cacheDirectory(options)),
};
