import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convertTflite } from '../../packages/core/src/converters/index.js';
import { preserveColors } from '../../packages/core/src/image/color.js';
import type { PlanarImage } from '../../packages/core/src/image/image-types.js';
import { cropImage } from '../../packages/core/src/image/padding.js';
import {
  predictStyle,
  StylePredictorModel,
  StyleTransferModel,
  stylizeArbitrary,
  type ArbitraryNetworks,
} from '../../packages/core/src/methods/arbitrary/index.js';
import type { OrtRuntime } from '../../packages/core/src/runtime/runtime.js';
import { asset, contentImage } from '../helpers/assets.js';
import { loadPlanar } from '../helpers/images.js';

/**
 * The arbitrary-style method's core (methods/arbitrary) on Magenta's converted networks against LiteRT's goldens
 * (../shared/assets/golden/magenta): the method's own resizing, blending, strength, padding and colour handling.
 */

const MAGENTA = 'weights/arbitrary/magenta-tflite';
const GOLDEN = 'golden/magenta';

const runtime: OrtRuntime = {
  name: 'onnxruntime-node',
  createSession: (bytes, options) => ort.InferenceSession.create(bytes, options),
  createTensor: (data, dims) => new ort.Tensor('float32', data, dims),
};

function f32(relative: string): Float32Array {
  const bytes = readFileSync(asset(relative));
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

/** A golden NHWC 0..1 tensor as a planar 0..255 image. */
function planar(relative: string, size: number): PlanarImage {
  const nhwc = f32(relative);
  const data = new Float32Array(nhwc.length);
  for (let i = 0; i < size * size; i++) for (let c = 0; c < 3; c++) data[c * size * size + i] = nhwc[i * 3 + c] * 255;
  return { data, width: size, height: size };
}

/** Bit-for-bit equality (vitest's deep equality is slow on 400 000 floats). */
const identical = (a: Float32Array, b: Float32Array) => a.length === b.length && Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));

function relativeL2(got: Float32Array, want: Float32Array): number {
  let d = 0;
  let n = 0;
  for (let i = 0; i < want.length; i++) {
    d += (got[i] - want[i]) ** 2;
    n += want[i] ** 2;
  }
  return Math.sqrt(d / n);
}

/** PSNR of planar images on the 0..255 scale. */
function psnr(got: PlanarImage, want: PlanarImage): number {
  expect([got.width, got.height]).toEqual([want.width, want.height]);
  let d = 0;
  for (let i = 0; i < want.data.length; i++) d += ((got.data[i] - want.data[i]) / 255) ** 2;
  return 10 * Math.log10(1 / (d / want.data.length));
}

const convert = (name: string) => convertTflite(new Uint8Array(readFileSync(asset(`${MAGENTA}/${name}.tflite`))));

let predictor: StylePredictorModel;
let transfer: StyleTransferModel;
let networks: ArbitraryNetworks;
beforeAll(async () => {
  predictor = await StylePredictorModel.load(convert('style_predict_quantized_256'), runtime);
  transfer = await StyleTransferModel.load(convert('style_transfer_f16_384'), runtime);
  networks = { predictor, transfer };
});
afterAll(async () => {
  await predictor?.dispose();
  await transfer?.dispose();
});

const starry = () => planar(`${GOLDEN}/inputs/style_starry_night_256.f32`, 256);
const content384 = () => planar(`${GOLDEN}/inputs/content_chelsea_crop300_384.f32`, 384);
const golden = (name: string) => planar(`${GOLDEN}/outputs/${name}.f32`, 384);

describe('predictStyle', () => {
  it('gives the bottleneck of a 256² painting, which it takes as it is', async () => {
    expect(predictor.inputSize).toEqual({ width: 256, height: 256 });
    expect(predictor.styleLength).toBe(100);
    const vector = await predictStyle(predictor, starry());
    expect(relativeL2(vector, f32(`${GOLDEN}/bottlenecks/sp256__starry_night.f32`))).toBeLessThanOrEqual(1e-3);
  });

  it('resizes other sizes with its lanczos3 filter: the int8 predictor amplifies its 1-level differences from sharp', async () => {
    // The golden's content vector came from this crop resized by sharp (lanczos3, rounded to 8 bits).
    const photo = await loadPlanar(contentImage('chelsea_448x300.png'));
    const crop = cropImage(photo, { x: 74, y: 0, width: 300, height: 300 });
    const error = relativeL2(await predictStyle(predictor, crop), f32(`${GOLDEN}/bottlenecks/sp256__chelsea.f32`));
    console.log(`chelsea crop through predictStyle's resize: relative L2 error ${error.toExponential(2)}`);
    expect(error).toBeLessThan(0.05);
  });
});

