import { invalidType, invalidValue, isNumber } from '../arguments.js';
import { PasticheError } from '../errors.js';

/**
 * Most pixels an image may have (the `maxPixels` run option), checked from its header before it is decoded.
 *
 * 40 megapixels (a 7700×5200 photo; phones take 12–50) fits a 4 GB machine with the fast method's defaults.
 * What grows with the image: the decoded 8-bit RGB (3 B/px), the planar float32 content (12 B/px), the blended
 * float32 result (12 B/px), the tiles' blending weights (4 B/px) and the 8-bit result (3 B/px): about 34 B/px,
 * 1.4 GB at 40 MP. What does not: onnxruntime's working memory for one tile (about 1.5 GB for candy at the
 * 1024-pixel default tile) and the process (about 0.2 GB). Measured with candy on the CPU: an 8000×5000 JPEG
 * stylized and written to a file peaks at 3.2–3.3 GB RSS, a 6000×4000 one at 2.7 GB.
 */
export const DEFAULT_MAX_PIXELS = 40_000_000;

/** What a platform's `decodeImage` refuses before decoding. */
export interface ImageLimits {
  /** Largest width × height; `Infinity` turns the check off. */
  maxPixels: number;
}

export type ImageHeaderFormat = 'png' | 'jpeg' | 'gif' | 'webp' | 'bmp' | 'avif';

/** Width and height read from an image file's first bytes. */
export interface ImageHeaderSize {
  format: ImageHeaderFormat;
  width: number;
  height: number;
}

/** The prefix ends before the size: read this many bytes from the start and try again. */
export interface ImageHeaderNeedsMore {
  format: ImageHeaderFormat;
  needBytes: number;
}

/** Bytes to read first: enough for PNG, GIF, WebP, BMP and most JPEG and AVIF files. */
export const IMAGE_HEADER_PREFIX = 64 * 1024;
/** Past this many bytes a JPEG or AVIF header is not looked for (the image is then checked once decoded). */
export const MAX_IMAGE_HEADER_BYTES = 4 * 1024 * 1024;

/**
 * `maxPixels` checked: a positive integer, or `Infinity` (no limit); undefined is {@link DEFAULT_MAX_PIXELS}.
 * Wrong types throw TypeError, wrong values RangeError.
 */
export function resolveMaxPixels(value: unknown): number {
  if (value === undefined) return DEFAULT_MAX_PIXELS;
  const expected = 'positive integer or Infinity';
  if (!isNumber(value)) throw invalidType('maxPixels', expected, value);
  if (value !== Infinity && !(Number.isInteger(value) && value >= 1)) throw invalidValue('maxPixels', expected, value);
  return value;
}

/** Megapixels for messages, to three significant digits: 256, 40, 24.5, 0.001. */
export function formatMegapixels(pixels: number): string {
  return String(Number((pixels / 1e6).toPrecision(3)));
}

/**
 * Throws E_IMAGE_TOO_LARGE when `width` × `height` is over `maxPixels`. `what` is a noun phrase for the image
 * (`the image 'photo.png'`); `remedy` what to do, after the limit is named.
 */
export function checkPixelLimit(
  width: number,
  height: number,
  maxPixels: number,
  what = 'the image',
  remedy = 'Pass a larger maxPixels to allow it, or resize it first.',
): void {
  const pixels = width * height;
  if (!(pixels > maxPixels)) return;
  let size = formatMegapixels(pixels);
  let limit = formatMegapixels(maxPixels);
  // Never `40 megapixels, over the 40-megapixel limit`.
  const exact = size === limit;
  if (exact) [size, limit] = [String(pixels), String(maxPixels)];
  const subject = what.charAt(0).toUpperCase() + what.slice(1);
  throw new PasticheError(
    'E_IMAGE_TOO_LARGE',
    `${subject} is ${width}×${height} (${size} ${exact ? 'pixels' : 'megapixels'}), over the ${limit}-${exact ? 'pixel' : 'megapixel'} limit (maxPixels). ${remedy}`,
  );
}

