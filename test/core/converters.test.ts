import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CatalogLossNetwork, CatalogStyle } from '../../packages/core/src/catalog/index.js';
import {
  BUILD_STAMP_KEY,
  buildStamp,
  convertCatalogEntry,
  ML5_IMPORTER_VERSION,
  NCNN_IMPORTER_VERSION,
} from '../../packages/core/src/converters/index.js';
import { ERROR_CODES, PasticheError } from '../../packages/core/src/errors.js';
import { METADATA_KEYS } from '../../packages/core/src/models/metadata-keys.js';
import { decodeModel } from '../../packages/core/src/onnx/index.js';
import { REPO_ROOT } from '../helpers/assets.js';

/**
 * convertCatalogEntry on synthetic source files made here (no ../shared/assets): the typed errors for a
 * wrong file set, wrong checksums, truncated weights and bad JSON, and byte-identical output on every run.
 */

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const text = (s: string) => new TextEncoder().encode(s);

/** A deterministic byte stream (LCG), so the synthetic weights are the same on every run. */
function prng(seed: number) {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0);
}

/** TransformerNet convs in .bin order: kernel, in, out, InstanceNorm (gamma, beta) after the bias. */
const NCNN_PLAN: [number, number, number, boolean][] = [
  [9, 3, 32, true],
  [3, 32, 64, true],
  [3, 64, 128, true],
  ...Array.from({ length: 10 }, (): [number, number, number, boolean] => [3, 128, 128, true]),
  [3, 128, 64, true],
  [3, 64, 32, true],
  [9, 32, 3, false],
];

/** A synthetic ncnn-android-styletransfer .bin: per conv the fp16 tag, fp16 weights (4-byte aligned), fp32 bias [gamma, beta]. */
function syntheticNcnnBin(seed = 1): Uint8Array {
  const next = prng(seed);
  const chunks: Uint8Array[] = [];
  const f32 = (count: number) => {
    const out = new Float32Array(count);
    for (let i = 0; i < count; i++) out[i] = (next() / 2 ** 32 - 0.5) * 0.1;
    chunks.push(new Uint8Array(out.buffer));
  };
  for (const [k, inC, outC, norm] of NCNN_PLAN) {
    chunks.push(new Uint8Array(new Uint32Array([0x01306b47]).buffer));
    const count = k * k * inC * outC;
    const halves = new Uint16Array(Math.ceil(count / 2) * 2);
    // Sign, exponent 0..12 (|x| < 0.25), any mantissa: finite fp16 values.
    for (let i = 0; i < count; i++) {
      const r = next();
      halves[i] = (r & 0x83ff) | ((r >>> 16) % 13 << 10);
    }
    chunks.push(new Uint8Array(halves.buffer));
    f32(outC);
    if (norm) {
      f32(outC);
      f32(outC);
    }
  }
  const bin = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
  let offset = 0;
  for (const c of chunks) {
    bin.set(c, offset);
    offset += c.byteLength;
  }
  return bin;
}

/** The ml5 variables in order: kernel (HWIO, or [kh, kw, out, in] for the transposed convs), IN shift, IN scale. */
function ml5Shapes(): number[][] {
  const layers: [number, number, number][] = [
    [9, 3, 32],
    [3, 32, 64],
    [3, 64, 128],
    ...Array.from({ length: 10 }, (): [number, number, number] => [3, 128, 128]),
  ];
  const shapes = layers.flatMap(([k, i, o]) => [[k, k, i, o], [o], [o]]);
  shapes.push([3, 3, 64, 128], [64], [64], [3, 3, 32, 64], [32], [32], [9, 9, 32, 3], [3], [3]);
  return shapes;
}

/** A synthetic ml5 checkpoint: manifest.json and one raw float32 file per variable. */
function syntheticMl5(seed = 2): Map<string, Uint8Array> {
  const next = prng(seed);
  const manifest: Record<string, { filename: string; shape: number[] }> = {};
  const files = new Map<string, Uint8Array>();
  ml5Shapes().forEach((shape, i) => {
    const name = i === 0 ? 'Variable' : `Variable_${i}`;
    manifest[name] = { filename: name, shape };
    const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
    for (let j = 0; j < data.length; j++) data[j] = (next() / 2 ** 32 - 0.5) * 0.1;
    files.set(name, new Uint8Array(data.buffer));
  });
  return new Map([['manifest.json', text(JSON.stringify(manifest))], ...files]);
}

