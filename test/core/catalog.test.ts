import { describe, expect, it } from 'vitest';
import {
  BUILTIN_CATALOG,
  DEFAULT_LOSS_NETWORK,
  DEFAULT_STYLE_PREDICTOR,
  DEFAULT_TRANSFER_NETWORK,
  FULL_VGG19_FILE,
  LOSS_NETWORK_ALIASES,
  arbitraryNetworkNames,
  catalogFileFor,
  findCatalogArbitraryNetwork,
  catalogStyleNames,
  findCatalogLossNetwork,
  findCatalogStyle,
  lossNetworkNames,
  parseCatalog,
  type Catalog,
} from '../../packages/core/src/catalog/index.js';
import { ERROR_CODES, PasticheError } from '../../packages/core/src/errors.js';

/** A mutable deep copy of the built-in catalog, to break one field at a time. */
type Json = Record<string, any>;
const copy = (): Json => structuredClone(BUILTIN_CATALOG) as Json;

function parseError(json: unknown): PasticheError {
  try {
    parseCatalog(json, 'test/catalog.json');
  } catch (err) {
    expect(err).toBeInstanceOf(PasticheError);
    return err as PasticheError;
  }
  throw new Error('parseCatalog accepted a broken catalog');
}

const prefix = 'Malformed catalog test/catalog.json: ';
const candy = "style 'candy'";
const squeezenet = "loss network 'squeezenet1.1'";
const predictor = "arbitrary-style network 'magenta-predictor'";
const SHA = 'a'.repeat(64);

describe('the built-in catalog', () => {
  it('parses, with its 14 styles, 2 loss networks and default candy', () => {
    expect(BUILTIN_CATALOG.version).toBe(1);
    expect(BUILTIN_CATALOG.styles).toHaveLength(14);
    expect(BUILTIN_CATALOG.lossNetworks.map((n) => n.name)).toEqual(['squeezenet1.1', 'vgg19-partial']);
    expect(BUILTIN_CATALOG.default).toBe('candy');
    expect(parseCatalog(copy(), 'a copy')).toEqual(BUILTIN_CATALOG);
  });

  it('is frozen all the way down, since every caller shares it', () => {
    expect(Object.isFrozen(BUILTIN_CATALOG)).toBe(true);
    expect(Object.isFrozen(BUILTIN_CATALOG.styles[0].source.files[0])).toBe(true);
    expect(() => (BUILTIN_CATALOG.styles as unknown[]).push({})).toThrow(TypeError);
  });

  it('gives every style and loss network the sha256 and size of its converted model', () => {
    for (const entry of [...BUILTIN_CATALOG.styles, ...BUILTIN_CATALOG.lossNetworks]) {
      expect(entry.onnx.sha256, entry.name).toMatch(/^[0-9a-f]{64}$/);
      expect(entry.onnx.bytes, entry.name).toBeGreaterThan(1e6);
    }
  });

  it('pins VGG19 to the commit whose model/ files it lists', () => {
    // The only commit those files ever had upstream; the others (ncnn, ml5) still name a branch, guarded by each file's sha256.
    expect(BUILTIN_CATALOG.lossNetworks.find((n) => n.name === 'vgg19-partial')?.source.ref).toBe('7505cc72f7b2cb03b04b2010a8e28efbdbd6695f');
  });

  it("lists Magenta's predictor and two transfer networks, from a pinned commit, with the defaults among them", () => {
    expect(BUILTIN_CATALOG.arbitraryNetworks.map((n) => [n.name, n.role, n.family, n.license])).toEqual([
      ['magenta-predictor', 'predictor', 'tflite', 'Apache-2.0'],
      ['magenta-transfer-f16', 'transfer', 'tflite', 'Apache-2.0'],
      ['magenta-transfer-int8', 'transfer', 'tflite', 'Apache-2.0'],
    ]);
    for (const n of BUILTIN_CATALOG.arbitraryNetworks) {
      expect(n.source.ref, n.name).toMatch(/^[0-9a-f]{40}$/);
      expect(n.onnx.sha256, n.name).toMatch(/^[0-9a-f]{64}$/);
      expect(n.source.files.map((f) => f.name.endsWith('.tflite'))).toEqual([true]);
    }
    expect(findCatalogArbitraryNetwork(BUILTIN_CATALOG, DEFAULT_STYLE_PREDICTOR, 'predictor')?.file).toBe('magenta-predictor.onnx');
    expect(findCatalogArbitraryNetwork(BUILTIN_CATALOG, DEFAULT_TRANSFER_NETWORK, 'transfer')?.source.files[0].name).toBe('style_transfer_f16_384.tflite');
    // A predictor is no transfer network, nor a style.
    expect(findCatalogArbitraryNetwork(BUILTIN_CATALOG, 'magenta-predictor', 'transfer')).toBeUndefined();
    expect(catalogFileFor(BUILTIN_CATALOG, 'transfer network', 'magenta-predictor')).toBeUndefined();
    expect(catalogFileFor(BUILTIN_CATALOG, 'style', 'magenta-transfer-f16')).toBeUndefined();
    expect(catalogFileFor(BUILTIN_CATALOG, 'transfer network', 'magenta-transfer-int8')).toEqual({ name: 'magenta-transfer-int8', file: 'magenta-transfer-int8.onnx' });
    expect(arbitraryNetworkNames(BUILTIN_CATALOG, 'transfer')).toEqual(['magenta-transfer-f16', 'magenta-transfer-int8']);
  });

  it('has its own error code', () => {
    expect(ERROR_CODES).toContain('E_CATALOG');
  });
});