const u16be = (b: Uint8Array, i: number) => (b[i] << 8) | b[i + 1];
const u16le = (b: Uint8Array, i: number) => b[i] | (b[i + 1] << 8);
const u24le = (b: Uint8Array, i: number) => b[i] | (b[i + 1] << 8) | (b[i + 2] << 16);
const u32be = (b: Uint8Array, i: number) => ((b[i] << 24) | (b[i + 1] << 16) | (b[i + 2] << 8) | b[i + 3]) >>> 0;
const u32le = (b: Uint8Array, i: number) => (b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24)) >>> 0;
const ascii = (b: Uint8Array, i: number, text: string) => {
  if (i + text.length > b.length) return false;
  for (let k = 0; k < text.length; k++) if (b[i + k] !== text.charCodeAt(k)) return false;
  return true;
};

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function png(b: Uint8Array): ImageHeaderSize | ImageHeaderNeedsMore | undefined {
  if (b.length < 24) return { format: 'png', needBytes: 24 };
  if (!ascii(b, 12, 'IHDR')) return undefined;
  return { format: 'png', width: u32be(b, 16), height: u32be(b, 20) };
}

function gif(b: Uint8Array): ImageHeaderSize | ImageHeaderNeedsMore {
  if (b.length < 10) return { format: 'gif', needBytes: 10 };
  return { format: 'gif', width: u16le(b, 6), height: u16le(b, 8) };
}

function webp(b: Uint8Array): ImageHeaderSize | ImageHeaderNeedsMore | undefined {
  if (b.length < 30) return { format: 'webp', needBytes: 30 };
  if (ascii(b, 12, 'VP8 ')) {
    // Frame tag (3 bytes), start code 9d 01 2a, then 14-bit width and height (2 bits of scale above each).
    if (b[23] !== 0x9d || b[24] !== 0x01 || b[25] !== 0x2a) return undefined;
    return { format: 'webp', width: u16le(b, 26) & 0x3fff, height: u16le(b, 28) & 0x3fff };
  }
  if (ascii(b, 12, 'VP8L')) {
    if (b[20] !== 0x2f) return undefined;
    const bits = u32le(b, 21);
    return { format: 'webp', width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
  }
  if (ascii(b, 12, 'VP8X')) return { format: 'webp', width: u24le(b, 24) + 1, height: u24le(b, 27) + 1 };
  return undefined;
}

function bmp(b: Uint8Array): ImageHeaderSize | ImageHeaderNeedsMore | undefined {
  if (b.length < 26) return { format: 'bmp', needBytes: 26 };
  const headerSize = u32le(b, 14);
  if (headerSize === 12) return { format: 'bmp', width: u16le(b, 18), height: u16le(b, 20) };
  if (headerSize < 40) return undefined;
  // Signed: a negative height is a top-down bitmap.
  const width = Math.abs(u32le(b, 18) | 0);
  const height = Math.abs(u32le(b, 22) | 0);
  return { format: 'bmp', width, height };
}

/** Start-of-frame markers: SOF0–3, 5–7, 9–11, 13–15 (C4 is DHT, C8 reserved, CC DAC). */
const isStartOfFrame = (marker: number) => marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;

function jpeg(b: Uint8Array): ImageHeaderSize | ImageHeaderNeedsMore | undefined {
  let i = 2;
  for (;;) {
    // Fill bytes (FF) may precede a marker.
    while (i < b.length && b[i] === 0xff && b[i + 1] === 0xff) i++;
    if (i + 4 > b.length) return { format: 'jpeg', needBytes: i + 4 };
    if (b[i] !== 0xff) return undefined;
    const marker = b[i + 1];
    // Markers without a length: TEM, RST0–7.
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      i += 2;
      continue;
    }
    // End of image or start of scan before any frame header: no size to read.
    if (marker === 0xd9 || marker === 0xda) return undefined;
    if (isStartOfFrame(marker)) {
      if (i + 9 > b.length) return { format: 'jpeg', needBytes: i + 9 };
      const height = u16be(b, i + 5);
      const width = u16be(b, i + 7);
      // Height 0 is set later by a DNL marker; the decoded image is checked instead.
      return height === 0 ? undefined : { format: 'jpeg', width, height };
    }
    const length = u16be(b, i + 2);
    if (length < 2) return undefined;
    i += 2 + length;
  }
}

