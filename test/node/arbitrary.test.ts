/**
 * The arbitrary-style method through the kernel (@pastiche/node's platform): built-in networks fetched and converted on
 * first use, LiteRT's goldens reached through `stylize` on raw pixels, held stylizers (style vectors cached, predictStyle
 * and its JSON), blends and strength, .tflite models by path, bytes and URL converted as they load, and option errors.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BUILTIN_CATALOG,
  PasticheError,
  TFLITE_CONVERTER_VERSION,
  convertedModelKey,
  createPastiche,
  sourceFileUrl,
  type CatalogEntry,
  type LoadProgress,
  type OrtRuntime,
} from '@pastiche/core';
import { cachedModelPath } from '../../packages/node/src/model-store.js';
import { nodePlatform } from '../../packages/node/src/node-platform.js';
import type { StylizedImage } from '../../packages/node/src/stylized-image.js';
import { startAssetServer, type AssetServer } from '../helpers/asset-server.js';
import { asset, assetFloat32, contentImage } from '../helpers/assets.js';
import { craftTflite } from '../helpers/crafted-tflite.js';

const GOLDEN = 'golden/magenta';
const MAGENTA = 'weights/arbitrary/magenta-tflite';
const styleImage = (name: string) => asset(`images/style/${name}`);
const entry = (name: string): CatalogEntry => BUILTIN_CATALOG.arbitraryNetworks.find((e) => e.name === name)!;
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

const readBytes = (path: string) => new Uint8Array(readFileSync(path));


/**
 * A golden NHWC 0..1 tensor as raw 8-bit pixels. The goldens' inputs are sharp's 8-bit output divided by 255, so this
 * gives back exactly the pixels LiteRT ran on.
 */
function rawOf(relative: string, size: number) {
  const nhwc = assetFloat32(relative);
  const data = new Uint8Array(nhwc.length);
  let off = 0;
  for (let i = 0; i < nhwc.length; i++) {
    data[i] = Math.round(nhwc[i] * 255);
    off = Math.max(off, Math.abs(data[i] / 255 - nhwc[i]));
  }
  expect(off).toBeLessThan(1e-6);
  return { data, width: size, height: size, channels: 3 as const };
}

/** PSNR (dB) of an 8-bit RGB result against a golden NHWC 0..1 tensor. */
function psnr(image: StylizedImage, golden: Float32Array): number {
  expect(image.data.length).toBe(golden.length);
  let d = 0;
  for (let i = 0; i < golden.length; i++) d += (image.data[i] / 255 - golden[i]) ** 2;
  return 10 * Math.log10(1 / (d / golden.length));
}

const same = (a: StylizedImage, b: StylizedImage) => Buffer.from(a.data).equals(Buffer.from(b.data));
const meanAbs = (a: StylizedImage, b: StylizedImage) => a.data.reduce((s, v, i) => s + Math.abs(v - b.data[i]), 0) / a.data.length;
function spread(image: StylizedImage): number {
  const mean = image.data.reduce((s, v) => s + v, 0) / image.data.length;
  return Math.sqrt(image.data.reduce((s, v) => s + (v - mean) ** 2, 0) / image.data.length);
}

async function failure(promise: Promise<unknown>): Promise<Error & { code?: string }> {
  const error = await promise.then(() => undefined, (e: unknown) => e as Error & { code?: string });
  if (!error) throw new Error('expected a failure');
  return error;
}

/** nodePlatform whose sessions count their runs by the model's first input name (`style_image`: the predictor). */
function countingPastiche() {
  const runs = new Map<string, number>();
  const runtime: OrtRuntime = {
    ...nodePlatform.runtime,
    async createSession(model, options) {
      const session = await nodePlatform.runtime.createSession(model, options);
      const name = session.inputNames[0];
      return new Proxy(session, {
        get(target, key, receiver) {
          if (key === 'run') runs.set(name, (runs.get(name) ?? 0) + 1);
          const value = Reflect.get(target, key, receiver);
          return typeof value === 'function' ? value.bind(target) : value;
        },
      });
    },
  };
  return { pastiche: createPastiche({ ...nodePlatform, runtime }), runs };
}

const photo = () => contentImage('chelsea.png');
const wave = () => styleImage('great_wave.jpg');
const scream = () => styleImage('the_scream.jpg');

