import {
  DEFAULT_MAX_PIXELS,
  IMAGE_DAMAGE_BYTES,
  IMAGE_HEADER_PREFIX,
  MAX_IMAGE_HEADER_BYTES,
  PasticheError,
  checkPixelLimit,
  describeImageDamage,
  describeValue,
  expectPositiveInteger,
  invalidType,
  invalidValue,
  looksLikeSvg,
  readImageHeader,
  readSvgSize,
  type ImageLimits,
  type RawImage,
} from '@pastiche/core';
import { context2d, createCanvas } from './canvas.js';

/**
 * What `stylize` accepts as an image. `string` and `URL` are fetched (absolute, relative to the page,
 * `data:` or `blob:`); a `Blob` is decoded with `createImageBitmap`. Raw pixels are taken as they are.
 * In a Web Worker, use ImageData, ImageBitmap, OffscreenCanvas, Blob, URLs or raw pixels.
 */
export type ImageInput =
  | ImageData
  | ImageBitmap
  | HTMLImageElement
  | HTMLCanvasElement
  | OffscreenCanvas
  | Blob
  | string
  | URL
  | RawImage;

const defined = (name: string) => typeof (globalThis as Record<string, unknown>)[name] === 'function';
const isInstance = <T>(value: unknown, name: string): value is T =>
  defined(name) && value instanceof ((globalThis as Record<string, unknown>)[name] as abstract new (...args: never[]) => unknown);

/** Raw pixels checked as @pastiche/node checks them: the declared size against the limit before the data's length. */
function checkRaw(raw: RawImage, maxPixels: number): RawImage {
  const { data, width, height, channels } = raw;
  expectPositiveInteger('input.width', width);
  expectPositiveInteger('input.height', height);
  if (channels !== 1 && channels !== 2 && channels !== 3 && channels !== 4) {
    throw (typeof channels === 'number' ? invalidValue : invalidType)('input.channels', '1, 2, 3 or 4', channels);
  }
  checkPixelLimit(width, height, maxPixels, 'the raw image');
  if (data.length !== width * height * channels) {
    throw invalidValue('input.data.length', `width × height × channels = ${width * height * channels} (${width}×${height}×${channels})`, data.length);
  }
  return raw;
}

function isRawImage(value: unknown): value is RawImage {
  return (
    typeof value === 'object' &&
    value !== null &&
    'data' in value &&
    'channels' in value &&
    'width' in value &&
    'height' in value &&
    (value.data instanceof Uint8Array || value.data instanceof Uint8ClampedArray)
  );
}

type Drawable = ImageBitmap | HTMLImageElement | HTMLCanvasElement | OffscreenCanvas;

function readPixels(source: Drawable, width: number, height: number, what: string, maxPixels: number): RawImage {
  if (width < 1 || height < 1) throw new PasticheError('E_IMAGE_DECODE', `Could not read ${what}: it is ${width}×${height} pixels.`);
  // Before the canvas: it and its ImageData are the image's size (4 bytes a pixel each).
  checkPixelLimit(width, height, maxPixels, what);
  const context = context2d(createCanvas(width, height), what);
  context.drawImage(source, 0, 0);
  let imageData: ImageData;
  try {
    imageData = context.getImageData(0, 0, width, height);
  } catch (cause) {
    throw new PasticheError(
      'E_IMAGE_DECODE',
      `Could not read the pixels of ${what}: ${(cause as Error).message}. A cross-origin image needs CORS headers and crossOrigin="anonymous".`,
      { cause },
    );
  }
  return { data: imageData.data, width, height, channels: 4 };
}

async function blobBytes(blob: Blob, end: number): Promise<Uint8Array> {
  return new Uint8Array(await blob.slice(0, Math.min(end, blob.size)).arrayBuffer());
}

/**
 * Refuses a Blob over the pixel limit from its first bytes, before `createImageBitmap` decodes it: the header of
 * a PNG, JPEG, GIF, WebP, BMP or AVIF file (core's readImageHeader), the root element of an SVG. Other formats,
 * and headers past MAX_IMAGE_HEADER_BYTES, are checked once decoded, before they are drawn.
 */
export async function checkBlobHeader(blob: Blob, what: string, maxPixels: number): Promise<void> {
  if (maxPixels === Infinity) return;
  let bytes = await blobBytes(blob, IMAGE_HEADER_PREFIX);
  if (blob.type === 'image/svg+xml' || looksLikeSvg(new TextDecoder().decode(bytes.subarray(0, 1024)))) {
    // The root element comes first, after an XML declaration, comments and a doctype.
    const size = readSvgSize(new TextDecoder().decode(bytes));
    if (size) checkPixelLimit(size.width, size.height, maxPixels, what);
    return;
  }
  let header = readImageHeader(bytes);
  while (header && 'needBytes' in header && header.needBytes > bytes.length && bytes.length < blob.size && header.needBytes <= MAX_IMAGE_HEADER_BYTES) {
    bytes = await blobBytes(blob, Math.max(header.needBytes, 2 * bytes.length));
    header = readImageHeader(bytes);
  }
  if (header && 'width' in header) checkPixelLimit(header.width, header.height, maxPixels, what);
}

/**
 * E_IMAGE_DECODE saying what was wrong with a Blob the browser would not decode: a PNG or JPEG cut short or corrupt
 * (from its first and last bytes, core's describeImageDamage), else bytes of no format the browser reads.
 */
