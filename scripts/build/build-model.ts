import { existsSync } from 'node:fs';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BUILD_STAMP_KEY, buildStamp, convertCatalogEntry } from '../../packages/core/src/converters/index.js';
import { decodeModel } from '../../packages/core/src/onnx/index.js';
import type { CatalogEntry } from '../catalog.js';
import { readStyleFiles, type ModelSource } from './model-sources.js';

/**
 * One model of `npm run models`: read the entry's source files, convert them with core's
 * convertCatalogEntry (@pastiche/core/converters), write the result. The conversion itself is core's.
 */

/** True when `path` is a model whose `pastiche.build` stamp is `stamp`. */
export async function isUpToDate(path: string, stamp: string): Promise<boolean> {
  if (!existsSync(path)) return false;
  try {
    return decodeModel(new Uint8Array(await readFile(path))).metadataProps[BUILD_STAMP_KEY] === stamp;
  } catch {
    return false; // an unreadable model is rebuilt
  }
}

export interface BuildResult {
  path: string;
  status: 'built' | 'up to date';
  bytes: number;
}

/**
 * Converts one catalog style or loss network into `outDir/<entry.file>` unless it is up to date (its build
 * stamp matches). The model is written to a temporary file and renamed, so a failure never leaves a partial
 * model behind.
 */
export async function buildModel(entry: CatalogEntry, source: ModelSource, outDir: string, force = false): Promise<BuildResult> {
  const path = join(outDir, entry.file);
  if (!force && (await isUpToDate(path, await buildStamp(entry)))) return { path, status: 'up to date', bytes: 0 };
  const bytes = await convertCatalogEntry(entry, await readStyleFiles(source, entry));
  await writeModel(outDir, entry.file, bytes);
  return { path, status: 'built', bytes: bytes.byteLength };
}

/** Writes `outDir/file` through a temporary file and a rename, so a failure never leaves a partial model. */
export async function writeModel(outDir: string, file: string, bytes: Uint8Array): Promise<void> {
  // Named *.onnx so that git ignores it even if the process dies before the rename.
  const temp = join(outDir, `.tmp-${process.pid}-${file}`);
  try {
    await writeFile(temp, bytes);
    await rename(temp, join(outDir, file));
  } finally {
    await rm(temp, { force: true });
  }
}