/** AVIF and HEIF: the largest `ispe` (image spatial extents) property in the first bytes. */
function avif(b: Uint8Array): ImageHeaderSize | ImageHeaderNeedsMore | undefined {
  let best: ImageHeaderSize | undefined;
  for (let i = 4; i + 16 <= b.length; i++) {
    if (b[i] !== 0x69 || !ascii(b, i, 'ispe')) continue;
    const width = u32be(b, i + 8);
    const height = u32be(b, i + 12);
    if (!best || width * height > best.width * best.height) best = { format: 'avif', width, height };
  }
  return best ?? { format: 'avif', needBytes: b.length * 2 };
}

/**
 * The width and height an image file declares, from its first bytes and without decoding it: PNG (IHDR), JPEG
 * (the first start-of-frame marker), GIF (the logical screen), WebP (VP8, VP8L, VP8X), BMP, and AVIF/HEIF (the
 * largest `ispe`). Returns `{ needBytes }` when `bytes` ends before the size (JPEG metadata can run long: read
 * that many bytes from the start and call again), and undefined for other formats or a malformed header.
 */
export function readImageHeader(bytes: Uint8Array): ImageHeaderSize | ImageHeaderNeedsMore | undefined {
  const b = bytes;
  if (b.length >= 8 && PNG_SIGNATURE.every((v, i) => b[i] === v)) return png(b);
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return jpeg(b);
  if (ascii(b, 0, 'GIF87a') || ascii(b, 0, 'GIF89a')) return gif(b);
  if (ascii(b, 0, 'RIFF') && ascii(b, 8, 'WEBP')) return webp(b);
  if (ascii(b, 0, 'BM')) return bmp(b);
  if (ascii(b, 4, 'ftyp') && ['avif', 'avis', 'heic', 'heix', 'mif1', 'msf1'].some((brand) => ascii(b, 8, brand))) return avif(b);
  return undefined;
}

/** CSS pixels per unit of an SVG length (96 per inch); font-relative units at a 16-pixel font. */
const SVG_UNITS: Readonly<Record<string, number>> = { '': 1, px: 1, pt: 4 / 3, pc: 16, in: 96, cm: 96 / 2.54, mm: 96 / 25.4, q: 96 / 101.6, em: 16, rem: 16, ex: 8 };

function svgLength(value: string | undefined): number | undefined {
  const match = value?.trim().match(/^([+]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?)\s*([a-z]*)$/i);
  if (!match) return undefined;
  const unit = SVG_UNITS[match[2].toLowerCase()];
  const length = Number(match[1]) * (unit ?? NaN);
  return Number.isFinite(length) && length > 0 ? length : undefined;
}

/** True when the bytes start like an SVG document (after a byte-order mark, whitespace, an XML declaration or comments). */
export function looksLikeSvg(text: string): boolean {
  return /^\uFEFF?\s*(<\?xml[^>]*>\s*)?(<!--[\s\S]*?-->\s*)*(<!DOCTYPE\s+svg[^>]*>\s*)?(<!--[\s\S]*?-->\s*)*<svg[\s>]/i.test(text);
}

/**
 * The size an SVG document renders at, from the root element's `width`, `height` and `viewBox`, as browsers size an
 * SVG image: both lengths absolute → them; one, with a viewBox → the other from its aspect ratio. Undefined when
 * there is no `<svg` start tag or the size comes from elsewhere (percentages, no width/height: a browser then uses
 * its default, 300×150 or so, which no limit refuses).
 */
