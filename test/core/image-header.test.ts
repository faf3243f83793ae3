import { deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_MAX_PIXELS,
  PasticheError,
  checkPixelLimit,
  formatMegapixels,
  looksLikeSvg,
  readImageHeader,
  readSvgSize,
  resolveMaxPixels,
} from '@pastiche/core';
import { craftedPng } from '../helpers/crafted-png.js';

const encode = (format: 'png' | 'jpeg' | 'webp' | 'gif' | 'avif', width: number, height: number, options?: object) =>
  sharp({ create: { width, height, channels: 3, background: '#c83' } })
    [format](options)
    .toBuffer()
    .then((b) => new Uint8Array(b));

describe('readImageHeader', () => {
  it.each([
    ['png', {}],
    ['jpeg', {}],
    ['jpeg', { progressive: true }],
    ['webp', {}],
    ['webp', { lossless: true }],
    ['gif', {}],
    ['avif', {}],
  ] as const)('reads the size of a %s file sharp wrote (%o)', async (format, options) => {
    for (const [width, height] of [[37, 23], [1, 1], [301, 2]]) {
      const bytes = await encode(format, width, height, options);
      expect(readImageHeader(bytes)).toEqual({ format, width, height });
    }
  });

  it('reads a WebP with an alpha channel or metadata (VP8X)', async () => {
    const bytes = new Uint8Array(
      await sharp({ create: { width: 400, height: 300, channels: 4, background: '#c838' } }).withMetadata().webp().toBuffer(),
    );
    expect(String.fromCharCode(...bytes.subarray(12, 16))).toBe('VP8X');
    expect(readImageHeader(bytes)).toEqual({ format: 'webp', width: 400, height: 300 });
  });

  it('reads a crafted 16000×16000 PNG from its IHDR, and asks for more bytes when cut short', () => {
    const png = craftedPng(16000, 16000);
    expect(readImageHeader(png)).toEqual({ format: 'png', width: 16000, height: 16000 });
    expect(readImageHeader(png.subarray(0, 12))).toEqual({ format: 'png', needBytes: 24 });
  });

  it('walks JPEG segments to the frame header, asking for more when an APP segment runs past the prefix', async () => {
    const jpeg = await encode('jpeg', 640, 480);
    // An APP1 segment of 60 000 bytes between the start of image and the rest.
    const app = new Uint8Array(60_002 + 2);
    app.set([0xff, 0xe1, (60_002 >> 8) & 0xff, 60_002 & 0xff]);
    const long = new Uint8Array(jpeg.length + app.length);
    long.set(jpeg.subarray(0, 2));
    long.set(app, 2);
    long.set(jpeg.subarray(2), 2 + app.length);
    expect(readImageHeader(long)).toEqual({ format: 'jpeg', width: 640, height: 480 });
    const head = readImageHeader(long.subarray(0, 4096));
    expect(head).toMatchObject({ format: 'jpeg' });
    expect((head as { needBytes: number }).needBytes).toBeGreaterThan(60_000);
  });

  it('reads GIF, BMP and hand-made WebP headers up to the formats’ largest sizes', () => {
    const gif = Uint8Array.from([...'GIF89a'].map((c) => c.charCodeAt(0)).concat([0x80, 0x3e, 0x80, 0x3e, 0, 0, 0]));
    expect(readImageHeader(gif)).toEqual({ format: 'gif', width: 16000, height: 16000 });
    const bmp = new Uint8Array(54);
    bmp.set([0x42, 0x4d]);
    const view = new DataView(bmp.buffer);
    view.setUint32(14, 40, true);
    view.setInt32(18, 20000, true);
    view.setInt32(22, -15000, true);
    expect(readImageHeader(bmp)).toEqual({ format: 'bmp', width: 20000, height: 15000 });
    const vp8x = new Uint8Array(30);
    vp8x.set([...'RIFF'].map((c) => c.charCodeAt(0)));
    vp8x.set([...'WEBPVP8X'].map((c) => c.charCodeAt(0)), 8);
    vp8x.set([0x7f, 0x3e, 0x00], 24); // 16000 − 1, little-endian, 24 bits
    vp8x.set([0x7f, 0x3e, 0x00], 27);
    expect(readImageHeader(vp8x)).toEqual({ format: 'webp', width: 16000, height: 16000 });
  });

  it('returns undefined for other bytes and malformed headers', () => {
    expect(readImageHeader(new Uint8Array(0))).toBeUndefined();
    expect(readImageHeader(new TextEncoder().encode('hello, world: not an image at all'))).toBeUndefined();
    const png = craftedPng(10, 10);
    png.set([0, 0, 0, 0], 12); // no IHDR where it must be
    expect(readImageHeader(png)).toBeUndefined();
    // Start of scan before any frame header.
    expect(readImageHeader(Uint8Array.from([0xff, 0xd8, 0xff, 0xda, 0, 4, 0, 0]))).toBeUndefined();
    // A compressed stream is not a header either.
    expect(readImageHeader(new Uint8Array(deflateSync(Buffer.alloc(100))))).toBeUndefined();
  });
});

