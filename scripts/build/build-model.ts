import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { convertCatalogEntry } from '../../packages/core/src/converters/index.js';
import type { CatalogEntry } from '../catalog.js';
import { readStyleFiles, type ModelSource } from './model-sources.js';

/**
 * One model of `npm run models`: read the entry's source files, convert them with core's
 * convertCatalogEntry (@pastiche/core/converters), write the result. The conversion itself is core's.
 */

/**
 * True when `path` holds exactly the model the catalog lists for `entry` (its `onnx.sha256`). A build stamp alone is
 * not enough: a catalog change the stamp does not cover (a source ref, a title) changes the model's metadata, hence
 * its bytes, and a stale copy would then fail the checksum where apps load it.
 */
export async function isUpToDate(path: string, entry: CatalogEntry): Promise<boolean> {
  if (!existsSync(path)) return false;
  return createHash('sha256').update(await readFile(path)).digest('hex') === entry.onnx.sha256;
}

export interface BuildResult {
  path: string;
  status: 'built' | 'up to date';
  bytes: number;
}

/**
 * Converts one catalog style or loss network into `outDir/<entry.file>` unless it is up to date (the catalog's
 * sha256). The model is written to a temporary file and renamed, so a failure never leaves a partial
 * model behind.
 */
export async function buildModel(entry: CatalogEntry, source: ModelSource, outDir: string, force = false): Promise<BuildResult> {
  const path = join(outDir, entry.file);
  if (!force && (await isUpToDate(path, entry))) return { path, status: 'up to date', bytes: 0 };
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
