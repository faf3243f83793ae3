import { PasticheError, describeValue, invalidType, type RawImage } from '@pastiche/core';
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

function checkRaw(raw: RawPixels): RawImage {
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
  if (data.length !== width * height * channels) {
    throw new RangeError(
      `Expected ${width * height * channels} bytes of pixel data for ${width}×${height}×${channels} but received ${data.length}`,
    );
  }
  return { data, width, height, channels };
}

/**
 * Decodes any {@link ImageInput} to interleaved 8-bit RGB, applying EXIF orientation so that
 * photos come out the way viewers show them.
 */
export async function decodeImage(input: ImageInput): Promise<RawImage> {
  if (isRawPixels(input) && !isSharp(input)) return checkRaw(input);
  let pipeline: Sharp;
  if (typeof input === 'string') pipeline = sharp(input, { failOn: 'error' });
  else if (isSharp(input)) pipeline = input.clone();
  else if (input instanceof Uint8Array) pipeline = sharp(input, { failOn: 'error' });
  else if (input instanceof ArrayBuffer) pipeline = sharp(new Uint8Array(input), { failOn: 'error' });
  else {
    throw invalidType('input', IMAGE_INPUTS, input);
  }
  try {
    const { data, info } = await pipeline.rotate().toColourspace('srgb').removeAlpha().raw().toBuffer({ resolveWithObject: true });
    return { data: new Uint8Array(data.buffer, data.byteOffset, data.length), width: info.width, height: info.height, channels: 3 };
  } catch (cause) {
    const reason = (cause as Error).message;
    const hint = /missing|no such file|ENOENT/i.test(reason) ? 'Check that the file exists.' : 'Expected a JPEG, PNG, WebP, AVIF, GIF or TIFF image.';
    throw new PasticheError('E_IMAGE_DECODE', `Could not decode ${describeInput(input)}: ${reason}. ${hint}`, { cause });
  }
}
