/**
 * @pastiche/web in Debian's Chromium: results against @pastiche/node, WebGPU (SwiftShader) against wasm,
 * inputs, outputs, model cache, a Web Worker and the error messages.
 */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILTIN_CATALOG, sourceFileUrl } from '@pastiche/core';
import { dispose as disposeNode, stylize as stylizeNode } from '@pastiche/node';
import { startAssetServer } from '../helpers/asset-server.js';
import { ASSETS_DIR, MODELS_DIR, REPO_ROOT, builtModel, contentImage } from '../helpers/assets.js';
import type { PageResult } from '../helpers/browser-harness-api.js';
import {
  psnr,
  relativeError,
  rgbaToRgb,
  waitUntilReady,
  harnessOf,
  openHarnessPage,
  type Browser,
  type HarnessPage,
  type StaticServer,
} from '../helpers/browser.js';

const PHOTO = 'chelsea_448x300.png';
const PHOTO_URL = `/images/${PHOTO}`;

let server: StaticServer;
let browser: Browser;
let harness: HarnessPage['harness'];
let page: HarnessPage | undefined;

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');
const unb64 = (text: string) => new Uint8Array(Buffer.from(text, 'base64'));

async function rawRgb(file: string, size?: { width: number; height: number }) {
  let pipeline = sharp(file).removeAlpha();
  if (size) pipeline = pipeline.resize(size.width, size.height, { fit: 'fill' });
  const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data), width: info.width, height: info.height, channels: 3 as const };
}

beforeAll(async () => {
  builtModel('candy.onnx');
  page = await openHarnessPage({
    '/models/': MODELS_DIR,
    '/images/': join(ASSETS_DIR, 'images', 'content'),
    '/ort/': join(REPO_ROOT, 'node_modules', 'onnxruntime-web', 'dist'),
  });
  ({ server, browser, harness } = page);
}, 240_000);

afterAll(async () => {
  await page?.close();
  await disposeNode();
});

