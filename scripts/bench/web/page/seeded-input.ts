/**
 * The benchmark's input image: uniform pseudo-random RGB 0..255 from a seed, so that every peer (each page, and
 * Node) can make the same pixels without sending them around. Planar (NCHW) or interleaved (HWC) order.
 */
export function seededPixels(size: number, seed: number, order: 'planar' | 'interleaved'): Float32Array {
  const pixels = size * size;
  const out = new Float32Array(3 * pixels);
  let s = seed >>> 0 || 1;
  for (let p = 0; p < pixels; p++) {
    for (let c = 0; c < 3; c++) {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      out[order === 'planar' ? c * pixels + p : p * 3 + c] = (s / 2 ** 32) * 255;
    }
  }
  return out;
}

/** HWC → CHW, for comparing an NHWC peer's output with an NCHW one's. */
export function interleavedToPlanar(data: Float32Array, pixels: number): Float32Array {
  const out = new Float32Array(data.length);
  for (let p = 0; p < pixels; p++) for (let c = 0; c < 3; c++) out[c * pixels + p] = data[p * 3 + c]!;
  return out;
}