describe('stylizeArbitrary', () => {
  it('with a style image at full strength matches the fp16 golden (≥ 40 dB)', async () => {
    const db = psnr(await stylizeArbitrary(networks, content384(), starry()), golden('f16_384__chelsea384__starry_night'));
    console.log(`style image, strength 1: ${db.toFixed(2)} dB`);
    expect(db).toBeGreaterThanOrEqual(40);
  });

  it('at strength 0.5 mixes the vectors with the content’s own and matches the blend golden (≥ 40 dB)', async () => {
    const out = await stylizeArbitrary(networks, content384(), starry(), { strength: 0.5 });
    const db = psnr(out, golden('f16_384__chelsea384__blend50_starry_night_chelsea'));
    // The content's vector comes from the 384² content here, from the 300² crop in the golden.
    console.log(`strength 0.5: ${db.toFixed(2)} dB`);
    expect(db).toBeGreaterThanOrEqual(40);
    expect(psnr(out, golden('f16_384__chelsea384__starry_night'))).toBeLessThan(30);
  });

  it('blends two styles by weight in vector space (1:1 is the blend golden, 3:1 is not)', async () => {
    const chelsea = planar(`${GOLDEN}/inputs/content_chelsea_crop300_256.f32`, 256);
    const even = await stylizeArbitrary(networks, content384(), [starry(), chelsea], { styleWeights: [1, 1] });
    const db = psnr(even, golden('f16_384__chelsea384__blend50_starry_night_chelsea'));
    console.log(`two styles 1:1: ${db.toFixed(2)} dB`);
    expect(db).toBeGreaterThanOrEqual(40);
    const uneven = await stylizeArbitrary(networks, content384(), [starry(), chelsea], { styleWeights: [3, 1] });
    expect(psnr(uneven, even)).toBeLessThan(35);
  });

  it('takes a kept style vector (a JSON array) in place of the image, to the same pixels', async () => {
    const json = JSON.parse(JSON.stringify(Array.from(await predictStyle(predictor, starry())))) as number[];
    const fromVector = await stylizeArbitrary({ transfer }, content384(), json);
    const fromImage = await stylizeArbitrary(networks, content384(), starry());
    expect(identical(fromVector.data, fromImage.data)).toBe(true);
  });

  it('keeps any content size: pads to the network’s multiple of 4 at the bottom and right and crops back', async () => {
    const odd = cropImage(content384(), { x: 0, y: 0, width: 381, height: 383 });
    const out = await stylizeArbitrary(networks, odd, starry());
    const db = psnr(out, cropImage(golden('f16_384__chelsea384__starry_night'), { x: 0, y: 0, width: 381, height: 383 }));
    console.log(`381×383 content against the 384² golden: ${db.toFixed(2)} dB`);
    expect(db).toBeGreaterThanOrEqual(40);
    const tiny = await stylizeArbitrary(networks, cropImage(content384(), { x: 100, y: 100, width: 5, height: 7 }), starry());
    expect([tiny.width, tiny.height]).toEqual([5, 7]);
    expect(tiny.data.every((v) => v >= 0 && v <= 255)).toBe(true);
  });

  it('preserveColors keeps the content’s chroma; size resizes the content first', async () => {
    const plain = await stylizeArbitrary(networks, content384(), starry());
    const kept = await stylizeArbitrary(networks, content384(), starry(), { preserveColors: true });
    expect(identical(kept.data, preserveColors(plain, content384()).data)).toBe(true);
    expect(identical(kept.data, plain.data)).toBe(false);
    const small = await stylizeArbitrary(networks, content384(), starry(), { size: 192 });
    expect([small.width, small.height]).toEqual([192, 192]);
  });
});