describe('@pastiche/web in Chromium', () => {
  it('wasm: candy on a photo matches @pastiche/node on the CPU (PSNR ≥ 77 dB), with load progress', async () => {
    await harness.fresh();
    const raw = await rawRgb(contentImage(PHOTO));
    const [inPage, inNode] = await Promise.all([
      harness.stylizeRgb(b64(raw.data), raw.width, raw.height, 'candy'),
      stylizeNode(raw, 'candy', { device: 'cpu' }),
    ]);
    expect([inPage.width, inPage.height]).toEqual([448, 300]);
    expect(inPage.info).toMatchObject({ model: 'candy', device: 'wasm' });
    const quality = psnr(rgbaToRgb(unb64(inPage.rgba)), inNode.data);
    console.log(`wasm vs node cpu, candy 448×300: PSNR ${quality.toFixed(2)} dB; page ${inPage.info.ms.toFixed(0)} ms (download + session + run)`);
    // README: PSNR 80 dB (measured 80.3); 77 dB allows twice the squared error.
    expect(quality).toBeGreaterThanOrEqual(77);
    expect(psnr(rgbaToRgb(unb64(inPage.rgba)), raw.data)).toBeLessThan(15);

    const statuses = inPage.events.map((e) => e.status);
    expect(statuses[0]).toBe('initiate');
    expect(statuses[1]).toBe('download');
    expect(statuses.slice(-2)).toEqual(['done', 'ready']);
    expect(statuses.slice(2, -2).every((s) => s === 'progress')).toBe(true);
    const bytes = statSync(builtModel('candy.onnx')).size;
    expect(inPage.events[1]).toMatchObject({ status: 'download', name: 'candy', cached: false, url: `${server.origin}/models/candy.onnx` });
    expect(inPage.events.at(-3)).toMatchObject({ status: 'progress', loaded: bytes, total: bytes, progress: 100 });
    expect(inPage.events.at(-2)).toMatchObject({ status: 'done', bytes });
    expect(inPage.events.at(-1)).toEqual({ status: 'ready', name: 'candy', device: 'wasm' });
  }, 180_000);

  it('decodes every input type to the same pixels', async () => {
    const decoded = await harness.decodeAll(PHOTO_URL);
    expect(Object.keys(decoded).sort()).toEqual(['bitmap', 'blob', 'canvas', 'imageData', 'img', 'offscreen', 'url', 'urlObject']);
    for (const [kind, image] of Object.entries(decoded)) {
      expect([kind, image.width, image.height, image.channels]).toEqual([kind, 448, 300, 4]);
      expect([kind, image.rgba === decoded.blob.rgba]).toEqual([kind, true]);
    }
    // The PNG carries an (sRGB) ICC profile: Chromium's colour management must leave its pixels as sharp reads them.
    const bySharp = await rawRgb(contentImage(PHOTO));
    expect(Buffer.from(rgbaToRgb(unb64(decoded.blob.rgba))).equals(Buffer.from(bySharp.data))).toBe(true);
  }, 60_000);

  it("WebGPU (SwiftShader) matches wasm within 2e-6 relative error on a 64×64 image", async () => {
    const probe = await harness.probe();
    console.log(`WebGPU adapter: ${JSON.stringify(probe)}`);
    expect(probe).toHaveProperty('adapter');
    const raw = await rawRgb(contentImage(PHOTO), { width: 64, height: 64 });
    const wasm = await harness.runFloat(b64(raw.data), 64, 64, 'candy', 'wasm');
    const webgpu = await harness.runFloat(b64(raw.data), 64, 64, 'candy', 'webgpu');
    expect([wasm.device, webgpu.device]).toEqual(['wasm', 'webgpu']);
    const error = relativeError(webgpu.output, wasm.output);
    console.log(`candy 64×64: webgpu vs wasm relative error ${error.toExponential(2)}; run ${webgpu.ms.toFixed(0)} ms on webgpu, ${wasm.ms.toFixed(0)} ms on wasm`);
    // README: 7.7e-7 (measured twice, identical).
    expect(error).toBeLessThanOrEqual(2e-6);
  }, 240_000);

  it("'auto' skips a software (fallback) WebGPU adapter for wasm and warns once", async () => {
    // A kernel of its own in the page, so that no other test's use of 'auto' has spent the warning.
    const before = browser.console.length;
    const devices = await harness.autoTwice(PHOTO_URL);
    expect(devices).toEqual(['wasm', 'wasm']);
    const warnings = browser.console.slice(before).filter((m) => m.includes("Pastiche device 'auto'"));
    expect(warnings).toEqual([
      "warning: Pastiche device 'auto' is using wasm: webgpu is unavailable (the only WebGPU adapter is a software fallback " +
        "(google swiftshader), which is slower than wasm; ask for device 'webgpu' to use it anyway).",
    ]);
  }, 120_000);

  it('runs in a Web Worker (OffscreenCanvas, no DOM) with the same result as the page', async () => {
    const [inWorker, inPage] = await Promise.all([
      harness.inWorker(PHOTO_URL, 'candy', { size: 96 }),
      harness.stylizeUrl(PHOTO_URL, 'candy', { size: 96 }),
    ]);
    const worker = inWorker;
    expect(worker.error).toBeUndefined();
    expect(worker).toMatchObject({ ok: true, width: 96, height: 64, hasDocument: false, pngType: 'image/png', info: { model: 'candy', device: 'wasm' } });
    expect(worker.pngBytes).toBeGreaterThan(1000);
    expect(psnr(unb64(worker.rgba ?? ''), unb64(inPage.rgba))).toBeGreaterThanOrEqual(40);
  }, 120_000);

  it('keeps models in the Cache API and loads them from there after dispose()', async () => {
    const modelUrl = `${server.origin}/models/candy.onnx`;
    // Load it here, whatever ran before, so that this test does not depend on the order of the others.
    await harness.stylizeUrl(PHOTO_URL, 'candy', { size: 32 });
    expect(await harness.cachedUrls()).toContain(modelUrl);
    const downloads = () => server.log.filter((l) => l.startsWith('GET /models/candy.onnx ')).length;
    const before = downloads();
    await harness.dispose();
    const again = await harness.stylizeUrl(PHOTO_URL, 'candy', { size: 32 });
    expect(again.events.find((e) => e.status === 'download')).toEqual({ status: 'download', name: 'candy', url: modelUrl, cached: true });
    expect(downloads()).toBe(before);
  }, 120_000);

  it('makes a built-in style in the page on first use from its original files, then loads it from the Cache API', async () => {
    const candy = BUILTIN_CATALOG.styles.find((s) => s.name === 'candy')!;
    const assets = await startAssetServer([candy]);
    try {
      await harness.fresh();
      const first = await harness.fromOriginals(PHOTO_URL, 'candy', assets.base);
      const source = `${assets.base}${sourceFileUrl('', candy, candy.source.files[0])}`;
      expect(assets.requests).toHaveLength(1);
      expect(first.events[0]).toEqual({ status: 'initiate', name: 'candy/candy.bin', url: source });
      expect(first.events.map((e) => e.status).filter((s, i, all) => s !== all[i - 1])).toEqual(['initiate', 'download', 'progress', 'done', 'ready']);
      await harness.dispose();
      const second = await harness.fromOriginals(PHOTO_URL, 'candy', assets.base);
      expect(assets.requests).toHaveLength(1);
      expect(second.events.map((e) => e.status)).toEqual(['ready']);
      expect(second.rgba).toBe(first.rgba);
      console.log(`web first use of candy (3.4 MB download, convert, session, run at 64 px): ${first.info.ms.toFixed(0)} ms; again after dispose(): ${second.info.ms.toFixed(0)} ms`);
      const inNode = await stylizeNode(await rawRgb(contentImage(PHOTO)), 'candy', { size: 64 });
      expect(psnr(rgbaToRgb(unb64(first.rgba)), inNode.data)).toBeGreaterThanOrEqual(40);
    } finally {
      await assets.close();
    }
  }, 120_000);

  it('encodes with toBlob() and draws with drawTo()', async () => {
    const types = ['image/png', 'image/jpeg', 'image/webp'];
    const out = await harness.blobsOf(PHOTO_URL, 'candy', types, 0.9);
    expect(out).toMatchObject({ canvas: [128, 86], drawnMatches: true });
    expect(out.blobs.map((b) => b.type)).toEqual(types);
    for (const blob of out.blobs) expect(blob.bytes).toBeGreaterThan(1000);
  }, 120_000);

  it('lists the built-in styles from catalog.json', async () => {
    const names = await harness.catalog();
    expect(names).toContain('candy');
    expect(names).toContain('ml5-wave');
  });

  it('throws exact errors for bad devices, inputs, styles and settings', async () => {
    const errors = await harness.errors(PHOTO_URL);
    expect(errors.unknownDevice).toEqual({
      name: 'RangeError',
      code: undefined,
      message: 'Expected one of \'auto\', \'webgpu\', \'wasm\' for device but received "cuda" of type string',
    });
    expect(errors.badInput).toEqual({
      name: 'TypeError',
      code: undefined,
      message:
        'Expected ImageData, an ImageBitmap, an <img>, a canvas, an OffscreenCanvas, a Blob, a URL or raw pixels ' +
        '{ data, width, height, channels } for input but received 42 of type number',
    });
    expect(errors.notAnImage?.code).toBe('E_IMAGE_DECODE');
    expect(errors.notAnImage?.message).toMatch(
      /^Could not decode the 9-byte text\/plain Blob: .+\. Expected a JPEG, PNG, WebP, AVIF or GIF image\.$/,
    );
    expect(errors.missingImage).toEqual({
      name: 'PasticheError',
      code: 'E_IMAGE_DECODE',
      message: `Could not fetch the image at ${server.origin}/images/missing.png: HTTP 404. Check the URL.`,
    });
    expect(errors.unknownStyle?.code).toBe('E_MODEL_NOT_FOUND');
    expect(errors.unknownStyle?.message).toMatch(
      /^Unknown style 'no-such-style': expected a built-in style \(candy, mosaic, .*ml5-wreck\), a path or URL of an \.onnx or \.tflite file, or its bytes\.$/,
    );
    expect(errors.missingModel).toEqual({
      name: 'PasticheError',
      code: 'E_MODEL_NOT_FOUND',
      message: `Model 'missing' is not at ${server.origin}/models/missing.onnx (HTTP 404). Check the URL, or where built-in models are served from.`,
    });
    expect(errors.badStrength).toEqual({ name: 'RangeError', code: undefined, message: 'Expected number between 0 and 1 for strength but received 2 of type number' });
    expect(errors.badType).toEqual({
      name: 'PasticheError',
      code: 'E_IMAGE_ENCODE',
      message: 'This browser cannot encode image/x-nope (it produced image/png); use image/png, image/jpeg or image/webp.',
    });
    expect(errors.emptyBlob).toEqual({
      name: 'PasticheError',
      code: 'E_IMAGE_DECODE',
      message: 'Could not decode the 0-byte image/png Blob: it is empty. Expected the bytes of a JPEG, PNG, WebP, AVIF or GIF image.',
    });
    expect(errors.truncatedPng?.code).toBe('E_IMAGE_DECODE');
    expect(errors.truncatedPng?.message).toMatch(
      /^Could not decode the \d+-byte image\/png Blob: it is a PNG file cut short \(truncated\): it does not end with the IEND chunk \(.+\)\. Save, export or download it again\.$/,
    );
    expect(errors.garbageJpeg?.code).toBe('E_IMAGE_DECODE');
    expect(errors.garbageJpeg?.message).toMatch(/^Could not decode the 404-byte image\/jpeg Blob: it is a JPEG file cut short \(truncated\)/);
    expect(errors.nullOptions).toEqual({ name: 'TypeError', code: undefined, message: 'Expected an options object for options but received null' });
    expect(errors.stringProviders).toEqual({
      name: 'TypeError',
      code: undefined,
      message: 'Expected a non-empty array of execution provider names or { name } objects for executionProviders but received "wasm" of type string',
    });
    expect(errors.rawMismatch).toEqual({
      name: 'RangeError',
      code: undefined,
      message: 'Expected width × height × channels = 48 (4×4×3) for input.data.length but received 10 of type number',
    });
    expect(errors.disposedDuringRun).toEqual({ name: 'PasticheError', code: 'E_DISPOSED', message: "This stylizer of 'candy' was disposed; load the style again." });
    expect(errors.runAfterDispose).toEqual(errors.disposedDuringRun);
    expect(errors.changedThreads).toEqual({
      name: 'RangeError',
      code: undefined,
      message:
        'Expected numThreads to stay 2 but received 1: onnxruntime-web reads it once, when its first session starts. ' +
        'Pass it on the first call (or to configureRuntime() before any).',
    });
  }, 120_000);

  it("loads onnxruntime-web's wasm from wasmPaths when given", async () => {
    const second = await browser.context.newPage();
    try {
      await second.goto(`${server.origin}/?wasmPaths=/ort/`);
      await waitUntilReady(second);
      const before = server.log.length;
      const result = await harnessOf(second).stylizeUrl(PHOTO_URL, 'candy', { size: 32 });
      expect(result.info.device).toBe('wasm');
      expect(server.log.slice(before).filter((l) => l.includes('.wasm'))).toEqual(['GET /ort/ort-wasm-simd-threaded.jsep.wasm 200']);
      expect(await harnessOf(second).settings()).toMatchObject({ wasmPaths: '/ort/', started: true, crossOriginIsolated: true });
    } finally {
      await second.close();
    }
  }, 120_000);

  it('logged no page errors', () => {
    expect(browser.console.filter((m) => m.startsWith('pageerror'))).toEqual([]);
  });
});