describe('built-in arbitrary-style networks on first use', () => {
  let server: AssetServer;
  const saved = process.env.PASTICHE_MODELS;
  beforeAll(async () => {
    server = await startAssetServer(BUILTIN_CATALOG.arbitraryNetworks);
    process.env.PASTICHE_MODELS = await mkdtemp(join(tmpdir(), 'pastiche-no-models-'));
  });
  afterAll(async () => {
    process.env.PASTICHE_MODELS = saved;
    if (saved === undefined) delete process.env.PASTICHE_MODELS;
    await server.close();
  });

  it('downloads and converts the predictor and the default transfer network once; the second call makes no request', async () => {
    const cacheDir = await mkdtemp(join(tmpdir(), 'pastiche-arbitrary-first-use-'));
    const events: LoadProgress[] = [];
    const options = { method: 'arbitrary' as const, cacheDir, remoteHost: server.base, size: 64, onLoadProgress: (e: LoadProgress) => events.push(e) };
    const pastiche = createPastiche(nodePlatform);
    const first = await pastiche.stylize(photo(), { styleImage: wave() }, options);
    expect(first.info.model).toBe('arbitrary:magenta-transfer-f16');
    const paths = ['magenta-predictor', 'magenta-transfer-f16'].map((name) => sourceFileUrl('', entry(name), entry(name).source.files[0]));
    expect([...server.requests].sort()).toEqual(paths.sort());
    expect(events.filter((e) => e.status === 'ready').map((e) => e.name).sort()).toEqual(['magenta-predictor', 'magenta-transfer-f16']);
    const kept = (await readdir(join(cacheDir, 'models'))).sort();
    expect(kept).toEqual(['magenta-predictor.onnx', 'magenta-transfer-f16.onnx']);
    for (const name of ['magenta-predictor', 'magenta-transfer-f16']) {
      expect(sha256(await readFile(join(cacheDir, 'models', `${name}.onnx`)))).toBe(entry(name).onnx.sha256);
    }
    await pastiche.dispose();

    const again = createPastiche(nodePlatform);
    const second = await again.stylize(photo(), { styleImage: wave() }, { ...options, onLoadProgress: undefined });
    expect(same(second, first)).toBe(true);
    expect(server.requests).toHaveLength(2);
    // The int8 network is the other built-in choice, fetched when asked for.
    const int8 = await again.loadArbitraryStylizer({ transferNetwork: 'magenta-transfer-int8', cacheDir, remoteHost: server.base });
    expect(int8.info).toMatchObject({ predictor: 'magenta-predictor', transferNetwork: 'magenta-transfer-int8', styleLength: 100 });
    expect(server.requests).toHaveLength(3);
    await again.dispose();
  });
});

describe('stylize(content, { styleImage }, { method: "arbitrary" }) against LiteRT', () => {
  const pastiche = createPastiche(nodePlatform);
  afterAll(() => pastiche.dispose());
  const content = () => rawOf(`${GOLDEN}/inputs/content_chelsea_crop300_384.f32`, 384);
  const starry = () => rawOf(`${GOLDEN}/inputs/style_starry_night_256.f32`, 256);
  const golden = (name: string) => assetFloat32(`${GOLDEN}/outputs/${name}.f32`);

  it('reaches the fp16 and int8 goldens (≥ 40 dB), the strength 0.5 and 1:1 blend goldens', async () => {
    const fp16 = await pastiche.stylize(content(), { styleImage: starry() }, { method: 'arbitrary' });
    const int8 = await pastiche.stylize(content(), { styleImage: starry() }, { method: 'arbitrary', transferNetwork: 'magenta-transfer-int8' });
    const half = await pastiche.stylize(content(), { styleImage: starry() }, { method: 'arbitrary', strength: 0.5 });
    const chelsea = rawOf(`${GOLDEN}/inputs/content_chelsea_crop300_256.f32`, 256);
    const blend = await pastiche.stylize(content(), { styleImages: [starry(), { image: chelsea, weight: 1 }] }, { method: 'arbitrary' });
    const results = {
      fp16: psnr(fp16, golden('f16_384__chelsea384__starry_night')),
      int8: psnr(int8, golden('q384__chelsea384__starry_night')),
      'strength 0.5': psnr(half, golden('f16_384__chelsea384__blend50_starry_night_chelsea')),
      'blend 1:1': psnr(blend, golden('f16_384__chelsea384__blend50_starry_night_chelsea')),
    };
    console.log(Object.entries(results).map(([k, v]) => `${k} ${v.toFixed(1)} dB`).join(', '));
    for (const db of Object.values(results)) expect(db).toBeGreaterThanOrEqual(40);
    // Different things: the int8 network is 26–32 dB from the fp16 one.
    expect(psnr(fp16, golden('q384__chelsea384__starry_night'))).toBeLessThan(35);
    expect(fp16.info).toMatchObject({ model: 'arbitrary:magenta-transfer-f16', device: 'cpu' });
  });

  it('gives the golden with graphRewrites off too, and the kept vector of the style the same pixels', async () => {
    const plain = await pastiche.stylize(content(), { styleImage: starry() }, { method: 'arbitrary', graphRewrites: false });
    expect(psnr(plain, golden('f16_384__chelsea384__starry_night'))).toBeGreaterThanOrEqual(40);
    const vector = await pastiche.predictStyle(starry());
    const bottleneck = assetFloat32(`${GOLDEN}/bottlenecks/sp256__starry_night.f32`);
    expect(Math.max(...vector.values.map((v, i) => Math.abs(v - bottleneck[i])))).toBe(0);
    const fromVector = await pastiche.stylize(content(), { styleVector: JSON.parse(JSON.stringify(vector)) }, { graphRewrites: false });
    expect(same(fromVector, plain)).toBe(true);
  });
});