const SOURCE = { repository: 'https://github.com/example/weights', ref: 'main', path: 'models', assets: 'weights/synthetic' };
const ONNX = { sha256: '0'.repeat(64), bytes: 1 };
const CONVENTIONS = { layout: 'NCHW', range: '0-255', channelOrder: 'RGB', sizeMultiple: 4 } as const;

/** A catalog style whose source files are `files` (names and sha256 in map order). */
function style(name: string, family: CatalogStyle['family'], files: ReadonlyMap<string, Uint8Array>): CatalogStyle {
  const list = [...files].map(([file, bytes]) => ({ name: file, sha256: sha256(bytes) }));
  return { name, title: `Title ${name}`, family, license: 'MIT', file: `${name}.onnx`, onnx: ONNX, conventions: CONVENTIONS, source: { ...SOURCE, files: list } };
}

function lossNetwork(name: string, family: CatalogLossNetwork['family'], files: ReadonlyMap<string, Uint8Array>): CatalogLossNetwork {
  const list = [...files].map(([file, bytes]) => ({ name: file, sha256: sha256(bytes) }));
  return { name, title: name, family, license: 'MIT', file: `${name}.onnx`, onnx: ONNX, layers: ['conv1'], source: { ...SOURCE, files: list } };
}

/** The PasticheError a conversion rejects with (fails the test when it resolves or throws anything else). */
async function conversionError(promise: Promise<unknown>): Promise<PasticheError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(PasticheError);
  return err as PasticheError;
}

const NCNN_BIN = syntheticNcnnBin();
const ncnnFiles = (bin = NCNN_BIN) => new Map([['synthetic.bin', bin]]);

describe('convertCatalogEntry: synthetic ncnn TransformerNet', () => {
  it('builds the model with the catalog metadata and the build stamp', async () => {
    const entry = style('synthetic', 'pytorch-examples', ncnnFiles());
    const model = decodeModel(await convertCatalogEntry(entry, ncnnFiles()));
    const k = METADATA_KEYS;
    expect(model.metadataProps).toMatchObject({
      [k.name]: 'synthetic',
      [k.title]: 'Title synthetic',
      [k.license]: 'MIT',
      [k.source]: 'https://github.com/example/weights/tree/main/models',
      [k.kind]: 'style-transfer',
      [BUILD_STAMP_KEY]: await buildStamp(entry),
    });
    expect(await buildStamp(entry)).toMatch(new RegExp(`^${NCNN_IMPORTER_VERSION} sources-sha256:[0-9a-f]{64}$`));
    expect(model.graph.nodes.filter((n) => n.opType === 'Conv')).toHaveLength(16);
  });

  it('is deterministic: the same source bytes give byte-identical ONNX bytes', async () => {
    const entry = style('synthetic', 'pytorch-examples', ncnnFiles());
    const first = await convertCatalogEntry(entry, ncnnFiles());
    const second = await convertCatalogEntry(entry, ncnnFiles(syntheticNcnnBin()));
    expect(sha256(second)).toBe(sha256(first));
    expect(Buffer.from(second).equals(Buffer.from(first))).toBe(true);
  });

  it('stamps the sources: another .bin gives another stamp and other bytes', async () => {
    const other = syntheticNcnnBin(7);
    const a = style('synthetic', 'pytorch-examples', ncnnFiles());
    const b = style('synthetic', 'pytorch-examples', ncnnFiles(other));
    expect(await buildStamp(b)).not.toBe(await buildStamp(a));
    expect(sha256(await convertCatalogEntry(b, ncnnFiles(other)))).not.toBe(sha256(await convertCatalogEntry(a, ncnnFiles())));
  });

  it('rejects a wrong file set with E_CONVERT naming the entry and the files', async () => {
    const entry = style('synthetic', 'pytorch-examples', ncnnFiles());
    const missing = await conversionError(convertCatalogEntry(entry, new Map()));
    expect(missing.code).toBe('E_CONVERT');
    expect(missing.message).toBe("Cannot convert style 'synthetic': expected the files the catalog lists (synthetic.bin) but got synthetic.bin missing");
    const extra = await conversionError(convertCatalogEntry(entry, new Map([...ncnnFiles(), ['extra.bin', new Uint8Array(4)]])));
    expect(extra.code).toBe('E_CONVERT');
    expect(extra.message).toBe("Cannot convert style 'synthetic': expected the files the catalog lists (synthetic.bin) but got extra.bin not listed");
    const renamed = await conversionError(convertCatalogEntry(entry, new Map([['other.bin', NCNN_BIN]])));
    expect(renamed.message).toBe("Cannot convert style 'synthetic': expected the files the catalog lists (synthetic.bin) but got synthetic.bin missing and other.bin not listed");
  });

  it('rejects a file whose sha256 is not the catalog one with E_MODEL_CHECKSUM', async () => {
    const entry = style('synthetic', 'pytorch-examples', ncnnFiles());
    const changed = NCNN_BIN.slice();
    changed[100] ^= 1;
    const err = await conversionError(convertCatalogEntry(entry, ncnnFiles(changed)));
    expect(err.code).toBe('E_MODEL_CHECKSUM');
    expect(err.message).toBe(`Cannot convert style 'synthetic': synthetic.bin has sha256 ${sha256(changed)} but the catalog lists ${sha256(NCNN_BIN)}`);
  });

  it('rejects truncated, overlong or foreign weights with E_CONVERT naming the entry and the file', async () => {
    const cases: [Uint8Array, RegExp][] = [
      [NCNN_BIN.subarray(0, NCNN_BIN.length - 4), /^Cannot convert style 'synthetic': synthetic\.bin: ncnn weights end early: conv 16 bias needs 12 bytes at \d+, the file has \d+$/],
      [NCNN_BIN.subarray(0, 1000), /^Cannot convert style 'synthetic': synthetic\.bin: ncnn weights end early in conv 1$/],
      [new Uint8Array([...NCNN_BIN, 0, 0, 0, 0]), /^Cannot convert style 'synthetic': synthetic\.bin: Expected the ncnn weights to end at byte \d+ but the file has \d+ bytes$/],
      [new Uint8Array(64), /^Cannot convert style 'synthetic': synthetic\.bin: Expected the ncnn fp16 tag 0x1306b47 before conv 1 at byte 0/],
    ];
    for (const [bin, message] of cases) {
      const err = await conversionError(convertCatalogEntry(style('synthetic', 'pytorch-examples', ncnnFiles(bin)), ncnnFiles(bin)));
      expect(err.code).toBe('E_CONVERT');
      expect(err.message).toMatch(message);
      expect(err.cause).toBeInstanceOf(PasticheError);
    }
  });
});

