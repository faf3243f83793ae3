/**
 * Pillow's `Image.resize(size, Image.BICUBIC)` for 8-bit RGB, bit for bit (Pillow 9's Resample.c): Keys
 * cubic (a = -0.5) stretched by the scale when shrinking, normalised weights in 22-bit fixed point, a
 * horizontal pass then a vertical one, each rounded and clipped to 0..255. The SqueezeNet golden resized
 * its inputs this way; sharp's cubic kernel differs by a few levels per pixel, enough to reorder
 * near-tied low probabilities.
 */

const PRECISION_BITS = 32 - 8 - 2;
const ONE = 2 ** PRECISION_BITS;
const HALF = 2 ** (PRECISION_BITS - 1);
const SUPPORT = 2;

function cubic(x: number): number {
  const a = -0.5;
  x = Math.abs(x);
  if (x < 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
  if (x < 2) return (((x - 5) * x + 8) * x - 4) * a;
  return 0;
}

interface Taps {
  first: number;
  /** Fixed-point weights of source samples first, first + 1, … */
  weights: number[];
}

function taps(inSize: number, outSize: number): Taps[] {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = SUPPORT * filterScale;
  return Array.from({ length: outSize }, (_, xx) => {
    const center = (xx + 0.5) * scale;
    // C's (int) casts truncate toward zero.
    const first = Math.max(Math.trunc(center - support + 0.5), 0);
    const last = Math.min(Math.trunc(center + support + 0.5), inSize);
    const w = Array.from({ length: last - first }, (_, x) => cubic((x + first - center + 0.5) / filterScale));
    const sum = w.reduce((s, v) => s + v, 0);
    const normalised = w.map((v) => (sum !== 0 ? v / sum : v));
    return { first, weights: normalised.map((v) => Math.trunc(v < 0 ? -0.5 + v * ONE : 0.5 + v * ONE)) };
  });
}

const clip8 = (ss: number) => Math.min(255, Math.max(0, Math.floor(ss / ONE)));

/** Resizes interleaved RGB bytes; returns interleaved RGB bytes of `outWidth`×`outHeight`. */
export function pilBicubicResize(rgb: Uint8Array, width: number, height: number, outWidth: number, outHeight: number): Uint8Array {
  const horizontal = taps(width, outWidth);
  const vertical = taps(height, outHeight);
  const temp = new Uint8Array(outWidth * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < outWidth; x++) {
      const { first, weights } = horizontal[x];
      for (let c = 0; c < 3; c++) {
        let ss = HALF;
        for (let i = 0; i < weights.length; i++) ss += rgb[(y * width + first + i) * 3 + c] * weights[i];
        temp[(y * outWidth + x) * 3 + c] = clip8(ss);
      }
    }
  }
  const out = new Uint8Array(outWidth * outHeight * 3);
  for (let y = 0; y < outHeight; y++) {
    const { first, weights } = vertical[y];
    for (let x = 0; x < outWidth; x++) {
      for (let c = 0; c < 3; c++) {
        let ss = HALF;
        for (let i = 0; i < weights.length; i++) ss += temp[((first + i) * outWidth + x) * 3 + c] * weights[i];
        out[(y * outWidth + x) * 3 + c] = clip8(ss);
      }
    }
  }
  return out;
}