async function blobDecodeError(blob: Blob, what: string, cause: unknown): Promise<PasticheError> {
  const reason = cause instanceof Error ? cause.message : String(cause);
  const [head, tail] = await Promise.all([blobBytes(blob, IMAGE_DAMAGE_BYTES), blob.slice(Math.max(0, blob.size - IMAGE_DAMAGE_BYTES)).arrayBuffer()]);
  const damage = describeImageDamage(head, new Uint8Array(tail), blob.size);
  if (damage) return new PasticheError('E_IMAGE_DECODE', `Could not decode ${what}: it is ${damage} (${reason}). Save, export or download it again.`, { cause });
  return new PasticheError('E_IMAGE_DECODE', `Could not decode ${what}: ${reason}. Expected a JPEG, PNG, WebP, AVIF or GIF image.`, { cause });
}

async function decodeBlob(blob: Blob, what: string, maxPixels: number): Promise<RawImage> {
  if (blob.size === 0) throw new PasticheError('E_IMAGE_DECODE', `Could not decode ${what}: it is empty. Expected the bytes of a JPEG, PNG, WebP, AVIF or GIF image.`);
  await checkBlobHeader(blob, what, maxPixels);
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(blob, { imageOrientation: 'from-image', premultiplyAlpha: 'none' });
  } catch (cause) {
    throw await blobDecodeError(blob, what, cause);
  }
  try {
    return readPixels(bitmap, bitmap.width, bitmap.height, what, maxPixels);
  } finally {
    bitmap.close();
  }
}

async function fetchImage(url: string, maxPixels: number): Promise<RawImage> {
  const absolute = new URL(url, globalThis.location?.href).href;
  const what = `the image at ${url.startsWith('data:') ? 'a data: URL' : absolute}`;
  let response: Response;
  try {
    response = await fetch(absolute);
  } catch (cause) {
    throw new PasticheError('E_IMAGE_DECODE', `Could not fetch ${what}: ${(cause as Error).message}.`, { cause });
  }
  if (!response.ok) throw new PasticheError('E_IMAGE_DECODE', `Could not fetch ${what}: HTTP ${response.status}. Check the URL.`);
  return decodeBlob(await response.blob(), what, maxPixels);
}

/** What {@link decodeImage} takes, for messages. */
export const IMAGE_INPUTS =
  'ImageData, an ImageBitmap, an <img>, a canvas, an OffscreenCanvas, a Blob, a URL or raw pixels { data, width, height, channels }';

const DRAWABLES = ['ImageData', 'ImageBitmap', 'HTMLImageElement', 'HTMLCanvasElement', 'OffscreenCanvas', 'Blob'];

/** True for every kind of {@link ImageInput} (the contents are checked when decoded). */
export function isImageInput(value: unknown): value is ImageInput {
  return (typeof value === 'string' && value !== '') || value instanceof URL || isRawImage(value) || DRAWABLES.some((name) => isInstance(value, name));
}

/**
 * Decodes any {@link ImageInput} to interleaved 8-bit pixels (RGBA from canvases, or the raw pixels given).
 * Blobs and URLs are decoded with their EXIF orientation applied. An image over `limits.maxPixels` is refused
 * with E_IMAGE_TOO_LARGE before it is drawn: Blobs and URLs from their header, before they are decoded; the
 * others (decoded already) from their size.
 */
export async function decodeImage(input: ImageInput, limits: ImageLimits = { maxPixels: DEFAULT_MAX_PIXELS }): Promise<RawImage> {
  const { maxPixels } = limits;
  if (isInstance<ImageData>(input, 'ImageData')) {
    checkPixelLimit(input.width, input.height, maxPixels, 'the ImageData');
    return { data: input.data, width: input.width, height: input.height, channels: 4 };
  }
  if (isRawImage(input)) return checkRaw(input, maxPixels);
  if (typeof input === 'string' || input instanceof URL) {
    const url = input instanceof URL ? input.href : input;
    if (url === '') throw new TypeError(`Expected an image URL for input but received ${describeValue(input)}`);
    return fetchImage(url, maxPixels);
  }
  if (isInstance<Blob>(input, 'Blob')) return decodeBlob(input, `the ${input.size}-byte ${input.type || 'untyped'} Blob`, maxPixels);
  if (isInstance<ImageBitmap>(input, 'ImageBitmap')) return readPixels(input, input.width, input.height, 'the ImageBitmap', maxPixels);
  if (isInstance<OffscreenCanvas>(input, 'OffscreenCanvas')) return readPixels(input, input.width, input.height, 'the OffscreenCanvas', maxPixels);
  if (isInstance<HTMLCanvasElement>(input, 'HTMLCanvasElement')) return readPixels(input, input.width, input.height, 'the canvas', maxPixels);
  if (isInstance<HTMLImageElement>(input, 'HTMLImageElement')) {
    const what = `the <img> ${input.currentSrc || input.src ? `from ${(input.currentSrc || input.src).slice(0, 80)}` : 'without a src'}`;
    if (!input.complete || input.naturalWidth === 0) {
      try {
        await input.decode();
      } catch (cause) {
        throw new PasticheError('E_IMAGE_DECODE', `Could not decode ${what}: ${(cause as Error).message}.`, { cause });
      }
    }
    // Its natural size (an SVG's too), before it is drawn on a canvas that size.
    return readPixels(input, input.naturalWidth, input.naturalHeight, what, maxPixels);
  }
  throw invalidType('input', IMAGE_INPUTS, input);
}
