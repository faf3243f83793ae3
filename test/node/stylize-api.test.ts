import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { StyleModel, createPastiche } from '@pastiche/core';
import { PasticheError, dispose, loadStyle, stylize } from '@pastiche/node';
import { cudaLibrariesInstalled } from '../../packages/node/src/devices.js';
import { nodePlatform } from '../../packages/node/src/node-platform.js';
import { builtModel, contentImage, thirdPartyModel } from '../helpers/assets.js';
import { maxAbsDiff } from '../helpers/images.js';

afterAll(() => dispose());

const photo = () => contentImage('chelsea_448x300.png');

async function expectCode(promise: Promise<unknown>, code: string, message?: RegExp): Promise<PasticheError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PasticheError);
  expect((error as PasticheError).code).toBe(code);
  if (message) expect((error as Error).message).toMatch(message);
  return error as PasticheError;
}

describe('stylize() inputs and outputs', () => {
  it('accepts a path, a Buffer, a sharp instance and raw pixels alike', async () => {
    const file = photo();
    const encoded = await readFile(file);
    const { data, info } = await sharp(file).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    const raw = { data: new Uint8Array(data), width: info.width, height: info.height, channels: 3 as const };
    const results = await Promise.all([
      stylize(file, 'candy'),
      stylize(encoded, 'candy'),
      stylize(sharp(file), 'candy'),
      stylize(raw, 'candy'),
    ]);
    for (const r of results) {
      expect([r.width, r.height, r.channels]).toEqual([448, 300, 3]);
      expect(Buffer.from(r.data).equals(Buffer.from(results[0].data))).toBe(true);
    }
    expect(results[0].info).toMatchObject({ model: 'candy', device: 'cpu' });
    expect(maxAbsDiff(results[0].data, raw.data)).toBeGreaterThan(100);
  });

  it('accepts the style as a path, ONNX bytes or a loaded model', async () => {
    const path = builtModel('candy.onnx');
    const bytes = await readFile(path);
    const model = await StyleModel.load(bytes, nodePlatform.runtime);
    const [byName, byPath, byBytes, byModel] = await Promise.all([
      stylize(photo(), 'candy', { size: 128 }),
      stylize(photo(), path, { size: 128 }),
      stylize(photo(), bytes, { size: 128 }),
      stylize(photo(), model, { size: 128 }),
    ]);
    for (const r of [byPath, byBytes, byModel]) expect(Buffer.from(r.data).equals(Buffer.from(byName.data))).toBe(true);
    expect([byName.width, byName.height]).toEqual([128, 86]);
    await model.dispose();
  });

  it('encodes PNG losslessly and writes files atomically', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pastiche-out-'));
    const out = await stylize(photo(), 'candy', { size: 96 });
    await out.toFile(join(dir, 'a.png'));
    const back = await sharp(join(dir, 'a.png')).raw().toBuffer();
    expect(back.equals(Buffer.from(out.data))).toBe(true);
    const jpeg = await out.toBuffer('jpeg', { quality: 80 });
    expect(jpeg.subarray(0, 2).toString('hex')).toBe('ffd8');
    await expect(out.toFile(join(dir, 'a.bmp'))).rejects.toThrow(/Expected an output file ending in .png/);
    await expectCode(out.toFile(join(dir, 'missing-dir', 'a.png')), 'E_IO', /Could not write/);
    expect((await readdir(dir)).sort()).toEqual(['a.png']);
  });

  it('strength 0 returns the content and preserveColors keeps its chroma', async () => {
    const { data } = await sharp(photo()).raw().toBuffer({ resolveWithObject: true });
    const none = await stylize(photo(), 'candy', { strength: 0 });
    expect(maxAbsDiff(none.data, data)).toBe(0);
    const kept = await stylize(photo(), 'candy', { preserveColors: true });
    const styled = await stylize(photo(), 'candy');
    // Mean per-pixel distance in the CbCr plane (BT.601) from the content's chroma.
    const chromaDistance = (px: ArrayLike<number>) => {
      let sum = 0;
      for (let i = 0; i < px.length; i += 3) {
        const dr = px[i] - data[i], dg = px[i + 1] - data[i + 1], db = px[i + 2] - data[i + 2];
        sum += Math.abs(-0.168736 * dr - 0.331264 * dg + 0.5 * db) + Math.abs(0.5 * dr - 0.418688 * dg - 0.081312 * db);
      }
      return sum / (px.length / 3);
    };
    expect(chromaDistance(kept.data)).toBeLessThan(2);
    expect(chromaDistance(styled.data)).toBeGreaterThan(20);
  });
});