describe('parseCatalog', () => {
  // Each row: what is broken, how, and the message (after the origin) that must name the entry and field.
  const cases: [string, (c: Json) => unknown, string][] = [
    ['not an object', () => [1], 'the catalog needs to be a JSON object but it is an array of length 1'],
    ['null', () => null, 'the catalog needs to be a JSON object but it is null'],
    ['version', (c) => ((c.version = 2), c), 'the catalog needs version 1 but version is 2 of type number'],
    ['no version', (c) => (delete c.version, c), 'the catalog needs version 1 but version is missing'],
    ['styles', (c) => (delete c.styles, c), 'the catalog needs a styles array but styles is missing'],
    ['lossNetworks', (c) => ((c.lossNetworks = {}), c), 'the catalog needs lossNetworks to be an array when present but lossNetworks is an object of type Object'],
    ['style not an object', (c) => ((c.styles[1] = null), c), 'styles[1] needs to be an object but styles[1] is null'],
    ['name', (c) => (delete c.styles[0].name, c), 'styles[0] needs a name (a non-empty string) but name is missing'],
    ['empty name', (c) => ((c.lossNetworks[1].name = ''), c), 'lossNetworks[1] needs a name (a non-empty string) but name is "" of type string'],
    ['duplicate style', (c) => ((c.styles[2].name = 'candy'), c), "style 'candy' needs a unique name but styles[0] is also named 'candy'"],
    ['style named like a loss network', (c) => ((c.lossNetworks[0].name = 'candy'), c), "loss network 'candy' needs a unique name but styles[0] is also named 'candy'"],
    ['title', (c) => ((c.styles[0].title = 7), c), `${candy} needs a title (a non-empty string) but title is 7 of type number`],
    ['license', (c) => ((c.lossNetworks[0].license = ''), c), `${squeezenet} needs a license (a non-empty string) but license is "" of type string`],
    ['file', (c) => (delete c.styles[0].file, c), `${candy} needs a file name without folders but file is missing`],
    ['file with a folder', (c) => ((c.styles[0].file = '../candy.onnx'), c), `${candy} needs a file name without folders but file is "../candy.onnx" of type string`],
    ['onnx', (c) => (delete c.styles[0].onnx, c), `${candy} needs an onnx object { sha256, bytes } (the converted model) but onnx is missing`],
    ['onnx not an object', (c) => ((c.lossNetworks[0].onnx = 'squeezenet1.1.onnx'), c), `${squeezenet} needs an onnx object { sha256, bytes } (the converted model) but onnx is "squeezenet1.1.onnx" of type string`],
    ['onnx sha256', (c) => (delete c.styles[0].onnx.sha256, c), `${candy} needs onnx.sha256 (64 lower-case hex digits) but onnx.sha256 is missing`],
    ['short onnx sha256', (c) => ((c.lossNetworks[0].onnx.sha256 = 'abc'), c), `${squeezenet} needs onnx.sha256 (64 lower-case hex digits) but onnx.sha256 is "abc" of type string`],
    ['upper-case onnx sha256', (c) => ((c.styles[0].onnx.sha256 = 'A'.repeat(64)), c), `${candy} needs onnx.sha256 (64 lower-case hex digits) but onnx.sha256 is "${'A'.repeat(40)}…" of type string`],
    ['onnx bytes', (c) => (delete c.styles[0].onnx.bytes, c), `${candy} needs onnx.bytes (a positive integer) but onnx.bytes is missing`],
    ['zero onnx bytes', (c) => ((c.lossNetworks[0].onnx.bytes = 0), c), `${squeezenet} needs onnx.bytes (a positive integer) but onnx.bytes is 0 of type number`],
    ['fractional onnx bytes', (c) => ((c.styles[0].onnx.bytes = 6726450.5), c), `${candy} needs onnx.bytes (a positive integer) but onnx.bytes is 6726450.5 of type number`],
    ['onnx bytes as text', (c) => ((c.styles[0].onnx.bytes = '6726450'), c), `${candy} needs onnx.bytes (a positive integer) but onnx.bytes is "6726450" of type string`],
    ['style family', (c) => ((c.styles[0].family = 'vgg19-tfjs'), c), `${candy} needs a known family (pytorch-examples, ml5) but family is "vgg19-tfjs" of type string`],
    ['loss family', (c) => ((c.lossNetworks[0].family = 'ml5'), c), `${squeezenet} needs a known family (squeezenet-ncnn, vgg19-tfjs) but family is "ml5" of type string`],
    ['source', (c) => (delete c.styles[0].source, c), `${candy} needs a source object but source is missing`],
    ['repository', (c) => ((c.styles[0].source.repository = 'https://gitlab.com/a/b'), c), `${candy} needs source.repository https://github.com/OWNER/REPO but source.repository is "https://gitlab.com/a/b" of type string`],
    ['repository path', (c) => ((c.lossNetworks[0].source.repository = 'https://github.com/Tencent'), c), `${squeezenet} needs source.repository https://github.com/OWNER/REPO but source.repository is "https://github.com/Tencent" of type string`],
    ['ref', (c) => (delete c.styles[0].source.ref, c), `${candy} needs source.ref (a branch, tag or commit) but source.ref is missing`],
    ['path', (c) => ((c.styles[0].source.path = 3), c), `${candy} needs source.path (a folder in the repository) but source.path is 3 of type number`],
    ['assets', (c) => (delete c.styles[0].source.assets, c), `${candy} needs source.assets (a folder under the assets) but source.assets is missing`],
    ['no files', (c) => ((c.styles[0].source.files = []), c), `${candy} needs source.files with at least one file but source.files is an array of length 0`],
    ['file not an object', (c) => ((c.styles[0].source.files = ['candy.bin']), c), `${candy} needs source.files of objects { name, sha256 } but source.files[0] is "candy.bin" of type string`],
    ['file name', (c) => (delete c.lossNetworks[0].source.files[1].name, c), `${squeezenet} needs source.files with a name each but source.files[1].name is missing`],
    ['sha256', (c) => (delete c.styles[0].source.files[0].sha256, c), `${candy} needs source.files with a sha256 each (64 lower-case hex digits) but source.files[0].sha256 is missing`],
    ['upper-case sha256', (c) => ((c.styles[0].source.files[0].sha256 = 'A'.repeat(64)), c), `${candy} needs source.files with a sha256 each (64 lower-case hex digits) but source.files[0].sha256 is "${'A'.repeat(40)}…" of type string`],
    ['short sha256', (c) => ((c.styles[0].source.files[0].sha256 = 'abc'), c), `${candy} needs source.files with a sha256 each (64 lower-case hex digits) but source.files[0].sha256 is "abc" of type string`],
    ['conventions', (c) => (delete c.styles[0].conventions, c), `${candy} needs a conventions object but conventions is missing`],
    ['layout', (c) => ((c.styles[0].conventions.layout = 'CHW'), c), `${candy} needs conventions.layout NCHW or NHWC but conventions.layout is "CHW" of type string`],
    ['range', (c) => ((c.styles[0].conventions.range = '0-256'), c), `${candy} needs conventions.range 0-255, 0-1, -1-1 but conventions.range is "0-256" of type string`],
    ['channel order', (c) => (delete c.styles[0].conventions.channelOrder, c), `${candy} needs conventions.channelOrder RGB or BGR but conventions.channelOrder is missing`],
    ['size multiple', (c) => ((c.styles[0].conventions.sizeMultiple = 0), c), `${candy} needs conventions.sizeMultiple (a positive integer) but conventions.sizeMultiple is 0 of type number`],
    ['fractional size multiple', (c) => ((c.styles[0].conventions.sizeMultiple = 2.5), c), `${candy} needs conventions.sizeMultiple (a positive integer) but conventions.sizeMultiple is 2.5 of type number`],
    ['layers', (c) => (delete c.lossNetworks[0].layers, c), `${squeezenet} needs layers (a non-empty array of layer names) but layers is missing`],
    ['no layers', (c) => ((c.lossNetworks[0].layers = []), c), `${squeezenet} needs layers (a non-empty array of layer names) but layers is an array of length 0`],
    ['layer name', (c) => ((c.lossNetworks[0].layers = ['conv1', 2]), c), `${squeezenet} needs layers of non-empty strings but layers[1] is 2 of type number`],
    ['arbitraryNetworks', (c) => ((c.arbitraryNetworks = 'magenta'), c), 'the catalog needs arbitraryNetworks to be an array when present but arbitraryNetworks is "magenta" of type string'],
    ['arbitrary family', (c) => ((c.arbitraryNetworks[0].family = 'ml5'), c), `${predictor} needs a known family (tflite) but family is "ml5" of type string`],
    ['arbitrary role', (c) => ((c.arbitraryNetworks[0].role = 'decoder'), c), `${predictor} needs a role (predictor or transfer) but role is "decoder" of type string`],
    ['arbitrary network named like a style', (c) => ((c.arbitraryNetworks[1].name = 'candy'), c), "arbitrary-style network 'candy' needs a unique name but styles[0] is also named 'candy'"],
    ['default', (c) => ((c.default = 'squeezenet1.1'), c), 'the catalog needs default to name one of its styles but default is "squeezenet1.1" of type string'],
    ['no default', (c) => (delete c.default, c), 'the catalog needs default to name one of its styles but default is missing'],
  ];

  it.each(cases)('rejects a broken %s with E_CATALOG naming the entry and field', (_, broken, message) => {
    const err = parseError(broken(copy()));
    expect(err.code).toBe('E_CATALOG');
    expect(err.message).toBe(prefix + message);
  });

  it('reads a missing lossNetworks or arbitraryNetworks as none', () => {
    const c = copy();
    delete c.lossNetworks;
    delete c.arbitraryNetworks;
    const catalog = parseCatalog(c, 'x');
    expect(catalog.lossNetworks).toEqual([]);
    expect(catalog.arbitraryNetworks).toEqual([]);
    expect(c.lossNetworks).toBeUndefined(); // the input is not modified
  });

  it('tolerates and keeps unknown keys, so older readers accept newer files', () => {
    const c = copy();
    c.publishedAt = '2026-01-01';
    c.styles[0].thumbnail = 'candy.jpg';
    c.styles[0].conventions.mean = [1, 2, 3];
    c.styles[0].source.commit = 'f'.repeat(40);
    c.styles[0].source.files[0].size = 1234;
    c.lossNetworks[1].maxSize = 512;
    const catalog = parseCatalog(c, 'x') as Catalog & Json;
    expect(catalog.publishedAt).toBe('2026-01-01');
    expect((catalog.styles[0] as Json).thumbnail).toBe('candy.jpg');
    expect(catalog.styles[0].source.files[0].sha256).toBe(BUILTIN_CATALOG.styles[0].source.files[0].sha256);
  });

  it('accepts a minimal catalog of one style', () => {
    const source = { repository: 'https://github.com/o/r', ref: 'main', path: '', files: [{ name: 'w.bin', sha256: SHA }], assets: 'weights/x' };
    const style = {
      name: 's',
      title: 'S',
      family: 'ml5',
      license: 'MIT',
      file: 's.onnx',
      onnx: { sha256: SHA, bytes: 1 },
      conventions: { layout: 'NHWC', range: '0-1', channelOrder: 'BGR', sizeMultiple: 1 },
      source,
    };
    expect(parseCatalog({ version: 1, default: 's', styles: [style] }, 'x')).toEqual({ version: 1, default: 's', styles: [style], lossNetworks: [], arbitraryNetworks: [] });
  });
});