describe('loadArbitraryStylizer', () => {
  const { pastiche, runs } = countingPastiche();
  let stylizer: Awaited<ReturnType<typeof pastiche.loadArbitraryStylizer>>;
  beforeAll(async () => {
    stylizer = await pastiche.loadArbitraryStylizer();
  });
  afterAll(() => pastiche.dispose());
  const predictorRuns = () => runs.get('style_image') ?? 0;

  it('describes itself and keeps each painting\'s vector: another strength reruns only the transfer network', async () => {
    expect(stylizer.info).toEqual({
      predictor: 'magenta-predictor',
      transferNetwork: 'magenta-transfer-f16',
      device: 'cpu',
      styleLength: 100,
      predictorSize: { width: 256, height: 256 },
    });
    const before = predictorRuns();
    const progress: string[] = [];
    const full = await stylizer.stylize(photo(), { styleImage: wave() }, { size: 128, onProgress: (p) => progress.push(`${p.done}/${p.total} ${p.step}`) });
    expect(progress).toEqual(['1/2 style', '2/2 transfer']);
    expect(predictorRuns() - before).toBe(1);
    const strengths = [];
    for (const strength of [0.75, 0.5, 0.25, 0]) strengths.push(await stylizer.stylize(photo(), { styleImage: wave() }, { size: 128, strength }));
    // The content's own vector once, the painting's never again.
    expect(predictorRuns() - before).toBe(2);
    expect([full.width, full.height]).toEqual([128, 85]);
    for (const image of strengths) expect([image.width, image.height]).toEqual([128, 85]);
    // Strength moves the result away from the full style, step by step.
    const distances = strengths.map((image) => meanAbs(image, full));
    expect(distances).toEqual([...distances].sort((a, b) => a - b));
    expect(distances[0]).toBeGreaterThan(0.5);
  });

  it('strength 0 stylizes with the content’s own vector, which predictStyle gives', async () => {
    const own = await stylizer.predictStyle(photo());
    const zero = await stylizer.stylize(photo(), { styleImage: scream() }, { strength: 0 });
    const fromOwn = await stylizer.stylize(photo(), { styleVector: own });
    expect(same(zero, fromOwn)).toBe(true);
    expect([zero.width, zero.height]).toEqual([451, 300]);
    expect(spread(zero)).toBeGreaterThan(20);
  });

  it('predictStyle gives a vector JSON keeps whole, which gives the same pixels as the painting', async () => {
    const vector = await stylizer.predictStyle(scream());
    expect(vector.predictor).toBe('magenta-predictor');
    expect(vector.values).toHaveLength(100);
    const text = JSON.stringify(vector);
    expect(JSON.parse(text)).toEqual(vector);
    const fromJson = await stylizer.stylize(photo(), { styleVector: JSON.parse(text) }, { size: 96 });
    const fromArray = await stylizer.stylize(photo(), { styleVector: Array.from(vector.values) }, { size: 96 });
    const fromFloats = await stylizer.stylize(photo(), { styleVector: Float32Array.from(vector.values) }, { size: 96 });
    const fromImage = await stylizer.stylize(photo(), { styleImage: scream() }, { size: 96 });
    for (const image of [fromArray, fromFloats, fromImage]) expect(same(image, fromJson)).toBe(true);
  });

  it('blends two paintings by weight in vector space, as the kept vectors with the same weights', async () => {
    const [a, b] = [await stylizer.predictStyle(wave()), await stylizer.predictStyle(scream())];
    const blend = await stylizer.stylize(photo(), { styleImages: [wave(), { image: scream(), weight: 0.3 }] }, { size: 96 });
    const vectors = await stylizer.stylize(photo(), { styleVectors: [a, { vector: b, weight: 0.3 }] }, { size: 96 });
    const scaled = await stylizer.stylize(photo(), { styleVectors: [{ vector: a, weight: 10 }, { vector: b, weight: 3 }] }, { size: 96 });
    expect(same(blend, vectors)).toBe(true);
    expect(same(scaled, vectors)).toBe(true);
    const waveOnly = await stylizer.stylize(photo(), { styleImage: wave() }, { size: 96 });
    const screamOnly = await stylizer.stylize(photo(), { styleImage: scream() }, { size: 96 });
    // Nearer the heavier style.
    expect(meanAbs(blend, waveOnly)).toBeLessThan(meanAbs(blend, screamOnly));
    expect(meanAbs(blend, waveOnly)).toBeGreaterThan(1);
  });

  it('preserveColors keeps the photo’s chroma', async () => {
    const plain = await stylizer.stylize(photo(), { styleImage: wave() }, { size: 96 });
    const kept = await stylizer.stylize(photo(), { styleImage: wave() }, { size: 96, preserveColors: true });
    expect(same(plain, kept)).toBe(false);
    // The wave is blue: the stylized image is bluer than the photo's colours.
    const blueShare = (image: StylizedImage) => {
      let b = 0;
      let all = 0;
      for (let i = 0; i < image.data.length; i += 3) {
        b += image.data[i + 2];
        all += image.data[i] + image.data[i + 1] + image.data[i + 2];
      }
      return b / all;
    };
    expect(blueShare(plain)).toBeGreaterThan(blueShare(kept) + 0.02);
  });

  it('refuses options in the wrong place, bad styles and bad values before any run', async () => {
    const before = new Map(runs);
    const cases: [() => Promise<unknown>, RegExp, ErrorConstructor][] = [
      [() => stylizer.stylize(photo(), { styleImage: wave() }, { predictor: 'x' } as never), /predictor.*a load option: pass it to loadArbitraryStylizer\(\)/, TypeError],
      [() => stylizer.stylize(photo(), { styleImage: wave() }, { iterations: 3 } as never), /iterations/, TypeError],
      [() => stylizer.stylize(photo(), { styleImage: wave() }, { strength: 2 }), /Expected number between 0 and 1 for strength but received 2/, RangeError],
      [() => stylizer.stylize(photo(), { styleVector: [1, 2, 3] }), /Expected 100 for styleVector\.length but received 3/, RangeError],
      [() => stylizer.stylize(photo(), { styleVector: { values: [NaN] } } as never), /styleVector\.values\[0\]/, RangeError],
      [() => stylizer.stylize(photo(), { styleImage: wave(), styleVector: [1] } as never), /Expected one of styleImage, styleImages, styleVector, styleVectors for style but received styleImage and styleVector/, TypeError],
      [() => stylizer.stylize(photo(), { styleImages: [] }), /styleImages/, RangeError],
      [() => stylizer.stylize(photo(), { styleImages: [{ image: wave(), weight: -1 }] }), /weight/, RangeError],
      [() => stylizer.stylize(photo(), {} as never), /Expected an object with one of styleImage/, TypeError],
      [() => stylizer.stylize(42 as never, { styleImage: wave() }), /for content/, TypeError],
      [() => stylizer.predictStyle(wave(), { size: 3 } as never), /size/, TypeError],
    ];
    for (const [promise, message, type] of cases) {
      const error = await failure(promise());
      expect(error, message.source).toBeInstanceOf(type);
      expect(error.message).toMatch(message);
    }
    expect(runs).toEqual(before);
  });

  it('ends a run in flight with E_DISPOSED when disposed, and fails afterwards', async () => {
    const held = await pastiche.loadArbitraryStylizer();
    let disposing: Promise<void> | undefined;
    const running = held.stylize(photo(), { styleImage: styleImage('sunflowers.jpg') }, {
      strength: 0.5,
      // Disposed after the painting's vector, before the content's and the transfer network.
      onProgress: ({ step }) => void (step === 'style' && (disposing = held.dispose())),
    });
    const error = await failure(running);
    expect(error).toMatchObject({ code: 'E_DISPOSED', message: expect.stringContaining('This arbitrary stylizer (magenta-transfer-f16) was disposed') });
    await disposing;
    expect((await failure(held.stylize(photo(), { styleImage: wave() }))).code).toBe('E_DISPOSED');
    expect((await failure(held.predictStyle(wave()))).code).toBe('E_DISPOSED');
    // The shared sessions live on for the other stylizer.
    expect((await stylizer.stylize(photo(), { styleImage: wave() }, { size: 64 })).width).toBe(64);
  });
});

