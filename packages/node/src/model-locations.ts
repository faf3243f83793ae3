import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Options that say where models live. */
export interface ModelLocationOptions {
  /** Folder holding catalog models (`candy.onnx`, …). @default env PASTICHE_MODELS, then the repository's models/onnx */
  modelDir?: string;
  /** Per-user cache for downloaded models. @default env PASTICHE_CACHE, then $XDG_CACHE_HOME/pastiche or ~/.cache/pastiche */
  cacheDir?: string;
}

/** The per-user cache folder. */
export function cacheDirectory(options: ModelLocationOptions = {}): string {
  if (options.cacheDir) return resolve(options.cacheDir);
  if (process.env.PASTICHE_CACHE) return resolve(process.env.PASTICHE_CACHE);
  const base = process.env.XDG_CACHE_HOME || join(homedir(), '.cache');
  return join(base, 'pastiche');
}

/** `models/onnx` of the Pastiche repository this package runs from, when it runs from one. */
export function repositoryModelDir(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'models', 'onnx');
    if (existsSync(join(candidate, 'catalog.json'))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** Folders searched for catalog models, in order. */
export function modelSearchPath(options: ModelLocationOptions = {}): string[] {
  const dirs = [
    options.modelDir && resolve(options.modelDir),
    process.env.PASTICHE_MODELS && resolve(process.env.PASTICHE_MODELS),
    repositoryModelDir(),
    join(cacheDirectory(options), 'models'),
  ];
  return [...new Set(dirs.filter((d): d is string => Boolean(d)))];
}