describe('catalog names', () => {
  it('lists the style names in catalog order', () => {
    const names = catalogStyleNames(BUILTIN_CATALOG);
    expect(names).toHaveLength(14);
    expect(names.slice(0, 3)).toEqual(['candy', 'mosaic', 'pointilism']);
    expect(findCatalogStyle(BUILTIN_CATALOG, 'ml5-wave')?.file).toBe('ml5-wave.onnx');
    expect(findCatalogStyle(BUILTIN_CATALOG, 'squeezenet1.1')).toBeUndefined();
  });

  it('resolves the loss-network aliases, listed before the catalog names', () => {
    expect(DEFAULT_LOSS_NETWORK).toBe('squeezenet');
    expect(LOSS_NETWORK_ALIASES).toEqual({ squeezenet: 'squeezenet1.1', vgg19: 'vgg19-partial' });
    expect(Object.isFrozen(LOSS_NETWORK_ALIASES)).toBe(true);
    expect(lossNetworkNames(BUILTIN_CATALOG)).toEqual(['squeezenet', 'vgg19', 'squeezenet1.1', 'vgg19-partial']);
    expect(findCatalogLossNetwork(BUILTIN_CATALOG, 'squeezenet')?.name).toBe('squeezenet1.1');
    expect(findCatalogLossNetwork(BUILTIN_CATALOG, 'vgg19')?.name).toBe('vgg19-partial');
    expect(findCatalogLossNetwork(BUILTIN_CATALOG, 'vgg19-partial')?.file).toBe('vgg19-partial.onnx');
    expect(findCatalogLossNetwork(BUILTIN_CATALOG, DEFAULT_LOSS_NETWORK)).toBeDefined();
    expect(findCatalogLossNetwork(BUILTIN_CATALOG, 'candy')).toBeUndefined();
    expect(findCatalogLossNetwork(BUILTIN_CATALOG, 'toString')).toBeUndefined();
  });

  it('finds the file of a style or loss network by name or alias', () => {
    expect(catalogFileFor(BUILTIN_CATALOG, 'style', 'candy')).toEqual({ name: 'candy', file: 'candy.onnx' });
    expect(catalogFileFor(BUILTIN_CATALOG, 'style', 'squeezenet')).toBeUndefined();
    expect(catalogFileFor(BUILTIN_CATALOG, 'loss network', 'squeezenet')).toEqual({ name: 'squeezenet1.1', file: 'squeezenet1.1.onnx' });
    expect(catalogFileFor(BUILTIN_CATALOG, 'loss network', 'candy')).toBeUndefined();
    expect(catalogFileFor(BUILTIN_CATALOG, 'loss network', 'nope', () => true)).toBeUndefined();
  });

  it('takes the full VGG19 for vgg19 only when a model folder holds it', () => {
    const partial = { name: 'vgg19-partial', file: 'vgg19-partial.onnx' };
    expect(FULL_VGG19_FILE).toBe('vgg19.onnx');
    expect(catalogFileFor(BUILTIN_CATALOG, 'loss network', 'vgg19')).toEqual(partial);
    expect(catalogFileFor(BUILTIN_CATALOG, 'loss network', 'vgg19', () => false)).toEqual(partial);
    const asked: string[] = [];
    const present = (file: string) => (asked.push(file), file === FULL_VGG19_FILE);
    expect(catalogFileFor(BUILTIN_CATALOG, 'loss network', 'vgg19', present)).toEqual({ name: 'vgg19', file: 'vgg19.onnx' });
    expect(asked).toEqual(['vgg19.onnx']);
    // The catalog name always means the partial network, and styles never look for files.
    expect(catalogFileFor(BUILTIN_CATALOG, 'loss network', 'vgg19-partial', present)).toEqual(partial);
    asked.length = 0;
    expect(catalogFileFor(BUILTIN_CATALOG, 'style', 'vgg19', present)).toBeUndefined();
    expect(asked).toEqual([]);
  });
});