describe('one-shot options', () => {
  const pastiche = createPastiche(nodePlatform);
  afterAll(() => pastiche.dispose());

  it('chooses the method from the style and `method`, and says where an option belongs', async () => {
    const cases: [() => Promise<unknown>, RegExp, ErrorConstructor][] = [
      [() => pastiche.stylize(photo(), { styleImage: wave() }, { method: 'arbitrary', iterations: 3 } as never), /iterations.*an option of the optimisation method/, TypeError],
      [() => pastiche.stylize(photo(), { styleImage: wave() }, { lossNetwork: 'squeezenet', transferNetwork: 'x' } as never), /transferNetwork.*an option of the arbitrary method/, TypeError],
      [() => pastiche.stylize(photo(), { styleImage: wave() }, { method: 'fast' } as never), /Expected one of 'optimization', 'arbitrary' for method but received "fast"/, RangeError],
      [() => pastiche.stylize(photo(), 'candy', { method: 'arbitrary' } as never), /with method 'arbitrary': a style network runs the fast method/, TypeError],
      [() => pastiche.stylize(photo(), { styleVector: [1] }, { method: 'optimization' } as never), /style vectors are the arbitrary method's/, TypeError],
      [() => pastiche.stylize(photo(), { styleImage: wave() }, { method: 'arbitrary', sha256: 'a'.repeat(64) } as never), /Expected no sha256 with the arbitrary method/, TypeError],
      [() => pastiche.loadArbitraryStylizer({ strength: 0.5 } as never), /strength.*a run option: pass it to stylize\(\)/, TypeError],
      [() => pastiche.loadArbitraryStylizer({ transferNetwork: 42 } as never), /Expected a transfer network name, a path or URL of an \.onnx or \.tflite file, or its bytes for transferNetwork/, TypeError],
      [() => pastiche.predictStyle(wave(), { transferNetwork: 'magenta-transfer-f16' } as never), /predictStyle runs only the predictor/, TypeError],
      [() => pastiche.predictStyle(42 as never), /for image/, TypeError],
    ];
    for (const [promise, message, type] of cases) {
      const error = await failure(promise());
      expect(error, message.source).toBeInstanceOf(type);
      expect(error.message).toMatch(message);
    }
  });

  it('types what fails later: an unknown network, a predictor that is no transfer network, an image over maxPixels', async () => {
    const unknown = await failure(pastiche.loadArbitraryStylizer({ transferNetwork: 'magenta-transfer-f32' }));
    expect(unknown).toMatchObject({ code: 'E_MODEL_NOT_FOUND', message: expect.stringContaining("Unknown transfer network 'magenta-transfer-f32': expected a built-in transfer network (magenta-transfer-f16, magenta-transfer-int8)") });
    const swapped = await failure(pastiche.loadArbitraryStylizer({ transferNetwork: asset(`${MAGENTA}/style_predict_quantized_256.tflite`) }));
    expect(swapped).toMatchObject({ code: 'E_MODEL_SIGNATURE' });
    const large = await failure(pastiche.stylize(photo(), { styleImage: wave() }, { method: 'arbitrary', maxPixels: 1000 }));
    expect(large).toMatchObject({ code: 'E_IMAGE_TOO_LARGE' });
  });
});

describe('.tflite models converted as they load', () => {
  const pastiche = createPastiche(nodePlatform);
  afterAll(() => pastiche.dispose());
  const tflite = (name: string) => readBytes(asset(`${MAGENTA}/${name}.tflite`));

  it('takes the networks as .tflite by path and as bytes, to the built-in networks’ pixels', async () => {
    const stylizer = await pastiche.loadArbitraryStylizer({
      predictor: tflite('style_predict_quantized_256'),
      transferNetwork: asset(`${MAGENTA}/style_transfer_f16_384.tflite`),
    });
    expect(stylizer.info).toMatchObject({ predictor: 'model', transferNetwork: 'style_transfer_f16_384' });
    const converted = await stylizer.stylize(photo(), { styleImage: wave() }, { size: 128 });
    const builtIn = await pastiche.stylize(photo(), { styleImage: wave() }, { method: 'arbitrary', size: 128 });
    expect(same(converted, builtIn)).toBe(true);
    await stylizer.dispose();
  });

  it('tells a TFLite file by its identifier, not its name: a .tflite style network by path and bytes', async () => {
    // One 1×1 convolution that swaps red and blue: an image-to-image network of the fast method.
    const swap = new Float32Array([0, 0, 1, 0, 1, 0, 1, 0, 0]);
    const bytes = craftTflite({
      tensors: [
        { name: 'image', shape: [1, 8, 8, 3] },
        { name: 'filter', shape: [3, 1, 1, 3], data: swap },
        { name: 'bias', shape: [3], data: new Float32Array(3) },
        { name: 'swapped', shape: [1, 8, 8, 3] },
      ],
      inputs: [0],
      outputs: [3],
      operators: [{ code: 3, inputs: [0, 1, 2], outputs: [3], options: [{ id: 0, i8: 0 }, { id: 1, i32: 1 }, { id: 2, i32: 1 }] }],
    });
    const dir = await mkdtemp(join(tmpdir(), 'pastiche-tflite-'));
    await writeFile(join(dir, 'swap.bin'), bytes);
    const rgb = { data: Uint8Array.from({ length: 5 * 4 * 3 }, (_, i) => (i * 37) % 256), width: 5, height: 4, channels: 3 as const };
    for (const style of [join(dir, 'swap.bin'), bytes]) {
      const out = await pastiche.stylize(rgb, style);
      expect([out.width, out.height]).toEqual([5, 4]);
      for (let p = 0; p < 20; p++) expect([...out.data.subarray(3 * p, 3 * p + 3)]).toEqual([rgb.data[3 * p + 2], rgb.data[3 * p + 1], rgb.data[3 * p]]);
    }
    const broken = await failure(pastiche.stylize(rgb, bytes.subarray(0, 64)));
    expect(broken).toMatchObject({ code: 'E_CONVERT', message: expect.stringContaining('truncated or corrupt') });
  });

  it('by URL, keeps the converted model in the download cache under the converter version, not the original', async () => {
    const server = await startAssetServer([]);
    server.routes.set('/nets/style_transfer_f16_384.tflite', asset(`${MAGENTA}/style_transfer_f16_384.tflite`));
    const cacheDir = await mkdtemp(join(tmpdir(), 'pastiche-tflite-url-'));
    const url = `${server.base}/nets/style_transfer_f16_384.tflite`;
    try {
      const first = createPastiche(nodePlatform);
      const stylizer = await first.loadArbitraryStylizer({ transferNetwork: url, cacheDir });
      expect(stylizer.info.transferNetwork).toBe('style_transfer_f16_384');
      const key = convertedModelKey(url, undefined);
      expect(key).toBe(`${server.base}/nets/style_transfer_f16_384.tflite.onnx?pastiche-converter=${encodeURIComponent(TFLITE_CONVERTER_VERSION)}`);
      const kept = await readFile(cachedModelPath(cacheDir, key));
      expect(kept.subarray(4, 8).toString()).not.toBe('TFL3');
      expect(existsSync(cachedModelPath(cacheDir, url))).toBe(false);
      await first.dispose();

      const events: LoadProgress[] = [];
      const second = createPastiche(nodePlatform);
      await second.loadArbitraryStylizer({ transferNetwork: url, cacheDir, onLoadProgress: (e) => events.push(e) });
      expect(server.requests).toEqual(['/nets/style_transfer_f16_384.tflite']);
      expect(events.find((e) => e.status === 'download')).toMatchObject({ cached: true, url });
      await second.dispose();
    } finally {
      await server.close();
    }
  });
});
