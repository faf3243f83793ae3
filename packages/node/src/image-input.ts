import { open, type FileHandle } from 'node:fs/promises';
import {
  DEFAULT_MAX_PIXELS,
  IMAGE_DAMAGE_BYTES,
  PasticheError,
  checkPixelLimit,
  describeImageDamage,
  describeValue,
  formatMegapixels,
  invalidType,
  type ImageLimits,
  type RawImage,
} from '@pastiche/core';
import sharp, { type Sharp } from 'sharp';

/** Raw interleaved pixels, e.g. from a canvas or another decoder. */
export interface RawPixels {
  data: Uint8Array | Uint8ClampedArray;
  width: number;
  height: number;
  channels: 1 | 2 | 3 | 4;
}

/** What `stylize` accepts as an image: a file path, encoded bytes, a sharp instance, or raw pixels. */
export type ImageInput = string | Uint8Array | ArrayBuffer | Sharp | RawPixels;

function isSharp(value: unknown): value is Sharp {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Sharp).clone === 'function' &&
    typeof (value as Sharp).metadata === 'function' &&
    typeof (value as Sharp).toBuffer === 'function'
  );
}

function isRawPixels(value: unknown): value is RawPixels {
  return typeof value === 'object' && value !== null && 'data' in value && 'width' in value && 'height' in value;
}

/** What {@link decodeImage} takes, for messages. */
export const IMAGE_INPUTS = 'a file path, an encoded image Buffer/Uint8Array/ArrayBuffer, a sharp instance or raw pixels { data, width, height, channels }';

/** True for every kind of {@link ImageInput} (checked by shape; the contents are checked when decoded). */
export function isImageInput(value: unknown): value is ImageInput {
  return (typeof value === 'string' && value !== '') || value instanceof Uint8Array || value instanceof ArrayBuffer || isSharp(value) || isRawPixels(value);
}

/** Short description of an input for messages. */
export function describeInput(input: ImageInput): string {
  if (typeof input === 'string') return `'${input}'`;
  if (isSharp(input)) return 'the sharp instance';
  if (isRawPixels(input)) return `the ${input.width}×${input.height} raw pixels`;
  return `the ${input.byteLength}-byte image buffer`;
}