export function readSvgSize(text: string): { width: number; height: number } | undefined {
  const tag = text.match(/<svg\b([^>]*)>/i);
  if (!tag) return undefined;
  const attributes = new Map<string, string>();
  for (const m of tag[1].matchAll(/([\w:.-]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g)) attributes.set(m[1].toLowerCase(), m[2] ?? m[3]);
  const width = svgLength(attributes.get('width'));
  const height = svgLength(attributes.get('height'));
  const box = attributes.get('viewbox')?.trim().split(/[\s,]+/).map(Number);
  const ratio = box && box.length === 4 && box[2] > 0 && box[3] > 0 ? box[2] / box[3] : undefined;
  if (width !== undefined && height !== undefined) return { width: Math.ceil(width), height: Math.ceil(height) };
  if (width !== undefined && ratio) return { width: Math.ceil(width), height: Math.ceil(width / ratio) };
  if (height !== undefined && ratio) return { width: Math.ceil(height * ratio), height: Math.ceil(height) };
  return undefined;
}

/** Bytes of an image file's start and end that {@link describeImageDamage} reads. */
export const IMAGE_DAMAGE_BYTES = 32;

const FORMAT_NAMES: Readonly<Record<string, string>> = {
  png: 'PNG', jpeg: 'JPEG', gif: 'GIF', webp: 'WebP', bmp: 'BMP', avif: 'AVIF/HEIF', tiff: 'TIFF',
};

/** The format an image file's first bytes announce (its signature), whether or not the rest is sound. */
function sniffFormat(head: Uint8Array): string | undefined {
  if (head.length >= 8 && PNG_SIGNATURE.every((v, i) => head[i] === v)) return 'png';
  if (head.length >= 3 && head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'jpeg';
  if (ascii(head, 0, 'GIF87a') || ascii(head, 0, 'GIF89a')) return 'gif';
  if (ascii(head, 0, 'RIFF') && ascii(head, 8, 'WEBP')) return 'webp';
  if (ascii(head, 0, 'BM') && head.length >= 6) return 'bmp';
  if (ascii(head, 4, 'ftyp')) return 'avif';
  if (ascii(head, 0, 'II*\0') || ascii(head, 0, 'MM\0*')) return 'tiff';
  return undefined;
}

/** Whether a file of a format ends as that format must end (undefined where the end tells nothing). */
function endsWhole(format: string, head: Uint8Array, tail: Uint8Array, size: number): boolean | undefined {
  const endsWith = (bytes: number[]) => bytes.length <= tail.length && bytes.every((v, i) => tail[tail.length - bytes.length + i] === v);
  switch (format) {
    case 'png':
      return endsWith([0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82]);
    case 'jpeg':
      // FF D9 cannot occur in entropy-coded data (an FF there is followed by 00 or a restart marker).
      for (let i = 0; i + 1 < tail.length; i++) if (tail[i] === 0xff && tail[i + 1] === 0xd9) return true;
      return false;
    case 'gif':
      return tail[tail.length - 1] === 0x3b;
    case 'webp':
      return head.length >= 8 ? u32le(head, 4) + 8 <= size : undefined;
    case 'bmp':
      return u32le(head, 2) <= size;
    default:
      return undefined;
  }
}

/**
 * What is wrong with an image file that its decoder refused, from its first and last {@link IMAGE_DAMAGE_BYTES} bytes
 * and its size: `a PNG file cut short: it does not end with the IEND chunk`, `a JPEG file with damaged data`, or
 * undefined when the bytes are no image format known here (the file is then not an image, or one this platform
 * does not read). For messages: a truncated download should not read as "expected a JPEG, PNG, …".
 */
export function describeImageDamage(head: Uint8Array, tail: Uint8Array, size: number): string | undefined {
  const format = sniffFormat(head);
  if (!format) return undefined;
  const name = FORMAT_NAMES[format];
  const whole = endsWhole(format, head, tail, size);
  const ending: Readonly<Record<string, string>> = {
    png: 'it does not end with the IEND chunk',
    jpeg: 'it does not end with the end-of-image marker',
    gif: 'it does not end with the trailer byte',
    webp: `its header declares ${head.length >= 8 ? u32le(head, 4) + 8 : '?'} bytes but it has ${size}`,
    bmp: `its header declares ${head.length >= 6 ? u32le(head, 2) : '?'} bytes but it has ${size}`,
  };
  if (whole === false) return `a ${name} file cut short (truncated): ${ending[format]}`;
  if (whole === true) return `a ${name} file whose data is corrupt (it is complete, but does not decode)`;
  return `a ${name} file that is truncated or corrupt`;
}
