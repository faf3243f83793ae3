import { PasticheError, describeValue, expectInteger, expectKnownKeys, expectOptions, type StylizeInfo } from '@pastiche/core';
import { extname } from 'node:path';
import sharp, { type Sharp } from 'sharp';
import { writeFileAtomic } from './atomic-write.js';

export const OUTPUT_FORMATS = ['png', 'jpeg', 'webp', 'avif', 'tiff'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

const EXTENSION_FORMATS: Readonly<Record<string, OutputFormat>> = Object.freeze({
  '.png': 'png',
  '.jpg': 'jpeg',
  '.jpeg': 'jpeg',
  '.webp': 'webp',
  '.avif': 'avif',
  '.tif': 'tiff',
  '.tiff': 'tiff',
});

/** The encoder for a file name, from its extension. */
export function formatForPath(path: string): OutputFormat {
  const format = EXTENSION_FORMATS[extname(path).toLowerCase()];
  if (!format) {
    throw new RangeError(
      `Expected an output file ending in ${Object.keys(EXTENSION_FORMATS).join(', ')} but received '${path}'`,
    );
  }
  return format;
}

export interface EncodeOptions {
  /** JPEG / WebP / AVIF quality 1..100. @default sharp's default for the format */
  quality?: number;
}

/** Checks encode options before sharp sees them: its own errors would come out as encoding failures. */
function checkEncodeOptions(options: unknown): EncodeOptions {
  const o = expectOptions<EncodeOptions>('options', options);
  expectKnownKeys('options', o, new Set(['quality']));
  if (o.quality !== undefined) expectInteger('quality', o.quality, { min: 1, max: 100 });
  return o;
}

/** The result of a stylization: 8-bit RGB pixels, with encoders. */
export class StylizedImage {
  /** Interleaved RGB, `width * height * 3` bytes. */
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
  readonly channels = 3 as const;
  readonly info: Readonly<StylizeInfo>;

  constructor(data: Uint8Array, width: number, height: number, info: StylizeInfo) {
    this.data = data;
    this.width = width;
    this.height = height;
    this.info = Object.freeze({ ...info });
  }

  /** A sharp pipeline over the pixels, for further processing. */
  toSharp(): Sharp {
    return sharp(this.data, { raw: { width: this.width, height: this.height, channels: this.channels } });
  }

  /** Encodes to PNG (default), JPEG, WebP, AVIF or TIFF. */
  async toBuffer(format: OutputFormat = 'png', options: EncodeOptions = {}): Promise<Buffer> {
    if (!(OUTPUT_FORMATS as readonly string[]).includes(format)) {
      throw new TypeError(`Expected one of ${OUTPUT_FORMATS.join(', ')} for format but received ${describeValue(format)}`);
    }
    const encode = checkEncodeOptions(options);
    try {
      return await this.toSharp().toFormat(format, encode).toBuffer();
    } catch (cause) {
      throw new PasticheError('E_IMAGE_ENCODE', `Could not encode the image as ${format}: ${(cause as Error).message}`, { cause });
    }
  }

  /**
   * Writes the image, format from the extension, through a temporary file in the same folder that is renamed into
   * place: never half-written, and a failure (or SIGINT/SIGTERM) leaves the existing file as it was and no temporary
   * file behind. An existing file keeps its permissions; a symbolic link is written through (its target replaced, the
   * link kept).
   */
  async toFile(path: string, options: EncodeOptions = {}): Promise<void> {
    if (typeof path !== 'string' || path === '') throw new TypeError(`Expected a file path for path but received ${describeValue(path)}`);
    checkEncodeOptions(options);
    const encoded = await this.toBuffer(formatForPath(path), options);
    try {
      await writeFileAtomic(path, encoded);
    } catch (cause) {
      throw new PasticheError('E_IO', `Could not write '${path}': ${(cause as Error).message}`, { cause });
    }
  }
}
