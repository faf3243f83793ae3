import { expectNonNegativeInteger, expectObject, expectPlanarImage, expectPositiveInteger } from './image-args.js';
import type { PlanarImage } from './image-types.js';

/** Pixels added on each side of an image. */
type Pads = { top: number; right: number; bottom: number; left: number };

/** A rectangle in pixel coordinates; `x`, `y` is its top-left corner. */
type Rect = { x: number; y: number; width: number; height: number };

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
  expectPlanarImage(img, 'img');
  expectObject(pads, '{ top, right, bottom, left }', 'pads');
  const top = expectNonNegativeInteger(pads.top, 'pads.top');
  const right = expectNonNegativeInteger(pads.right, 'pads.right');
  const bottom = expectNonNegativeInteger(pads.bottom, 'pads.bottom');
  const left = expectNonNegativeInteger(pads.left, 'pads.left');
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
  expectPlanarImage(img, 'img');
  expectObject(rect, '{ x, y, width, height }', 'rect');
  const x0 = expectNonNegativeInteger(rect.x, 'rect.x');
  const y0 = expectNonNegativeInteger(rect.y, 'rect.y');
  const w = expectPositiveInteger(rect.width, 'rect.width');
  const h = expectPositiveInteger(rect.height, 'rect.height');
  const { width, height, data } = img;
  if (x0 + w > width || y0 + h > height) {
    throw new RangeError(
      `Expected rect inside the ${width}x${height} image but received x ${x0}, y ${y0}, width ${w}, height ${h}`,
    );
  }
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
  expectPositiveInteger(width, 'width');
  expectPositiveInteger(height, 'height');
  expectPositiveInteger(multiple, 'multiple');
  const padX = (multiple - (width % multiple)) % multiple;
  const padY = (multiple - (height % multiple)) % multiple;
  const left = Math.floor(padX / 2);
  const top = Math.floor(padY / 2);
  return { top, right: padX - left, bottom: padY - top, left };
}
