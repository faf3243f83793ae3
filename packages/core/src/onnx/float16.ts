/** IEEE 754 half precision, as ONNX FLOAT16 tensors and ncnn fp16 weights store it. */

/** The value of one half-precision bit pattern (exact: every half is a float32). */
export function float16BitsToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24; // zero and subnormals
  if (exponent === 0x1f) return fraction ? NaN : sign * Infinity;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

/**
 * Reads `count` little-endian halves starting at `byteOffset` of `bytes` (any alignment) into a new
 * Float32Array.
 */
export function readFloat16(bytes: Uint8Array, count: number, byteOffset = 0): Float32Array {
  if (byteOffset + count * 2 > bytes.byteLength) {
    throw new RangeError(`Expected ${count} float16 values at byte ${byteOffset} but only ${bytes.byteLength} bytes are available`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset + byteOffset, count * 2);
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = float16BitsToNumber(view.getUint16(i * 2, true));
  return out;
}
