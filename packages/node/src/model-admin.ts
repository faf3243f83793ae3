import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import {
  BUILTIN_CATALOG,
  PasticheError,
  expectArray,
  expectString,
  findCatalogArbitraryNetwork,
  findCatalogLossNetwork,
  findCatalogStyle,
  invalidValue,
  resolveMaxModelBytes,
  resolveModelReference,
  type CatalogEntry,
  type LoadProgressCallback,
  type ModelSettings,
} from '@pastiche/core';
import { env } from './env.js';
import { cacheDirectory, checkModelLocations, modelSearchPath, type ModelLocationOptions } from './model-store.js';
import { nodePlatform } from './node-platform.js';

/*
 * Managing the built-in models on this machine (what `pastiche models` runs): which are here, fetching them ahead
 * of time, checking and clearing the cache. A copy counts only when its sha256 is the catalog's `onnx.sha256`,
 * as when a model is loaded.
 */

/**
 * What a catalog entry is: a style network of the fast method, a loss network of the optimisation method, or the
 * arbitrary method's style predictor or transfer network.
 */
export type BuiltInModelKind = 'style' | 'loss network' | 'style predictor' | 'transfer network';

const ARBITRARY_KINDS = { predictor: 'style predictor', transfer: 'transfer network' } as const;

export interface BuiltInModel {
  kind: BuiltInModelKind;
  entry: CatalogEntry;
}

/** Every entry of the built-in catalog: the styles, the loss networks, then the arbitrary-style networks, in catalog order. */
export function builtInModels(): BuiltInModel[] {
  return [
    ...BUILTIN_CATALOG.styles.map((entry) => ({ kind: 'style' as const, entry })),
    ...BUILTIN_CATALOG.lossNetworks.map((entry) => ({ kind: 'loss network' as const, entry })),
    ...BUILTIN_CATALOG.arbitraryNetworks.map((entry) => ({ kind: ARBITRARY_KINDS[entry.role], entry })),
  ];
}

/** The catalog entry of a built-in name: a style, a loss network by name or alias (`squeezenet`), or an arbitrary-style network. */
export function findBuiltInModel(name: string): BuiltInModel | undefined {
  const style = findCatalogStyle(BUILTIN_CATALOG, name);
  if (style) return { kind: 'style', entry: style };
  const network = findCatalogLossNetwork(BUILTIN_CATALOG, name);
  if (network) return { kind: 'loss network', entry: network };
  const arbitrary = findCatalogArbitraryNetwork(BUILTIN_CATALOG, name);
  return arbitrary && { kind: ARBITRARY_KINDS[arbitrary.role], entry: arbitrary };
}

/** Every name {@link findBuiltInModel} knows, for messages. */
export function builtInModelNames(): string[] {
  return builtInModels().map((m) => m.entry.name);
}

