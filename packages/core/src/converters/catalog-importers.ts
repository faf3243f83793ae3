import type { ArbitraryNetworkFamily, CatalogEntry, LossNetworkFamily, StyleFamily } from '../catalog/catalog-types.js';
import { METADATA_KEYS } from '../models/metadata-keys.js';
import type { ModelProto } from '../onnx/index.js';
import { convertError, parseJsonFile } from './convert-error.js';
import type { LossNetworkInfo } from './loss-network.js';
import { importMl5Checkpoint, ML5_IMPORTER_VERSION, type Ml5Manifest } from './ml5-checkpoint.js';
import { importNcnnTransformerNet, NCNN_IMPORTER_VERSION } from './ncnn-transformer-net.js';
import { importSqueezeNetNcnn, SQUEEZENET_IMPORTER_VERSION } from './squeezenet-ncnn.js';
import type { StyleInfo } from './style-metadata.js';
import { importTflite, TFLITE_CONVERTER_VERSION } from './tflite/convert-tflite.js';
import { importVgg19Tfjs, VGG19_TFJS_IMPORTER_VERSION, type TfjsLayersModelJson } from './vgg19-tfjs.js';

/** The importer of one catalog family: its version and how it reads the entry's files. */
export interface CatalogImporter {
  /** Goes into the `pastiche.build` stamp, so a new version makes earlier models out of date. */
  version: string;
  /**
   * Builds the model. `files` holds exactly the files the entry lists, checked against their sha256; the
   * importer takes them in `entry.source.files` order, never the map's, so the result does not depend on it.
   */
  run(entry: CatalogEntry, files: ReadonlyMap<string, Uint8Array>, info: StyleInfo & LossNetworkInfo): ModelProto;
}

const listed = (entry: CatalogEntry) => entry.source.files.map((f) => f.name);

/** The bytes of a file the importer needs; names the file when the catalog does not list it. */
function required(files: ReadonlyMap<string, Uint8Array>, name: string, by: string): Uint8Array {
  const bytes = files.get(name);
  if (!bytes) throw convertError(name, `${by} needs this file but the catalog does not list it`);
  return bytes;
}

/** The one listed file whose name ends with `extension`. */
function oneWithExtension(entry: CatalogEntry, extension: string): string {
  const matches = listed(entry).filter((name) => name.endsWith(extension));
  if (matches.length !== 1) {
    throw convertError(listed(entry).join(', '), `Expected the catalog to list one ${extension} file but it lists ${matches.length}`);
  }
  return matches[0];
}

/** `pastiche.kind` of the arbitrary-style method's networks, by catalog role. */
export const ARBITRARY_NETWORK_KINDS = Object.freeze({ predictor: 'style-predictor', transfer: 'arbitrary-style-transfer' } as const);

/** One importer per catalog family (the families of the catalog's lists never share a name). */
export const CATALOG_IMPORTERS: Readonly<Record<StyleFamily | LossNetworkFamily | ArbitraryNetworkFamily, CatalogImporter>> = Object.freeze({
  'pytorch-examples': {
    version: NCNN_IMPORTER_VERSION,
    run: (entry, files, info) => {
      const names = listed(entry);
      if (names.length !== 1) throw convertError(names.join(', '), `Expected the catalog to list one ncnn .bin but it lists ${names.length} files`);
      return importNcnnTransformerNet(files.get(names[0])!, info, names[0]);
    },
  },
  ml5: {
    version: ML5_IMPORTER_VERSION,
    run: (entry, files, info) => {
      const manifest = parseJsonFile('manifest.json', required(files, 'manifest.json', 'The ml5 importer')) as Ml5Manifest;
      return importMl5Checkpoint({ manifest, read: (name) => required(files, name, 'manifest.json') }, info);
    },
  },
  'squeezenet-ncnn': {
    version: SQUEEZENET_IMPORTER_VERSION,
    run: (entry, files, info) => {
      if (listed(entry).length !== 2) throw convertError(listed(entry).join(', '), `Expected the catalog to list one .param and one .bin file`);
      const names = { param: oneWithExtension(entry, '.param'), bin: oneWithExtension(entry, '.bin') };
      return importSqueezeNetNcnn({ param: files.get(names.param)!, bin: files.get(names.bin)!, names }, info);
    },
  },
  'vgg19-tfjs': {
    version: VGG19_TFJS_IMPORTER_VERSION,
    run: (entry, files, info) => {
      const model = parseJsonFile('model.json', required(files, 'model.json', 'The VGG19 TF.js importer')) as TfjsLayersModelJson;
      // Shards the catalog does not list (the later layers of a partial copy) read as missing.
      return importVgg19Tfjs({ model, read: (path) => files.get(path) }, info);
    },
  },
  tflite: {
    version: TFLITE_CONVERTER_VERSION,
    run: (entry, files, info) => {
      const names = listed(entry);
      if (names.length !== 1) throw convertError(names.join(', '), `Expected the catalog to list one .tflite file but it lists ${names.length} files`);
      const k = METADATA_KEYS;
      const metadata: Record<string, string> = { [k.name]: info.name, [k.title]: info.title, [k.source]: info.source, [k.license]: info.license };
      if ('role' in entry) metadata[k.kind] = ARBITRARY_NETWORK_KINDS[entry.role];
      return importTflite(files.get(names[0])!, { file: names[0], metadata });
    },
  },
});
