import { PasticheError } from '../errors.js';
import { readFloat16 } from './float16.js';
import { TensorDataType, type TensorProto } from './onnx-types.js';

/** Number of elements of a tensor with these dims (1 for a scalar). */
export function elementCount(dims: readonly number[]): number {
  return dims.reduce((n, d) => n * d, 1);
}

function checkDims(what: string, dims: readonly number[], length: number): void {
  if (!dims.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new RangeError(`Expected non-negative integer dims for '${what}' but received [${dims.join(', ')}]`);
  }
  if (elementCount(dims) !== length) {
    throw new RangeError(`Expected ${elementCount(dims)} values for '${what}' of dims [${dims.join(', ')}] but received ${length}`);
  }
}

/** Reads `count` little-endian float32 values at `byteOffset` of `bytes` (any alignment) into a new array. */
export function readFloat32(bytes: Uint8Array, count: number, byteOffset = 0): Float32Array {
  if (byteOffset + count * 4 > bytes.byteLength) {
    throw new RangeError(`Expected ${count} float32 values at byte ${byteOffset} but only ${bytes.byteLength} bytes are available`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset + byteOffset, count * 4);
  const out = new Float32Array(count);
  for (let i = 0; i < count; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}

/** A FLOAT tensor holding a little-endian copy of `data` in raw_data (how ONNX writers store weights). */
export function float32Tensor(name: string, dims: readonly number[], data: Float32Array | readonly number[]): TensorProto {
  checkDims(name, dims, data.length);
  const values = data instanceof Float32Array ? data : Float32Array.from(data);
  const raw = new Uint8Array(values.length * 4);
  const view = new DataView(raw.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i], true);
  return { name, dims: [...dims], dataType: TensorDataType.FLOAT, rawData: raw };
}

/** An INT64 tensor (shapes, pads, axes) in raw_data. */
export function int64Tensor(name: string, dims: readonly number[], values: readonly number[]): TensorProto {
  checkDims(name, dims, values.length);
  const raw = new Uint8Array(values.length * 8);
  const view = new DataView(raw.buffer);
  values.forEach((v, i) => {
    if (!Number.isSafeInteger(v)) throw new RangeError(`Expected integers for '${name}' but received ${v} at index ${i}`);
    view.setBigInt64(i * 8, BigInt(v), true);
  });
  return { name, dims: [...dims], dataType: TensorDataType.INT64, rawData: raw };
}

/**
 * The values of a FLOAT or FLOAT16 tensor as a new Float32Array, from raw_data or the typed fields
 * (float_data for FLOAT; int32_data holding the bit patterns for FLOAT16).
 * @throws RangeError for other data types; PasticheError `E_ONNX_PARSE` when the data has the wrong size.
 */
export function tensorToFloat32(t: TensorProto): Float32Array {
  const count = elementCount(t.dims);
  const sizeError = (found: string) =>
    new PasticheError('E_ONNX_PARSE', `Expected ${count} values in tensor '${t.name}' of dims [${t.dims.join(', ')}] but found ${found}`);

  if (t.dataType === TensorDataType.FLOAT) {
    if (t.rawData) {
      if (t.rawData.byteLength !== count * 4) throw sizeError(`${t.rawData.byteLength} bytes of raw_data`);
      return readFloat32(t.rawData, count);
    }
    const data = t.floatData ?? [];
    if (data.length !== count) throw sizeError(`${data.length} in float_data`);
    return Float32Array.from(data);
  }
  if (t.dataType === TensorDataType.FLOAT16) {
    if (t.rawData) {
      if (t.rawData.byteLength !== count * 2) throw sizeError(`${t.rawData.byteLength} bytes of raw_data`);
      return readFloat16(t.rawData, count);
    }
    const bits = t.int32Data ?? [];
    if (bits.length !== count) throw sizeError(`${bits.length} in int32_data`);
    return readFloat16(new Uint8Array(Uint16Array.from(bits).buffer), count);
  }
  throw new RangeError(`Expected a FLOAT (1) or FLOAT16 (10) tensor for '${t.name}' but received data type ${t.dataType}`);
}
