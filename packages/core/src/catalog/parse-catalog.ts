import { PasticheError, describeValue } from '../errors.js';
import type { ChannelOrder, TensorLayout, ValueRange } from '../image/tensor-conventions.js';
import { ARBITRARY_NETWORK_FAMILIES, ARBITRARY_NETWORK_ROLES, LOSS_NETWORK_FAMILIES, STYLE_FAMILIES, type Catalog } from './catalog-types.js';

type Fields = Record<string, unknown>;

const GITHUB_REPOSITORY = /^https:\/\/github\.com\/[^/]+\/[^/]+$/;
const SHA256_HEX = /^[0-9a-f]{64}$/;
// Written as records so that the compiler fails here when a layout, range or channel order is added.
const LAYOUTS = Object.keys({ NCHW: 1, NHWC: 1 } satisfies Record<TensorLayout, 1>);
const RANGES = Object.keys({ '0-255': 1, '0-1': 1, '-1-1': 1 } satisfies Record<ValueRange, 1>);
const CHANNEL_ORDERS = Object.keys({ RGB: 1, BGR: 1 } satisfies Record<ChannelOrder, 1>);

const isObject = (value: unknown): value is Fields => typeof value === 'object' && value !== null && !Array.isArray(value);
const isText = (value: unknown): value is string => typeof value === 'string' && value !== '';
// The file is joined to model folders and URLs, so a folder part could point outside them.
const isFileName = (value: unknown): value is string => isText(value) && !/[/\\]/.test(value) && value !== '.' && value !== '..';
const oneOf = (allowed: readonly string[]) => (value: unknown) => typeof value === 'string' && allowed.includes(value);

/**
 * Checks parsed catalog.json content against the schema of {@link Catalog} and returns it typed.
 * Unknown keys are kept and ignored, so that an older reader accepts a newer file that only adds fields.
 * `origin` (a path, a URL, `the built-in catalog`) opens every message.
 * @throws PasticheError `E_CATALOG` naming the faulty entry and field, e.g.
 *   `Malformed catalog models/onnx/catalog.json: style 'candy' needs source.files with a sha256 each …`.
 */
