import { expectOneOf, expectPositiveInteger } from '../arguments.js';
import { expectPlanarImage } from './planar-checks.js';
import type { PlanarImage } from './image-types.js';

/**
 * The resampling filter: `bilinear` (a triangle, Pillow's BILINEAR) or `lanczos3` (a sinc windowed by a sinc of
 * three lobes, Pillow's LANCZOS; what sharp and libvips resize with by default).
 */
export type ResizeFilter = 'bilinear' | 'lanczos3';

export const RESIZE_FILTERS: readonly ResizeFilter[] = ['bilinear', 'lanczos3'];

const sinc = (x: number) => (x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x));

/** Each filter's kernel and the half-width it reaches at scale 1. */
const FILTERS: Record<ResizeFilter, { support: number; kernel: (x: number) => number }> = {
  bilinear: { support: 1, kernel: (x) => Math.max(0, 1 - Math.abs(x)) },
  lanczos3: { support: 3, kernel: (x) => (x > -3 && x < 3 ? sinc(x) * sinc(x / 3) : 0) },
};

/** Filter taps of one axis: output i reads `count[i]` inputs from `start[i]` with weights at `i * taps`. */
interface AxisCoefficients {
  start: Int32Array;
  count: Int32Array;
  weights: Float64Array;
  taps: number;
}

/**
 * Filter coefficients as Pillow computes them: pixel centres aligned (`(i + 0.5) * scale`), support widened by the
 * scale factor when downscaling (antialiasing), taps cut at the image edges and renormalised.
 */
function axisCoefficients(inSize: number, outSize: number, filter: ResizeFilter): AxisCoefficients {
  const { support: base, kernel } = FILTERS[filter];
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = base * filterScale;
  const inv = 1 / filterScale;
  const taps = Math.ceil(support) * 2 + 1;
  const start = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const weights = new Float64Array(outSize * taps);
  for (let i = 0; i < outSize; i++) {
    const center = (i + 0.5) * scale;
    const lo = Math.max(0, Math.floor(center - support + 0.5));
    const hi = Math.min(inSize, Math.floor(center + support + 0.5));
    const k = i * taps;
    let sum = 0;
    for (let x = lo; x < hi; x++) {
      const w = kernel((x - center + 0.5) * inv);
      weights[k + x - lo] = w;
      sum += w;
    }
    if (sum !== 0) for (let x = 0; x < hi - lo; x++) weights[k + x] /= sum;
    start[i] = lo;
    count[i] = hi - lo;
  }
  return { start, count, weights, taps };
}

/** Resamples every row of the three planes from `width` to `outWidth` columns. */
function resizeRows(src: Float32Array, width: number, height: number, outWidth: number, filter: ResizeFilter): Float32Array {
  const { start, count, weights, taps } = axisCoefficients(width, outWidth, filter);
  const out = new Float32Array(3 * height * outWidth);
  const rows = 3 * height;
  for (let r = 0; r < rows; r++) {
    const s = r * width;
    const o = r * outWidth;
    for (let x = 0; x < outWidth; x++) {
      const from = s + start[x];
      const k = x * taps;
      const n = count[x];
      let acc = 0;
      for (let j = 0; j < n; j++) acc += src[from + j] * weights[k + j];
      out[o + x] = acc;
    }
  }
  return out;
}

/** Resamples every column of the three planes from `height` to `outHeight` rows, a row at a time. */
function resizeColumns(src: Float32Array, width: number, height: number, outHeight: number, filter: ResizeFilter): Float32Array {
  const { start, count, weights, taps } = axisCoefficients(height, outHeight, filter);
  const out = new Float32Array(3 * outHeight * width);
  const acc = new Float64Array(width);
  for (let c = 0; c < 3; c++) {
    const inPlane = c * height * width;
    const outPlane = c * outHeight * width;
    for (let y = 0; y < outHeight; y++) {
      acc.fill(0);
      const k = y * taps;
      const n = count[y];
      for (let j = 0; j < n; j++) {
        const w = weights[k + j];
        const row = inPlane + (start[y] + j) * width;
        for (let x = 0; x < width; x++) acc[x] += src[row + x] * w;
      }
      out.set(acc, outPlane + y * width);
    }
  }
  return out;
}

/**
 * Largest `size` (longest side) the methods take: 16384, the largest texture side most GPUs support. A planar
 * float image of 16384² is already 3 GiB; larger ones fail deep inside the runtimes rather than cleanly.
 */
export const MAX_IMAGE_SIDE = 16384;

/**
 * Resizes with a separable, antialiased filter, pixel-centre aligned, matching Pillow's `resize(..., BILINEAR)`
 * (or `LANCZOS` for `lanczos3`) up to float rounding. Returns a copy when the size is unchanged.
 * @param filter @default 'bilinear'
 */
export function resizeImage(img: PlanarImage, width: number, height: number, filter: ResizeFilter = 'bilinear'): PlanarImage {
  expectPlanarImage('img', img);
  expectPositiveInteger('width', width);
  expectPositiveInteger('height', height);
  expectOneOf('filter', filter, RESIZE_FILTERS);
  return resizeImageUnchecked(img, width, height, filter);
}

/** {@link resizeImage} without the argument checks, for the pipeline (its sizes are resolved already). */
export function resizeImageUnchecked(img: PlanarImage, width: number, height: number, filter: ResizeFilter = 'bilinear'): PlanarImage {
  let data = img.data;
  // The pass that shrinks more goes first, so the second pass touches fewer pixels.
  const rowsFirst = width * img.height <= img.width * height;
  if (rowsFirst && width !== img.width) data = resizeRows(data, img.width, img.height, width, filter);
  if (height !== img.height) data = resizeColumns(data, rowsFirst ? width : img.width, img.height, height, filter);
  if (!rowsFirst && width !== img.width) data = resizeRows(data, img.width, height, width, filter);
  return { data: data === img.data ? img.data.slice() : data, width, height };
}

/** The size that scales `width` x `height` so that its longest side is `size` (rounded, at least 1). */
export function fitLongestSide(width: number, height: number, size: number): { width: number; height: number } {
  expectPositiveInteger('width', width);
  expectPositiveInteger('height', height);
  expectPositiveInteger('size', size);
  return fitLongestSideUnchecked(width, height, size);
}

/** {@link fitLongestSide} without the argument checks, for the pipeline. */
export function fitLongestSideUnchecked(width: number, height: number, size: number): { width: number; height: number } {
  if (width >= height) return { width: size, height: Math.max(1, Math.round((height * size) / width)) };
  return { width: Math.max(1, Math.round((width * size) / height)), height: size };
}
