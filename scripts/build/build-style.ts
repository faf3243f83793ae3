import { existsSync } from 'node:fs';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeModel, encodeModel, type ModelProto } from '../../packages/core/src/onnx/index.js';
import type { CatalogStyle } from '../catalog.js';
import { importMl5Checkpoint, ML5_IMPORTER_VERSION, type Ml5Manifest } from '../../packages/core/src/converters/ml5-checkpoint.js';
import { importNcnnTransformerNet, NCNN_IMPORTER_VERSION } from '../../packages/core/src/converters/ncnn-transformer-net.js';
import type { StyleInfo } from '../../packages/core/src/converters/style-metadata.js';
import { readStyleFiles, sha256Hex, type ModelSource } from './model-sources.js';

/** Metadata key holding what a model was built from; a model whose stamp matches is up to date. */
export const BUILD_STAMP_KEY = 'pastiche.build';

interface Importer {
  version: string;
  run(files: Map<string, Uint8Array>, info: StyleInfo): ModelProto;
}

const IMPORTERS: Record<CatalogStyle['family'], Importer> = {
  'pytorch-examples': {
    version: NCNN_IMPORTER_VERSION,
    run: (files, info) => importNcnnTransformerNet(only(files), info),
  },
  ml5: {
    version: ML5_IMPORTER_VERSION,
    run: (files, info) =>
      importMl5Checkpoint(
        {
          manifest: JSON.parse(new TextDecoder().decode(required(files, 'manifest.json'))) as Ml5Manifest,
          read: (name) => required(files, name),
        },
        info,
      ),
  },
};

function only(files: Map<string, Uint8Array>): Uint8Array {
  if (files.size !== 1) throw new Error(`Expected one source file but the catalog lists ${files.size}`);
  return [...files.values()][0];
}

function required(files: Map<string, Uint8Array>, name: string): Uint8Array {
  const bytes = files.get(name);
  if (!bytes) throw new Error(`The catalog lists no source file ${name}`);
  return bytes;
}

/** Importer version and source checksums: changes to either make the model out of date. */
export function buildStamp(style: CatalogStyle): string {
  const sources = style.source.files.map((f) => `${f.name}:${f.sha256}`).join('\n');
  return `${IMPORTERS[style.family].version} sources-sha256:${sha256Hex(new TextEncoder().encode(sources))}`;
}

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
 * Converts one catalog style into `outDir/<style.file>` unless it is up to date. The model is written to a
 * temporary file and renamed, so a failure never leaves a partial model behind.
 */
export async function buildStyle(style: CatalogStyle, source: ModelSource, outDir: string, force = false): Promise<BuildResult> {
  const path = join(outDir, style.file);
  const stamp = buildStamp(style);
  if (!force && (await isUpToDate(path, stamp))) return { path, status: 'up to date', bytes: 0 };

  const files = await readStyleFiles(source, style);
  const info: StyleInfo = {
    name: style.name,
    title: style.title,
    license: style.license,
    source: `${style.source.repository}/tree/${style.source.ref}/${style.source.path}`,
  };
  const model = IMPORTERS[style.family].run(files, info);
  model.metadataProps[BUILD_STAMP_KEY] = stamp;
  const bytes = encodeModel(model);
  await writeModel(outDir, style.file, bytes);
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