export function parseCatalog(json: unknown, origin: string): Catalog {
  /** `where` is the entry (`style 'candy'`, `styles[3]`, `the catalog`); `field` is the path of the value shown. */
  const malformed = (problem: string): never => {
    throw new PasticheError('E_CATALOG', `Malformed catalog ${origin}: ${problem}`);
  };
  const fail = (where: string, needs: string, field: string, value: unknown): never =>
    malformed(`${where} needs ${needs} but ${field} is ${value === undefined ? 'missing' : describeValue(value)}`);
  const need = (ok: boolean, where: string, needs: string, field: string, value: unknown) => {
    if (!ok) fail(where, needs, field, value);
  };

  if (!isObject(json)) return fail('the catalog', 'to be a JSON object', 'it', json);
  need(json.version === 1, 'the catalog', 'version 1', 'version', json.version);
  need(Array.isArray(json.styles), 'the catalog', 'a styles array', 'styles', json.styles);
  const lossNetworks = json.lossNetworks ?? [];
  need(Array.isArray(lossNetworks), 'the catalog', 'lossNetworks to be an array when present', 'lossNetworks', json.lossNetworks);
  const arbitraryNetworks = json.arbitraryNetworks ?? [];
  need(Array.isArray(arbitraryNetworks), 'the catalog', 'arbitraryNetworks to be an array when present', 'arbitraryNetworks', json.arbitraryNetworks);

  // One namespace for every list: `npm run models --only` and `pastiche models pull` select from all of them.
  const seen = new Map<string, string>();
  const KINDS = { styles: 'style', lossNetworks: 'loss network', arbitraryNetworks: 'arbitrary-style network' } as const;
  const FAMILIES = { styles: STYLE_FAMILIES, lossNetworks: LOSS_NETWORK_FAMILIES, arbitraryNetworks: ARBITRARY_NETWORK_FAMILIES } as const;
  const checkEntry = (list: keyof typeof KINDS, index: number, entry: unknown): Fields => {
    const at = `${list}[${index}]`;
    if (!isObject(entry)) return fail(at, 'to be an object', at, entry);
    need(isText(entry.name), at, 'a name (a non-empty string)', 'name', entry.name);
    const name = entry.name as string;
    const where = `${KINDS[list]} '${name}'`;
    const other = seen.get(name);
    if (other !== undefined) malformed(`${where} needs a unique name but ${other} is also named '${name}'`);
    seen.set(name, at);

    need(isText(entry.title), where, 'a title (a non-empty string)', 'title', entry.title);
    need(isText(entry.license), where, 'a license (a non-empty string)', 'license', entry.license);
    need(isFileName(entry.file), where, 'a file name without folders', 'file', entry.file);
    const onnx = entry.onnx;
    if (!isObject(onnx)) return fail(where, 'an onnx object { sha256, bytes } (the converted model)', 'onnx', onnx);
    need(typeof onnx.sha256 === 'string' && SHA256_HEX.test(onnx.sha256), where, 'onnx.sha256 (64 lower-case hex digits)', 'onnx.sha256', onnx.sha256);
    need(Number.isSafeInteger(onnx.bytes) && (onnx.bytes as number) > 0, where, 'onnx.bytes (a positive integer)', 'onnx.bytes', onnx.bytes);
    const families: readonly string[] = FAMILIES[list];
    need(oneOf(families)(entry.family), where, `a known family (${families.join(', ')})`, 'family', entry.family);

    const source = entry.source;
    if (!isObject(source)) return fail(where, 'a source object', 'source', source);
    const repository = source.repository;
    need(typeof repository === 'string' && GITHUB_REPOSITORY.test(repository), where, 'source.repository https://github.com/OWNER/REPO', 'source.repository', repository);
    need(isText(source.ref), where, 'source.ref (a branch, tag or commit)', 'source.ref', source.ref);
    need(typeof source.path === 'string', where, 'source.path (a folder in the repository)', 'source.path', source.path);
    need(isText(source.assets), where, 'source.assets (a folder under the assets)', 'source.assets', source.assets);
    const files = source.files;
    need(Array.isArray(files) && files.length > 0, where, 'source.files with at least one file', 'source.files', files);
    (files as unknown[]).forEach((file, i) => {
      const at = `source.files[${i}]`;
      if (!isObject(file)) return fail(where, 'source.files of objects { name, sha256 }', at, file);
      need(isText(file.name), where, 'source.files with a name each', `${at}.name`, file.name);
      const sha256 = file.sha256;
      need(typeof sha256 === 'string' && SHA256_HEX.test(sha256), where, 'source.files with a sha256 each (64 lower-case hex digits)', `${at}.sha256`, sha256);
    });
    return entry;
  };

  (json.styles as unknown[]).forEach((entry, i) => {
    const style = checkEntry('styles', i, entry);
    const where = `style '${style.name as string}'`;
    const conventions = style.conventions;
    if (!isObject(conventions)) return fail(where, 'a conventions object', 'conventions', conventions);
    need(oneOf(LAYOUTS)(conventions.layout), where, `conventions.layout ${LAYOUTS.join(' or ')}`, 'conventions.layout', conventions.layout);
    need(oneOf(RANGES)(conventions.range), where, `conventions.range ${RANGES.join(', ')}`, 'conventions.range', conventions.range);
    need(oneOf(CHANNEL_ORDERS)(conventions.channelOrder), where, `conventions.channelOrder ${CHANNEL_ORDERS.join(' or ')}`, 'conventions.channelOrder', conventions.channelOrder);
    const multiple = conventions.sizeMultiple;
    need(Number.isInteger(multiple) && (multiple as number) >= 1, where, 'conventions.sizeMultiple (a positive integer)', 'conventions.sizeMultiple', multiple);
  });
  (lossNetworks as unknown[]).forEach((entry, i) => {
    const network = checkEntry('lossNetworks', i, entry);
    const where = `loss network '${network.name as string}'`;
    const layers = network.layers;
    need(Array.isArray(layers) && layers.length > 0, where, 'layers (a non-empty array of layer names)', 'layers', layers);
    (layers as unknown[]).forEach((layer, j) => need(isText(layer), where, 'layers of non-empty strings', `layers[${j}]`, layer));
  });
  (arbitraryNetworks as unknown[]).forEach((entry, i) => {
    const network = checkEntry('arbitraryNetworks', i, entry);
    const where = `arbitrary-style network '${network.name as string}'`;
    need(oneOf(ARBITRARY_NETWORK_ROLES)(network.role), where, `a role (${ARBITRARY_NETWORK_ROLES.join(' or ')})`, 'role', network.role);
  });

  const styles = json.styles as Fields[];
  need(styles.some((s) => s.name === json.default), 'the catalog', 'default to name one of its styles', 'default', json.default);
  return { ...json, lossNetworks, arbitraryNetworks } as Catalog;
}
