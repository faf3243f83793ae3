import { expectObject, expectPositiveInteger, invalidType, invalidValue } from '../arguments.js';
import { expectPlanarImage } from './planar-checks.js';
import type { PlanarImage, RawImage } from './image-types.js';

/** A black planar RGB image of the given size. */
export function createPlanar(width: number, height: number): PlanarImage {
  expectPositiveInteger('width', width);
  expectPositiveInteger('height', height);
  return { data: new Float32Array(3 * width * height), width, height };
}

/**
 * Converts interleaved 8-bit pixels to planar float RGB (0..255). Grey is copied to all three planes;
 * alpha is dropped (composite onto a background first if it matters).
 */
export function rawToPlanar(raw: RawImage): PlanarImage {
  expectObject('raw', raw, 'RawImage');
  const { data, width, height, channels } = raw;
  if (!(data instanceof Uint8Array || data instanceof Uint8ClampedArray)) {
    throw invalidType('raw.data', 'Uint8Array or Uint8ClampedArray', data);
  }
  expectPositiveInteger('raw.width', width);
  expectPositiveInteger('raw.height', height);
  if (channels !== 1 && channels !== 2 && channels !== 3 && channels !== 4) {
    throw (typeof channels === 'number' ? invalidValue : invalidType)('raw.channels', '1, 2, 3 or 4', channels);
  }
  const n = width * height;
  if (data.length !== n * channels) {
    throw invalidValue('raw.data.length', `width * height * channels = ${n * channels} (${width}x${height}x${channels})`, data.length);
  }
  const out = new Float32Array(3 * n);
  if (channels <= 2) {
    for (let i = 0, s = 0; i < n; i++, s += channels) {
      const v = data[s];
      out[i] = v;
      out[n + i] = v;
      out[2 * n + i] = v;
    }
  } else {
    for (let i = 0, s = 0; i < n; i++, s += channels) {
      out[i] = data[s];
      out[n + i] = data[s + 1];
      out[2 * n + i] = data[s + 2];
    }
  }
  return { data: out, width, height };
}

/**
 * Converts planar float RGB to interleaved 8-bit pixels: values are rounded (half up) and clamped to
 * 0..255, NaN becomes 0; with `channels = 4` alpha is 255.
 */
export function planarToRaw(img: PlanarImage, channels: 3 | 4 = 3): RawImage {
  expectPlanarImage('img', img);
  if (channels !== 3 && channels !== 4) throw (typeof channels === 'number' ? invalidValue : invalidType)('channels', '3 or 4', channels);
  const { data, width, height } = img;
  const n = width * height;
  const out = new Uint8Array(n * channels);
  for (let c = 0; c < 3; c++) {
    const plane = c * n;
    for (let i = 0, d = c; i < n; i++, d += channels) {
      const v = data[plane + i] + 0.5;
      // `v | 0` truncates, which equals floor for v >= 0; NaN fails both tests and becomes 0.
      out[d] = v <= 0 ? 0 : v >= 255 ? 255 : v | 0;
    }
  }
  if (channels === 4) {
    for (let d = 3; d < out.length; d += 4) out[d] = 255;
  }
  return { data: out, width, height, channels };
}
