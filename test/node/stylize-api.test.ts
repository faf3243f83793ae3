import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { PasticheError, StyleModel, dispose, loadStyle, nodeRuntime, stylize } from '@pastiche/node';
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
    const model = await StyleModel.load(bytes, nodeRuntime);
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

describe('sessions', () => {
  it('are created once per model and device, and released by dispose()', async () => {
    const a = await loadStyle('candy');
    const b = await loadStyle('candy', { device: 'cpu' });
    expect(b.model).toBe(a.model);
    await dispose();
    const c = await loadStyle('candy');
    expect(c.model).not.toBe(a.model);
    await expectCode(a.model.run({ data: new Float32Array(3 * 16), width: 4, height: 4 }), 'E_INFERENCE', /disposed/);
  });
});

describe('errors', () => {
  it('explains how to install CUDA when its libraries are missing', async () => {
    await expectCode(stylize(photo(), 'candy', { device: 'cuda' }), 'E_DEVICE_UNAVAILABLE', /npm rebuild onnxruntime-node --onnxruntime-node-install=cuda12/);
  });

  it("falls back from 'auto' to the CPU with one warning", async () => {
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    try {
      const first = await stylize(photo(), 'candy', { device: 'auto', size: 64 });
      await stylize(photo(), 'mosaic', { device: 'auto', size: 64 });
      await new Promise((r) => setImmediate(r));
      expect(first.info.device).toBe('cpu');
      expect(warnings.filter((w) => (w as { code?: string }).code === 'PASTICHE_DEVICE_FALLBACK')).toHaveLength(1);
    } finally {
      process.off('warning', onWarning);
    }
  });

  it('rejects bad arguments with messages that name them', async () => {
    await expect(stylize(photo(), 'candy', { device: 'tpu' as never })).rejects.toThrow(
      "Expected one of auto, cpu, cuda, webgpu for device but received \"tpu\" of type string",
    );
    await expect(stylize(photo(), 'candy', { strength: 2 })).rejects.toThrow('Expected number between 0 and 1 for strength but received 2');
    await expect(stylize(photo(), 'candy', { size: -3 })).rejects.toThrow('Expected positive integer for size but received -3 of type number');
    await expect(stylize(photo(), 42 as never)).rejects.toThrow(TypeError);
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
