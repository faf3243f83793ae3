import { join } from 'node:path';
import { METADATA_KEYS } from '../../packages/core/src/models/metadata-keys.js';
import { encodeModel, type ModelProto } from '../../packages/core/src/onnx/index.js';
import type { CatalogLossNetwork } from '../catalog.js';
import type { LossNetworkInfo } from '../../packages/core/src/converters/loss-network.js';
import { importSqueezeNetNcnn, SQUEEZENET_IMPORTER_VERSION } from '../../packages/core/src/converters/squeezenet-ncnn.js';
import { importVgg19Tfjs, VGG19_TFJS_IMPORTER_VERSION, type TfjsLayersModelJson } from '../../packages/core/src/converters/vgg19-tfjs.js';
import { BUILD_STAMP_KEY, isUpToDate, writeModel, type BuildResult } from './build-style.js';
import { readStyleFiles, sha256Hex, type ModelSource } from './model-sources.js';

interface Importer {
  version: string;
  run(files: Map<string, Uint8Array>, info: LossNetworkInfo): ModelProto;
}

function required(files: Map<string, Uint8Array>, name: string): Uint8Array {
  const bytes = files.get(name);
  if (!bytes) throw new Error(`The catalog lists no source file ${name}`);
  return bytes;
}

const IMPORTERS: Record<CatalogLossNetwork['family'], Importer> = {
  'squeezenet-ncnn': {
    version: SQUEEZENET_IMPORTER_VERSION,
    run: (files, info) => {
      const param = [...files.keys()].find((name) => name.endsWith('.param'));
      const bin = [...files.keys()].find((name) => name.endsWith('.bin'));
      if (!param || !bin || files.size !== 2) throw new Error('Expected the catalog to list one .param and one .bin file');
      return importSqueezeNetNcnn({ param: required(files, param), bin: required(files, bin) }, info);
    },
  },
  'vgg19-tfjs': {
    version: VGG19_TFJS_IMPORTER_VERSION,
    // Shards the catalog does not list (the later layers of a partial copy) read as missing.
    run: (files, info) =>
      importVgg19Tfjs(
        { model: JSON.parse(new TextDecoder().decode(required(files, 'model.json'))) as TfjsLayersModelJson, read: (path) => files.get(path) },
        info,
      ),
  },
};

/** Importer version and source checksums: changes to either make the model out of date. */
export function lossNetworkStamp(net: CatalogLossNetwork): string {
  const sources = net.source.files.map((f) => `${f.name}:${f.sha256}`).join('\n');
  return `${IMPORTERS[net.family].version} sources-sha256:${sha256Hex(new TextEncoder().encode(sources))}`;
}

/**
 * Converts one catalog loss network into `outDir/<net.file>` unless it is up to date; throws when the
 * converted model's layers differ from the catalog's.
 */
export async function buildLossNetwork(net: CatalogLossNetwork, source: ModelSource, outDir: string, force = false): Promise<BuildResult> {
  const path = join(outDir, net.file);
  const stamp = lossNetworkStamp(net);
  if (!force && (await isUpToDate(path, stamp))) return { path, status: 'up to date', bytes: 0 };

  const files = await readStyleFiles(source, net);
  const info: LossNetworkInfo = {
    name: net.name,
    title: net.title,
    license: net.license,
    source: `${net.source.repository}/tree/${net.source.ref}/${net.source.path}`,
  };
  const model = IMPORTERS[net.family].run(files, info);
  const layers = model.metadataProps[METADATA_KEYS.layers];
  if (layers !== net.layers.join(',')) throw new Error(`The converted model has layers ${layers} but the catalog lists ${net.layers.join(',')}`);
  model.metadataProps[BUILD_STAMP_KEY] = stamp;
  const bytes = encodeModel(model);
  await writeModel(outDir, net.file, bytes);
  return { path, status: 'built', bytes: bytes.byteLength };
}
