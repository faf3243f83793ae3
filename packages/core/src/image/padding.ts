import { expectInteger, expectObject, expectPositiveInteger } from '../arguments.js';
import { expectPlanarImage } from './planar-checks.js';
import type { PlanarImage } from './image-types.js';

/** Pixels added on each side of an image. */
export type Pads = { top: number; right: number; bottom: number; left: number };

/** A rectangle in pixel coordinates; `x`, `y` is its top-left corner. */
export type Rect = { x: number; y: number; width: number; height: number };

/**
 * Source index for every padded index along one axis: reflection without repeating the edge
 * (numpy 'reflect'), periodic with period 2 * (size - 1) so pads of any length mirror back and forth.
 */
function reflectIndices(size: number, before: number, after: number): Int32Array {
  const map = new Int32Array(before + size + after);
  if (size === 1) return map; // nothing to reflect: edge replication
  const period = 2 * (size - 1);
  for (let i = 0; i < map.length; i++) {
    let m = (i - before) % period;
    if (m < 0) m += period;
    map[i] = m < size ? m : period - m;
  }
  return map;
}

/**
 * Pads with the reflection of the image, excluding the edge pixel (like numpy `mode='reflect'` and ONNX
 * Pad `reflect`). Pads larger than the image mirror back and forth; a 1-pixel dimension is replicated.
 */
export function reflectPad(img: PlanarImage, pads: Pads): PlanarImage {
  expectPlanarImage('img', img);
  expectObject('pads', pads, '{ top, right, bottom, left }');
  for (const side of ['top', 'right', 'bottom', 'left'] as const) expectInteger(`pads.${side}`, pads[side], { min: 0 });
  return reflectPadUnchecked(img, pads);
}

/** {@link reflectPad} without the argument checks, for the pipeline. */
export function reflectPadUnchecked(img: PlanarImage, { top, right, bottom, left }: Pads): PlanarImage {
  const { width, height, data } = img;
  const outWidth = width + left + right;
  const outHeight = height + top + bottom;
  const xs = reflectIndices(width, left, right);
  const ys = reflectIndices(height, top, bottom);
  const out = new Float32Array(3 * outWidth * outHeight);
  for (let c = 0; c < 3; c++) {
    const inPlane = c * width * height;
    const outPlane = c * outWidth * outHeight;
    for (let y = 0; y < outHeight; y++) {
      const src = inPlane + ys[y] * width;
      const dst = outPlane + y * outWidth;
      for (let x = 0; x < left; x++) out[dst + x] = data[src + xs[x]];
      out.set(data.subarray(src, src + width), dst + left);
      for (let x = left + width; x < outWidth; x++) out[dst + x] = data[src + xs[x]];
    }
  }
  return { data: out, width: outWidth, height: outHeight };
}

/** Copies the pixels inside `rect`, which must lie within the image. */
export function cropImage(img: PlanarImage, rect: Rect): PlanarImage {
  expectPlanarImage('img', img);
  expectObject('rect', rect, '{ x, y, width, height }');
  const x = expectInteger('rect.x', rect.x, { min: 0 });
  const y = expectInteger('rect.y', rect.y, { min: 0 });
  const w = expectPositiveInteger('rect.width', rect.width);
  const h = expectPositiveInteger('rect.height', rect.height);
  if (x + w > img.width || y + h > img.height) {
    throw new RangeError(
      `Expected a rect inside the ${img.width}x${img.height} image for rect but received x ${x}, y ${y}, width ${w}, height ${h}`,
    );
  }
  return cropImageUnchecked(img, rect);
}

/** {@link cropImage} without the argument checks, for the pipeline. */
export function cropImageUnchecked(img: PlanarImage, rect: Rect): PlanarImage {
  const { x: x0, y: y0, width: w, height: h } = rect;
  const { width, height, data } = img;
  const out = new Float32Array(3 * w * h);
  for (let c = 0; c < 3; c++) {
    for (let y = 0; y < h; y++) {
      const src = c * width * height + (y0 + y) * width + x0;
      out.set(data.subarray(src, src + w), (c * h + y) * w);
    }
  }
  return { data: out, width: w, height: h };
}

/**
 * Pads that grow `width` x `height` to the next multiples of `multiple`, split evenly with the odd pixel
 * at the bottom / right (top and left get floor(total / 2)).
 */
export function padsToMultiple(width: number, height: number, multiple: number): Pads {
  expectPositiveInteger('width', width);
  expectPositiveInteger('height', height);
  expectPositiveInteger('multiple', multiple);
  return padsToMultipleUnchecked(width, height, multiple);
}

/** {@link padsToMultiple} without the argument checks, for the pipeline. */
export function padsToMultipleUnchecked(width: number, height: number, multiple: number): Pads {
  const padX = (multiple - (width % multiple)) % multiple;
  const padY = (multiple - (height % multiple)) % multiple;
  const left = Math.floor(padX / 2);
  const top = Math.floor(padY / 2);
  return { top, right: padX - left, bottom: padY - top, left };
}