function checkRaw(raw: RawPixels, maxPixels: number): RawImage {
  const { data, width, height, channels } = raw;
  if (!(data instanceof Uint8Array || data instanceof Uint8ClampedArray)) {
    throw new TypeError(`Expected Uint8Array or Uint8ClampedArray for data but received ${describeValue(data)}`);
  }
  for (const [name, v] of [['width', width], ['height', height]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new TypeError(`Expected positive integer for ${name} but received ${describeValue(v)}`);
  }
  if (![1, 2, 3, 4].includes(channels)) {
    throw new TypeError(`Expected 1, 2, 3 or 4 for channels but received ${describeValue(channels)}`);
  }
  // The declared size, before the data: every later copy (planar float32 and so on) is that size.
  checkPixelLimit(width, height, maxPixels, 'the raw image');
  if (data.length !== width * height * channels) {
    throw new RangeError(
      `Expected ${width * height * channels} bytes of pixel data for ${width}×${height}×${channels} but received ${data.length}`,
    );
  }
  return { data, width, height, channels };
}

/** The input as the subject of a sentence: `the image 'photo.png'`, `the 746-byte image buffer`. */
const imageSubject = (input: ImageInput) => (typeof input === 'string' ? `the image ${describeInput(input)}` : describeInput(input));
const capitalise = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/** libvips' message on one line: it repeats lines (`VipsJpeg: premature end of JPEG image` three times) and ends them with newlines. */
function libvipsReason(cause: unknown): string {
  const lines = String((cause as Error)?.message ?? cause).split('\n').map((line) => line.trim()).filter(Boolean);
  return [...new Set(lines)].join('; ');
}

/** The first and last bytes of the input, for {@link describeImageDamage}; undefined for a sharp instance or an unreadable file. */
async function endsOf(source: string | Uint8Array | undefined): Promise<{ head: Uint8Array; tail: Uint8Array; size: number } | undefined> {
  if (source instanceof Uint8Array) {
    return { head: source.subarray(0, IMAGE_DAMAGE_BYTES), tail: source.subarray(Math.max(0, source.length - IMAGE_DAMAGE_BYTES)), size: source.length };
  }
  if (typeof source !== 'string') return undefined;
  let file: FileHandle | undefined;
  try {
    file = await open(source, 'r');
    const { size } = await file.stat();
    const head = new Uint8Array(Math.min(IMAGE_DAMAGE_BYTES, size));
    const tail = new Uint8Array(Math.min(IMAGE_DAMAGE_BYTES, size));
    await file.read(head, 0, head.length, 0);
    await file.read(tail, 0, tail.length, size - tail.length);
    return { head, tail, size };
  } catch {
    return undefined;
  } finally {
    await file?.close();
  }
}

/**
 * E_IMAGE_DECODE (or E_IMAGE_TOO_LARGE, from libvips' own check) saying what was wrong with this input: a missing
 * file, a PNG or JPEG cut short or corrupt (from its first and last bytes), or bytes of no image format.
 */
async function decodeError(input: ImageInput, source: string | Uint8Array | undefined, cause: unknown, maxPixels: number): Promise<PasticheError> {
  const reason = libvipsReason(cause);
  // libvips' own check (limitInputPixels), for what the header did not tell: the same limit, the same code.
  if (/exceeds pixel limit/i.test(reason)) {
    return new PasticheError(
      'E_IMAGE_TOO_LARGE',
      `${capitalise(imageSubject(input))} is over the ${formatMegapixels(maxPixels)}-megapixel limit (maxPixels): ${reason}. Pass a larger maxPixels to allow it, or resize it first.`,
      { cause },
    );
  }
  const what = describeInput(input);
  if (typeof input === 'string' && /missing|no such file|ENOENT/i.test(reason)) {
    return new PasticheError('E_IMAGE_DECODE', `Could not decode ${what}: there is no such file (${reason}). Check the path.`, { cause });
  }
  const ends = await endsOf(source);
  const damage = ends && describeImageDamage(ends.head, ends.tail, ends.size);
  if (damage) {
    return new PasticheError('E_IMAGE_DECODE', `Could not decode ${what}: it is ${damage} (libvips: ${reason}). Save, export or download it again.`, { cause });
  }
  const formats = 'Expected a JPEG, PNG, WebP, AVIF, GIF, TIFF or SVG image.';
  if (ends) {
    return new PasticheError('E_IMAGE_DECODE', `Could not decode ${what}: its bytes are no image format libvips reads (${reason}). ${formats}`, { cause });
  }
  return new PasticheError('E_IMAGE_DECODE', `Could not decode ${what}: ${reason}. ${formats}`, { cause });
}

/** sharp's pixel limit: a positive integer, or false for none. */
const sharpLimit = (maxPixels: number): number | false => (Number.isFinite(maxPixels) ? maxPixels : false);

/**
 * Decodes any {@link ImageInput} to interleaved 8-bit RGB, applying EXIF orientation so that
 * photos come out the way viewers show them. An image over `limits.maxPixels` is refused with
 * E_IMAGE_TOO_LARGE from its header (sharp's metadata, which reads no pixels; an SVG's size at the density it
 * is rendered at) before anything is decoded or rasterised; libvips gets the same limit (`limitInputPixels`).
 */
export async function decodeImage(input: ImageInput, limits: ImageLimits = { maxPixels: DEFAULT_MAX_PIXELS }): Promise<RawImage> {
  const { maxPixels } = limits;
  if (isRawPixels(input) && !isSharp(input)) return checkRaw(input, maxPixels);
  let source: string | Uint8Array | undefined;
  if (typeof input === 'string' || input instanceof Uint8Array) source = input;
  else if (input instanceof ArrayBuffer) source = new Uint8Array(input);
  else if (!isSharp(input)) throw invalidType('input', IMAGE_INPUTS, input);
  if (source !== undefined && source.length === 0) {
    throw new PasticheError('E_IMAGE_DECODE', `Could not decode ${describeInput(input)}: it is empty. Expected the bytes of a JPEG, PNG, WebP, AVIF, GIF, TIFF or SVG image.`);
  }
  // The header only (sharp's metadata reads no pixels; an SVG's size is the one it renders at), without
  // libvips' limit, so that the refusal can say how large the image is. sharp throws for some inputs as it is
  // constructed, others as it reads: both are the decoder's errors.
  let width: number | undefined;
  let height: number | undefined;
  try {
    const header = source === undefined ? (input as Sharp).clone() : sharp(source, { failOn: 'error', limitInputPixels: false });
    ({ width, height } = await header.metadata());
  } catch (cause) {
    throw await decodeError(input, source, cause, maxPixels);
  }
  if (width !== undefined && height !== undefined) checkPixelLimit(width, height, maxPixels, imageSubject(input));
  try {
    // libvips gets the limit too, for what a header does not tell.
    const pipeline = source === undefined ? (input as Sharp).clone() : sharp(source, { failOn: 'error', limitInputPixels: sharpLimit(maxPixels) });
    const { data, info } = await pipeline.rotate().toColourspace('srgb').removeAlpha().raw().toBuffer({ resolveWithObject: true });
    return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height, channels: 3 };
  } catch (cause) {
    throw await decodeError(input, source, cause, maxPixels);
  }
}