describe('readSvgSize', () => {
  it.each([
    ['<svg xmlns="http://www.w3.org/2000/svg" width="16000" height="16000"></svg>', { width: 16000, height: 16000 }],
    [`<?xml version="1.0"?>\n<!-- a comment -->\n<svg width='4in' height="3in">`, { width: 384, height: 288 }],
    ['<svg width="100mm" height="10cm" viewBox="0 0 1 1">', { width: 378, height: 378 }],
    ['<svg width="2000" viewBox="0 0 400 100">', { width: 2000, height: 500 }],
    ['<svg viewBox="0,0,400,100" height="1000px">', { width: 4000, height: 1000 }],
    ['<svg width="12.5" height="7.25pt">', { width: 13, height: 10 }],
  ])('%s', (text, size) => {
    expect(looksLikeSvg(text)).toBe(true);
    expect(readSvgSize(text)).toEqual(size);
  });

  it('leaves sizes a browser takes from elsewhere to the check after decoding', () => {
    expect(readSvgSize('<svg width="100%" height="100%" viewBox="0 0 20000 20000">')).toBeUndefined();
    expect(readSvgSize('<svg viewBox="0 0 20000 20000">')).toBeUndefined();
    expect(readSvgSize('<html><body></body></html>')).toBeUndefined();
    expect(looksLikeSvg('<html><svg></svg></html>')).toBe(false);
  });
});

describe('the pixel limit', () => {
  it('defaults to 40 megapixels; takes positive integers and Infinity', () => {
    expect(DEFAULT_MAX_PIXELS).toBe(40_000_000);
    expect(resolveMaxPixels(undefined)).toBe(DEFAULT_MAX_PIXELS);
    expect(resolveMaxPixels(1)).toBe(1);
    expect(resolveMaxPixels(Infinity)).toBe(Infinity);
    expect(() => resolveMaxPixels('40e6')).toThrow(TypeError);
    expect(() => resolveMaxPixels(0)).toThrow(new RangeError('Expected positive integer or Infinity for maxPixels but received 0 of type number'));
    expect(() => resolveMaxPixels(1.5)).toThrow(RangeError);
    expect(() => resolveMaxPixels(NaN)).toThrow(RangeError);
    expect(() => resolveMaxPixels(-Infinity)).toThrow(RangeError);
  });

  it('names the size, the limit and the option that raises it', () => {
    expect(formatMegapixels(256_000_000)).toBe('256');
    expect(formatMegapixels(24_000_000)).toBe('24');
    expect(formatMegapixels(1_234_567)).toBe('1.23');
    expect(() => checkPixelLimit(6000, 4000, DEFAULT_MAX_PIXELS)).not.toThrow();
    expect(() => checkPixelLimit(16000, 16000, Infinity)).not.toThrow();
    let error: unknown;
    try {
      checkPixelLimit(16000, 16000, DEFAULT_MAX_PIXELS);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PasticheError);
    expect((error as PasticheError).code).toBe('E_IMAGE_TOO_LARGE');
    expect((error as PasticheError).message).toBe(
      'The image is 16000×16000 (256 megapixels), over the 40-megapixel limit (maxPixels). Pass a larger maxPixels to allow it, or resize it first.',
    );
    // Just over: the counts, not two equal roundings.
    expect(() => checkPixelLimit(40_000_001, 1, DEFAULT_MAX_PIXELS, "the image 'a.png'")).toThrow(
      "The image 'a.png' is 40000001×1 (40000001 pixels), over the 40000000-pixel limit (maxPixels).",
    );
  });
});

describe('@pastiche/web decodeImage refuses from the header, before createImageBitmap', () => {
  // Imported by path at run time: the root tsconfig type-checks no DOM code. In Node there is no
  // createImageBitmap at all, so a refusal here can only have come from the header.
  const load = async () =>
    (await import(/* @vite-ignore */ new URL('../../packages/web/src/image-input.ts', import.meta.url).href)) as {
      decodeImage(input: unknown, limits?: { maxPixels: number }): Promise<unknown>;
    };

  it.each([
    ['a crafted 16000×16000 PNG', () => new Blob([craftedPng(16000, 16000)], { type: 'image/png' }), '16000×16000'],
    ['a 16000×16000 SVG', () => new Blob(['<svg xmlns="http://www.w3.org/2000/svg" width="16000" height="16000"/>'], { type: 'image/svg+xml' }), '16000×16000'],
    ['an untyped SVG Blob', () => new Blob(['<?xml version="1.0"?><svg width="9000" height="9000"></svg>']), '9000×9000'],
    ['a raw image declaring 16000×16000', () => ({ data: new Uint8Array(4), width: 16000, height: 16000, channels: 4 }), '16000×16000'],
  ])('%s', async (_, input, size) => {
    const { decodeImage } = await load();
    const error = (await decodeImage(input()).catch((e: unknown) => e)) as PasticheError;
    expect(error).toBeInstanceOf(PasticheError);
    expect(error.code).toBe('E_IMAGE_TOO_LARGE');
    expect(error.message).toContain(`is ${size} (`);
    expect(error.message).toContain('limit (maxPixels)');
  });

  it('reads past a long JPEG APP segment to the frame header', async () => {
    const { decodeImage } = await load();
    const jpeg = await encode('jpeg', 300, 200);
    const app = new Uint8Array(65_535 + 2);
    app.set([0xff, 0xe1, 0xff, 0xff]);
    const blob = new Blob([jpeg.subarray(0, 2), app, app, jpeg.subarray(2)], { type: 'image/jpeg' });
    const error = (await decodeImage(blob, { maxPixels: 50_000 }).catch((e: unknown) => e)) as PasticheError;
    expect(error.code).toBe('E_IMAGE_TOO_LARGE');
    expect(error.message).toContain('is 300×200 (');
  });
});