function builtInModel(name: unknown, what = 'name'): BuiltInModel {
  const found = findBuiltInModel(expectString(what, name, 'a built-in model name'));
  if (!found) throw invalidValue(what, `a built-in model name (${builtInModelNames().join(', ')})`, name);
  return found;
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** The folder of the per-user cache that holds built-in models (`<cacheDir>/models`). */
export function cachedModelsFolder(options: ModelLocationOptions = {}): string {
  return join(cacheDirectory(options), 'models');
}

/** Where models are: the cache folder, its models folder, and every folder searched for built-in models, in order. */
export interface ModelPaths {
  cache: string;
  models: string;
  searchPath: string[];
}

export function modelPaths(options: ModelLocationOptions = {}): ModelPaths {
  checkModelLocations(options);
  return { cache: cacheDirectory(options), models: cachedModelsFolder(options), searchPath: modelSearchPath(options) };
}

/** The copy a load would use: the first file in the search path whose sha256 is the catalog's. */
async function verifiedCopy(entry: CatalogEntry, options: ModelLocationOptions): Promise<string | undefined> {
  for (const dir of modelSearchPath(options)) {
    const path = join(dir, entry.file);
    if (existsSync(path) && sha256(await readFile(path)) === entry.onnx.sha256) return path;
  }
  return undefined;
}

/** One catalog entry and whether a verified copy is on this machine. */
export interface BuiltInModelStatus {
  kind: BuiltInModelKind;
  name: string;
  title: string;
  license: string;
  /** File name inside a model folder. */
  file: string;
  /** Size of the converted model (the catalog's `onnx.bytes`). */
  bytes: number;
  /** A copy whose sha256 is the catalog's is in a model folder or the cache. */
  cached: boolean;
  /** The folder of that copy (the one a load reads), or undefined. */
  folder: string | undefined;
}

/** Every built-in model and where its verified copy is, if anywhere (reads and hashes the copies it finds). */
export async function listBuiltInModels(options: ModelLocationOptions = {}): Promise<BuiltInModelStatus[]> {
  checkModelLocations(options);
  const list: BuiltInModelStatus[] = [];
  // One at a time: each copy is read whole to be hashed.
  for (const { kind, entry } of builtInModels()) {
    const path = await verifiedCopy(entry, options);
    list.push({ kind, name: entry.name, title: entry.title, license: entry.license, file: entry.file, bytes: entry.onnx.bytes, cached: !!path, folder: path && dirname(path) });
  }
  return list;
}

export interface PullOptions extends ModelLocationOptions, ModelSettings {
  signal?: AbortSignal;
  /** Download progress: initiate / download / progress / done for each source file fetched. */
  onLoadProgress?: LoadProgressCallback;
}

export interface PulledModel {
  kind: BuiltInModelKind;
  name: string;
  file: string;
  /** The verified copy: the cache's, or the one already in a model folder. */
  path: string;
  bytes: number;
  /** Fetched and converted now (false: a verified copy was already here). */
  downloaded: boolean;
}

/**
 * Makes a built-in model available offline: a verified copy already on this machine is left as it is; otherwise
 * its original files are fetched from `remoteHost`, converted, checked and kept at `<cacheDir>/models/<file>`,
 * exactly as on a first load.
 */
export async function pullBuiltInModel(name: string, options: PullOptions = {}): Promise<PulledModel> {
  const { kind, entry } = builtInModel(name);
  checkModelLocations(options);
  const { remoteHost, allowRemoteModels, downloadStallTimeout, maxModelBytes, signal, onLoadProgress } = options;
  if (remoteHost !== undefined && !/^https?:\/\//i.test(expectString('remoteHost', remoteHost, 'an http(s) URL'))) {
    throw invalidValue('remoteHost', 'an http(s) URL', remoteHost);
  }
  const settings: Required<ModelSettings> = {
    remoteHost: remoteHost ?? env.remoteHost,
    allowRemoteModels: allowRemoteModels ?? env.allowRemoteModels,
    downloadStallTimeout: downloadStallTimeout ?? env.downloadStallTimeout,
    maxModelBytes: maxModelBytes === undefined ? env.maxModelBytes : resolveMaxModelBytes(maxModelBytes),
  };
  let downloaded = false;
  // The catalog name, not an alias: `vgg19` would be the full VGG19 wherever a model folder holds one.
  const reference = await resolveModelReference(nodePlatform, entry.name, kind, {
    options: { cacheDir: options.cacheDir, modelDir: options.modelDir },
    settings,
    sha256: undefined,
    signal,
    onLoadProgress: (event) => {
      if (event.status === 'initiate') downloaded = true;
      onLoadProgress?.(event);
    },
  });
  const bytes = await reference.read();
  const path = downloaded ? join(cachedModelsFolder(options), entry.file) : await verifiedCopy(entry, options);
  if (!path) throw new PasticheError('E_IO', `${entry.file} was read but no verified copy of it is in ${modelSearchPath(options).join(', ')}.`);
  return { kind, name: entry.name, file: entry.file, path, bytes: bytes.length, downloaded };
}

/** A model file of the cache, checked against the catalog. */
export interface CachedModelCheck {
  kind: BuiltInModelKind;
  name: string;
  path: string;
  /** Its sha256 is the catalog's. */
  ok: boolean;
  sha256: string;
  expected: string;
}

/** Checks every model file in `<cacheDir>/models` that the catalog knows against the catalog's sha256. */
export async function verifyCachedModels(options: ModelLocationOptions = {}): Promise<CachedModelCheck[]> {
  checkModelLocations(options);
  const dir = cachedModelsFolder(options);
  const checks: CachedModelCheck[] = [];
  for (const { kind, entry } of builtInModels()) {
    const path = join(dir, entry.file);
    if (!existsSync(path)) continue;
    const actual = sha256(await readFile(path));
    checks.push({ kind, name: entry.name, path, ok: actual === entry.onnx.sha256, sha256: actual, expected: entry.onnx.sha256 });
  }
  return checks;
}

/**
 * Deletes built-in models from the cache: the named ones, or (no names) every one and the models downloaded by URL
 * (`<cacheDir>/models/url`). Touches nothing outside `<cacheDir>/models`: a model folder (modelDir,
 * PASTICHE_MODELS, the repository's models/onnx) is never cleared. Returns the paths deleted.
 */
export async function clearCachedModels(names?: readonly string[], options: ModelLocationOptions = {}): Promise<string[]> {
  checkModelLocations(options);
  const models =
    names === undefined ? builtInModels() : expectArray('names', names, 'an array of built-in model names').map((name, i) => builtInModel(name, `names[${i}]`));
  const dir = cachedModelsFolder(options);
  const modelFolders = [options.modelDir, process.env.PASTICHE_MODELS].filter((d): d is string => Boolean(d)).map((d) => resolve(d));
  if (modelFolders.includes(resolve(dir)) || existsSync(join(dir, 'catalog.json'))) {
    throw new PasticheError('E_IO', `The cache folder ${dir} is also a model folder; clear it by hand, or set cacheDir (or PASTICHE_CACHE) elsewhere.`);
  }
  const paths = [...new Set(models.map(({ entry }) => join(dir, entry.file)))].filter((p) => existsSync(p));
  const urlDir = join(dir, 'url');
  if (names === undefined && existsSync(urlDir)) {
    for (const file of (await readdir(urlDir)).sort()) if (!file.startsWith('.')) paths.push(join(urlDir, file));
  }
  for (const path of paths) await rm(path, { force: true });
  return paths;
}
