import { invalidType, isObject } from '../arguments.js';
import { ARBITRARY_NETWORK_FAMILIES, STYLE_FAMILIES, type CatalogEntry } from '../catalog/catalog-types.js';
import { PasticheError } from '../errors.js';
import { METADATA_KEYS } from '../models/metadata-keys.js';
import { encodeModel } from '../onnx/index.js';
import { CATALOG_IMPORTERS, type CatalogImporter } from './catalog-importers.js';
import { sha256Hex } from './sha256-hex.js';

/** Metadata key holding what a model was built from (see {@link buildStamp}); a model whose stamp matches is up to date. */
export const BUILD_STAMP_KEY = 'pastiche.build';

/** `style 'candy'`, `loss network 'squeezenet1.1'` or `arbitrary-style network 'magenta-predictor'`, as parseCatalog names entries. */
function describeEntry(entry: CatalogEntry): string {
  const is = (families: readonly string[]) => families.includes(entry.family);
  const kind = is(STYLE_FAMILIES) ? 'style' : is(ARBITRARY_NETWORK_FAMILIES) ? 'arbitrary-style network' : 'loss network';
  return `${kind} '${entry.name}'`;
}

function importerFor(entry: CatalogEntry): CatalogImporter {
  const importer = Object.hasOwn(CATALOG_IMPORTERS, entry.family) ? CATALOG_IMPORTERS[entry.family] : undefined;
  if (!importer) {
    throw new PasticheError('E_CONVERT', `Cannot convert '${entry.name}': no converter for family ${JSON.stringify(entry.family)} (known: ${Object.keys(CATALOG_IMPORTERS).join(', ')})`);
  }
  return importer;
}

function checkEntry(entry: unknown): asserts entry is CatalogEntry {
  const files = isObject(entry) && isObject(entry.source) ? entry.source.files : undefined;
  if (!isObject(entry) || typeof entry.name !== 'string' || typeof entry.family !== 'string' || !Array.isArray(files)) {
    throw invalidType('entry', 'a catalog style or loss network { name, family, source: { files } }', entry);
  }
}

/**
 * The `pastiche.build` stamp of an entry's model: the importer's version and a SHA-256 over the sha256 of the
 * listed source files, e.g. `ncnn-transformer-net/1 sources-sha256:<hex>`. A change to either makes an
 * earlier model out of date. Async for Web Crypto.
 * @throws PasticheError `E_CONVERT` for a family no converter knows.
 */
export async function buildStamp(entry: CatalogEntry): Promise<string> {
  checkEntry(entry);
  const sources = entry.source.files.map((f) => `${f.name}:${f.sha256}`).join('\n');
  return `${importerFor(entry).version} sources-sha256:${await sha256Hex(new TextEncoder().encode(sources))}`;
}

/** The names of a list, shortened for messages. */
const nameList = (names: readonly string[]) => (names.length > 4 ? `${names.slice(0, 3).join(', ')}, … (${names.length} files)` : names.join(', '));

/**
 * Converts the source files of a catalog style, loss network or arbitrary-style network (their upstream weights: an
 * ncnn .bin, a deeplearn.js checkpoint, a .param and .bin, a TF.js layers model, a .tflite flatbuffer) into the entry's ONNX model, the bytes
 * `npm run models` writes to models/onnx/<entry.file>. Runtime-agnostic: Node ≥ 20, browsers, workers.
 *
 * The importer is picked by `entry.family`; the model carries the catalog's name, title, licence and source
 * URL as `pastiche.*` metadata and the {@link buildStamp} under `pastiche.build`. The same files always give
 * the same bytes (the catalog's `onnx.sha256` is the SHA-256 of this result).
 *
 * @param files file name → bytes: exactly the files `entry.source.files` lists, in any order.
 * @throws PasticheError, each message naming the entry and, where one is at fault, the file:
 *   - `E_CONVERT`: a listed file missing, an unlisted one present, or a file the importer cannot read
 *     (truncated or overlong weights, JSON that does not parse, an unsupported layer), or a loss network
 *     whose layers differ from the catalog's;
 *   - `E_MODEL_CHECKSUM`: a file whose SHA-256 is not the catalog's.
 * @throws TypeError when `entry` is not a catalog entry or `files` not a Map of Uint8Array.
 */
export async function convertCatalogEntry(entry: CatalogEntry, files: ReadonlyMap<string, Uint8Array>): Promise<Uint8Array> {
  checkEntry(entry);
  if (!(files instanceof Map)) throw invalidType('files', 'a Map of file name → Uint8Array', files);
  for (const [name, bytes] of files) {
    if (!(bytes instanceof Uint8Array)) throw invalidType(`files.get(${JSON.stringify(name)})`, 'a Uint8Array', bytes);
  }
  const what = describeEntry(entry);
  const importer = importerFor(entry);

  const names = entry.source.files.map((f) => f.name);
  const missing = names.filter((name) => !files.has(name));
  const unlisted = [...files.keys()].filter((name) => !names.includes(name)).sort();
  if (missing.length || unlisted.length) {
    const problems = [missing.length && `${nameList(missing)} missing`, unlisted.length && `${nameList(unlisted)} not listed`].filter(Boolean);
    throw new PasticheError('E_CONVERT', `Cannot convert ${what}: expected the files the catalog lists (${nameList(names)}) but got ${problems.join(' and ')}`);
  }
  const actual = await Promise.all(entry.source.files.map((f) => sha256Hex(files.get(f.name)!)));
  entry.source.files.forEach((f, i) => {
    if (actual[i] !== f.sha256) {
      throw new PasticheError('E_MODEL_CHECKSUM', `Cannot convert ${what}: ${f.name} has sha256 ${actual[i]} but the catalog lists ${f.sha256}`);
    }
  });

  const info = {
    name: entry.name,
    title: entry.title,
    license: entry.license,
    source: `${entry.source.repository}/tree/${entry.source.ref}/${entry.source.path}`,
  };
  let model;
  try {
    model = importer.run(entry, files, info);
  } catch (cause) {
    const code = cause instanceof PasticheError ? cause.code : 'E_CONVERT';
    throw new PasticheError(code, `Cannot convert ${what}: ${(cause as Error)?.message ?? String(cause)}`, { cause });
  }
  if ('layers' in entry) {
    const layers = model.metadataProps[METADATA_KEYS.layers];
    if (layers !== entry.layers.join(',')) {
      throw new PasticheError('E_CONVERT', `Cannot convert ${what}: the converted model has layers ${layers} but the catalog lists ${entry.layers.join(',')}`);
    }
  }
  model.metadataProps[BUILD_STAMP_KEY] = await buildStamp(entry);
  return encodeModel(model);
}