describe('load once, run many', () => {
  it('loadStyle returns a stylizer that runs many times and reports what it loaded', async () => {
    const stylizer = await loadStyle('candy');
    expect(stylizer.info).toMatchObject({ model: 'candy', title: 'Candy', device: 'cpu', fixedSize: undefined });
    expect(stylizer.info.conventions.sizeMultiple).toBe(4);
    const [a, b] = await Promise.all([stylizer.stylize(photo(), { size: 64 }), stylizer.stylize(photo(), { size: 96 })]);
    expect([a.width, b.width]).toEqual([64, 96]);
    const oneShot = await stylize(photo(), 'candy', { size: 64 });
    expect(Buffer.from(oneShot.data).equals(Buffer.from(a.data))).toBe(true);
    await stylizer.dispose();
    await expectCode(stylizer.stylize(photo()), 'E_DISPOSED', /load the style again/);
  });

  it('share one session per model and device until the last user lets go, and dispose() releases them all', async () => {
    const pastiche = createPastiche(nodePlatform);
    const a = await pastiche.loadStyle('candy');
    const b = await pastiche.loadStyle('candy', { device: 'cpu' });
    await a.dispose();
    expect((await b.stylize(photo(), { size: 32 })).width).toBe(32);
    const c = await pastiche.loadStyle('candy', { sessionOptions: { intraOpNumThreads: 1 } });
    await pastiche.dispose();
    await expectCode(c.stylize(photo(), { size: 32 }), 'E_DISPOSED', /^This stylizer of 'candy' was disposed; load the style again\.$/);
  });

  it('tells load options from run options', async () => {
    const stylizer = await loadStyle('candy');
    await expect(stylizer.stylize(photo(), { device: 'cpu' } as never)).rejects.toThrow(
      new TypeError("Expected no 'device' in run options: it is a load option: pass it to loadStyle()"),
    );
    await expect(loadStyle('candy', { size: 64 } as never)).rejects.toThrow(
      new TypeError("Expected no 'size' in loadStyle() options: it is a run option: pass it to stylize()"),
    );
    await expect(stylize(photo(), 'candy', { iterations: 3 } as never)).rejects.toThrow(/'iterations'.*optimisation method/);
    await expect(stylize(photo(), 'candy', { sise: 3 } as never)).rejects.toThrow(TypeError);
    await stylizer.dispose();
  });

  it('takes a loaded StyleModel as it is, reporting its device and refusing device options', async () => {
    const model = await StyleModel.load(await readFile(builtModel('candy.onnx')), nodePlatform.runtime, { sessionOptions: { executionProviders: ['cpu'] } });
    const stylizer = await loadStyle(model);
    expect(stylizer.info.device).toBe('cpu');
    await expect(loadStyle(model, { device: 'cpu' })).rejects.toThrow(/Expected no device with a loaded StyleModel/);
    await stylizer.dispose();
    expect((await stylize(photo(), model, { size: 32 })).width).toBe(32);
    await model.dispose();
  });
});

describe('errors', () => {
  it.skipIf(cudaLibrariesInstalled())('explains how to install CUDA when its libraries are missing', async () => {
    await expectCode(stylize(photo(), 'candy', { device: 'cuda' }), 'E_DEVICE_UNAVAILABLE', /ONNXRUNTIME_NODE_INSTALL=cuda12 node node_modules\/onnxruntime-node\/script\/install\.js/);
  });

  it.skipIf(cudaLibrariesInstalled())("falls back from 'auto' to the CPU with one warning", async () => {
    // A kernel of its own, so that no earlier test has used up the warning.
    const pastiche = createPastiche(nodePlatform);
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    try {
      const first = await pastiche.stylize(photo(), 'candy', { device: 'auto', size: 64 });
      await pastiche.stylize(photo(), 'mosaic', { device: 'auto', size: 64 });
      await new Promise((r) => setImmediate(r));
      expect(first.info.device).toBe('cpu');
      expect(warnings.filter((w) => (w as { code?: string }).code === 'PASTICHE_DEVICE_FALLBACK')).toHaveLength(1);
    } finally {
      process.off('warning', onWarning);
      await pastiche.dispose();
    }
  });

  it('rejects bad arguments with messages that name them', async () => {
    await expect(stylize(photo(), 'candy', { device: 'tpu' as never })).rejects.toThrow(
      new RangeError("Expected one of 'auto', 'cpu', 'cuda', 'webgpu' for device but received \"tpu\" of type string"),
    );
    await expect(stylize(photo(), 'candy', { device: 3 as never })).rejects.toThrow(TypeError);
    await expect(stylize(photo(), 'candy', { strength: 2 })).rejects.toThrow(RangeError);
    await expect(stylize(photo(), 'candy', { strength: NaN })).rejects.toThrow(RangeError);
    await expect(stylize(photo(), 'candy', { tile: 0 })).rejects.toThrow(RangeError);
    await expect(stylize(photo(), 'candy', { size: -3 })).rejects.toThrow(new RangeError('Expected positive integer for size but received -3 of type number'));
    await expect(stylize(photo(), 42 as never)).rejects.toThrow(TypeError);
    await expect(stylize(photo(), 'candy', null as never)).rejects.toThrow(TypeError);
    await expect(stylize(photo(), 'candy', { executionProviders: 'cpu' as never })).rejects.toThrow(TypeError);
    await expect(stylize(42 as never, 'candy')).rejects.toThrow(TypeError);
  });

  it('says what to do about unknown styles, unreadable images and non-models', async () => {
    await expectCode(stylize(photo(), 'no-such-style'), 'E_MODEL_NOT_FOUND', /Unknown style 'no-such-style'.*candy/);
    await expectCode(stylize(photo(), 'missing/model.onnx'), 'E_MODEL_NOT_FOUND', /Could not read model file/);
    await expectCode(stylize('does-not-exist.jpg', 'candy'), 'E_IMAGE_DECODE', /does-not-exist\.jpg/);
    await expectCode(stylize(new Uint8Array([1, 2, 3, 4]), 'candy'), 'E_IMAGE_DECODE', /Expected a JPEG, PNG/);
    await expectCode(stylize(photo(), new Uint8Array([8, 1, 0xff, 0xff])), 'E_ONNX_PARSE');
    const dir = await mkdtemp(join(tmpdir(), 'pastiche-bad-'));
    await writeFile(join(dir, 'not-a-model.onnx'), 'hello');
    await expectCode(stylize(photo(), join(dir, 'not-a-model.onnx')), 'E_ONNX_PARSE');
  });

  it('rejects raw pixels whose length does not match', async () => {
    await expect(stylize({ data: new Uint8Array(10), width: 4, height: 4, channels: 3 }, 'candy')).rejects.toThrow(
      'Expected 48 bytes of pixel data for 4×4×3 but received 10',
    );
  });
});