describe('convertCatalogEntry: synthetic ml5 checkpoint', () => {
  const FILES = syntheticMl5();

  it('is deterministic, whatever the order of the files map', async () => {
    const entry = style('ml5-synthetic', 'ml5', FILES);
    const first = await convertCatalogEntry(entry, FILES);
    const second = await convertCatalogEntry(entry, new Map([...syntheticMl5()].reverse()));
    expect(Buffer.from(second).equals(Buffer.from(first))).toBe(true);
    expect(decodeModel(first).metadataProps[BUILD_STAMP_KEY]).toMatch(new RegExp(`^${ML5_IMPORTER_VERSION} `));
  });

  it('rejects a truncated variable file with E_CONVERT naming it', async () => {
    const files = new Map(FILES);
    files.set('Variable_3', FILES.get('Variable_3')!.subarray(0, 1000));
    const err = await conversionError(convertCatalogEntry(style('ml5-synthetic', 'ml5', files), files));
    expect(err.code).toBe('E_CONVERT');
    expect(err.message).toBe("Cannot convert style 'ml5-synthetic': Variable_3: Expected 73728 bytes (Variable_3, float32 [3, 3, 32, 64]) but found 1000");
  });

  it('rejects a manifest that is not JSON, or not a manifest, with E_CONVERT naming manifest.json', async () => {
    const broken = new Map(FILES);
    broken.set('manifest.json', text('{"Variable": '));
    const notJson = await conversionError(convertCatalogEntry(style('ml5-synthetic', 'ml5', broken), broken));
    expect(notJson.code).toBe('E_CONVERT');
    expect(notJson.message).toMatch(/^Cannot convert style 'ml5-synthetic': manifest\.json: not JSON \(/);

    const wrong = new Map(FILES);
    wrong.set('manifest.json', text(JSON.stringify({ Variable: { filename: 'Variable', shape: [9, 9, 3, 32] }, Variable_1: 'x' })));
    const notManifest = await conversionError(convertCatalogEntry(style('ml5-synthetic', 'ml5', wrong), wrong));
    expect(notManifest.message).toBe(`Cannot convert style 'ml5-synthetic': manifest.json: Expected Variable_1 to be { filename, shape } but found "x"`);

    const array = new Map(FILES);
    array.set('manifest.json', text('[]'));
    expect((await conversionError(convertCatalogEntry(style('ml5-synthetic', 'ml5', array), array))).message).toBe(
      "Cannot convert style 'ml5-synthetic': manifest.json: Expected an object of variables but found []",
    );
  });

  it('rejects a manifest naming a file the catalog does not list', async () => {
    const files = new Map(FILES);
    const manifest = JSON.parse(new TextDecoder().decode(FILES.get('manifest.json')));
    manifest.Variable_5.filename = 'elsewhere';
    files.set('manifest.json', text(JSON.stringify(manifest)));
    const err = await conversionError(convertCatalogEntry(style('ml5-synthetic', 'ml5', files), files));
    expect(err.message).toBe("Cannot convert style 'ml5-synthetic': elsewhere: manifest.json needs this file but the catalog does not list it");
  });
});

describe('convertCatalogEntry: loss networks and entries', () => {
  it('rejects a malformed ncnn .param and a wrong SqueezeNet file set, naming the file', async () => {
    const files = new Map([
      ['net.param', text('not a param\n')],
      ['net.bin', new Uint8Array(8)],
    ]);
    const err = await conversionError(convertCatalogEntry(lossNetwork('sq', 'squeezenet-ncnn', files), files));
    expect(err.code).toBe('E_CONVERT');
    expect(err.message).toBe(`Cannot convert loss network 'sq': net.param: Expected an ncnn text .param starting with the magic number 7767517 but found "not a param"`);

    const twoBins = new Map([
      ['a.bin', new Uint8Array(8)],
      ['b.bin', new Uint8Array(4)],
    ]);
    expect((await conversionError(convertCatalogEntry(lossNetwork('sq', 'squeezenet-ncnn', twoBins), twoBins))).message).toBe(
      "Cannot convert loss network 'sq': a.bin, b.bin: Expected the catalog to list one .param file but it lists 0",
    );
  });

  it('rejects a TF.js model.json that is not JSON or not a layers model, naming model.json', async () => {
    const notJson = new Map([['model.json', text('<html>')]]);
    const a = await conversionError(convertCatalogEntry(lossNetwork('vgg', 'vgg19-tfjs', notJson), notJson));
    expect(a.code).toBe('E_CONVERT');
    expect(a.message).toMatch(/^Cannot convert loss network 'vgg': model\.json: not JSON \(/);
    const empty = new Map([['model.json', text('{}')]]);
    const b = await conversionError(convertCatalogEntry(lossNetwork('vgg', 'vgg19-tfjs', empty), empty));
    expect(b.message).toBe("Cannot convert loss network 'vgg': model.json: Expected a TF.js layers model.json with modelTopology.model_config.config.layers");
  });

  it('rejects a family no converter knows, and arguments of the wrong type', async () => {
    const entry = { ...style('synthetic', 'pytorch-examples', ncnnFiles()), family: 'caffe' } as unknown as CatalogStyle;
    const err = await conversionError(convertCatalogEntry(entry, ncnnFiles()));
    expect(err.code).toBe('E_CONVERT');
    expect(err.message).toBe(`Cannot convert 'synthetic': no converter for family "caffe" (known: pytorch-examples, ml5, squeezenet-ncnn, vgg19-tfjs, tflite)`);
    const good = style('synthetic', 'pytorch-examples', ncnnFiles());
    await expect(convertCatalogEntry(good, { 'synthetic.bin': NCNN_BIN } as never)).rejects.toThrow(
      new TypeError('Expected a Map of file name → Uint8Array for files but received an object of type Object'),
    );
    await expect(convertCatalogEntry(good, new Map([['synthetic.bin', [1, 2] as never]]))).rejects.toThrow(TypeError);
    await expect(convertCatalogEntry(null as never, ncnnFiles())).rejects.toThrow(TypeError);
  });

  it('has its own error code', () => {
    expect(ERROR_CODES).toContain('E_CONVERT');
  });
});

describe('the converters are runtime-agnostic', () => {
  const dir = join(REPO_ROOT, 'packages', 'core', 'src', 'converters');
  it.each(readdirSync(dir).filter((f) => f.endsWith('.ts')))('%s imports no node:* module, runtime or DOM', (file) => {
    const source = readFileSync(join(dir, file), 'utf8');
    const imports = [...source.matchAll(/(?:from|import\()\s*'([^']+)'/g)].map((m) => m[1]);
    // Relative imports within core, and nothing from the platform layer above (imports go down only).
    for (const specifier of imports) expect(specifier, file).toMatch(/^\.\.?\/(?!.*platform\/)/);
    expect(source).not.toMatch(/\b(document|window|Buffer|process)\./);
  });
});
