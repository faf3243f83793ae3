import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The schema of models/onnx/catalog.json, as the build scripts read it. */

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const CATALOG_PATH = join(REPO_ROOT, 'models', 'onnx', 'catalog.json');

export type StyleFamily = 'pytorch-examples' | 'ml5';

export interface SourceFile {
  name: string;
  /** Lower-case hex SHA-256 of the file's bytes. */
  sha256: string;
}

export interface StyleSource {
  /** `https://github.com/OWNER/REPO`. */
  repository: string;
  /** Branch or tag the files are read from. */
  ref: string;
  /** Folder of the files inside the repository. */
  path: string;
  files: SourceFile[];
  /** Folder of the same files under ../shared/assets. */
  assets: string;
}

export interface CatalogStyle {
  name: string;
  title: string;
  family: StyleFamily;
  /** SPDX identifier or short licence text. */
  license: string;
  /** File name of the converted model in models/onnx. */
  file: string;
  conventions: { layout: 'NCHW'; range: '0-255'; channelOrder: 'RGB'; sizeMultiple: number };
  source: StyleSource;
}

export type LossNetworkFamily = 'squeezenet-ncnn' | 'vgg19-tfjs';

/** A pretrained network whose feature maps give the content and style losses of the optimisation path. */
export interface CatalogLossNetwork {
  name: string;
  title: string;
  family: LossNetworkFamily;
  /** SPDX identifier or short licence text. */
  license: string;
  /** File name of the converted model in models/onnx. */
  file: string;
  /** The selectable layer tensors of the converted model, in network order. */
  layers: string[];
  source: StyleSource;
}

/** Anything built from source files: a style or a loss network. */
export type CatalogEntry = CatalogStyle | CatalogLossNetwork;

export interface Catalog {
  version: 1;
  /** Name of the style used when none is given. */
  default: string;
  styles: CatalogStyle[];
  lossNetworks: CatalogLossNetwork[];
}

const FAMILIES: readonly string[] = ['pytorch-examples', 'ml5'];
const LOSS_NETWORK_FAMILIES: readonly string[] = ['squeezenet-ncnn', 'vgg19-tfjs'];

/** Reads and checks the catalog; throws with the path and the faulty entry on a malformed one. */
export function loadCatalog(path = CATALOG_PATH): Catalog {
  const catalog = JSON.parse(readFileSync(path, 'utf8')) as Catalog;
  const fail = (what: string) => {
    throw new Error(`Malformed catalog ${path}: ${what}`);
  };
  if (catalog.version !== 1) fail(`expected version 1 but found ${JSON.stringify(catalog.version)}`);
  if (!Array.isArray(catalog.styles)) fail('expected a styles array');
  catalog.lossNetworks ??= [];
  if (!Array.isArray(catalog.lossNetworks)) fail('expected lossNetworks to be an array');
  const names = new Set<string>();
  const check = (what: string, s: CatalogEntry, families: readonly string[]) => {
    if (names.has(s.name)) fail(`duplicate ${what} name ${s.name}`);
    names.add(s.name);
    if (!families.includes(s.family)) fail(`${what} ${s.name} has unknown family ${JSON.stringify(s.family)}`);
    if (!/^https:\/\/github\.com\/[^/]+\/[^/]+$/.test(s.source?.repository ?? '')) fail(`${what} ${s.name} needs source.repository https://github.com/OWNER/REPO`);
    if (!s.source.files?.length) fail(`${what} ${s.name} lists no source files`);
    for (const f of s.source.files) if (!/^[0-9a-f]{64}$/.test(f.sha256)) fail(`${what} ${s.name} file ${f.name} has no valid sha256`);
  };
  for (const s of catalog.styles) check('style', s, FAMILIES);
  for (const n of catalog.lossNetworks) {
    check('loss network', n, LOSS_NETWORK_FAMILIES);
    if (!n.layers?.length) fail(`loss network ${n.name} lists no layers`);
  }
  if (!catalog.styles.some((s) => s.name === catalog.default)) fail(`default style ${JSON.stringify(catalog.default)} is not listed`);
  return catalog;
}

/** `OWNER/REPO` of a style's source repository. */
export function repositorySlug(source: StyleSource): string {
  return source.repository.replace(/^https:\/\/github\.com\//, '');
}
