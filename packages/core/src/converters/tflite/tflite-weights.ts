import { readFloat16 } from '../../onnx/float16.js';
import { readFloat32 } from '../../onnx/onnx-tensors.js';
import { TFLITE_TYPE_NAMES, TfliteType, type TfliteTensor } from './tflite-model.js';

/**
 * Constant tensors of a TFLite file as numbers: float32 and fp16 as they are, int8/uint8/int16/int32 weights with
 * quantization parameters dequantised to float32 (`scale · (q − zero_point)`, per tensor or per channel along
 * `quantized_dimension`), integer constants without them (shapes, axes, paddings) as integers.
 */

const elementCount = (shape: readonly number[]) => shape.reduce((n, d) => n * d, 1);

/** A tensor's bytes as a DataView, checked against its shape and element size. */
function dataView(t: TfliteTensor, bytesPerElement: number): DataView {
  const data = t.data;
  if (!data) throw new RangeError(`tensor ${t.index} '${t.name}' has no constant data`);
  const count = elementCount(t.shape);
  if (data.byteLength !== count * bytesPerElement) {
    throw new RangeError(
      `tensor ${t.index} '${t.name}' of shape [${t.shape.join(', ')}] (${TFLITE_TYPE_NAMES[t.type]}) needs ${count * bytesPerElement} bytes but its buffer has ${data.byteLength}`,
    );
  }
  return new DataView(data.buffer, data.byteOffset, data.byteLength);
}

/** Raw integer values of an integer tensor, before any dequantisation. */
function integers(t: TfliteTensor): Float64Array {
  const count = elementCount(t.shape);
  const out = new Float64Array(count);
  switch (t.type) {
    case TfliteType.INT8: {
      const v = dataView(t, 1);
      for (let i = 0; i < count; i++) out[i] = v.getInt8(i);
      return out;
    }
    case TfliteType.UINT8: {
      const v = dataView(t, 1);
      for (let i = 0; i < count; i++) out[i] = v.getUint8(i);
      return out;
    }
    case TfliteType.INT16: {
      const v = dataView(t, 2);
      for (let i = 0; i < count; i++) out[i] = v.getInt16(2 * i, true);
      return out;
    }
    case TfliteType.INT32: {
      const v = dataView(t, 4);
      for (let i = 0; i < count; i++) out[i] = v.getInt32(4 * i, true);
      return out;
    }
    case TfliteType.INT64: {
      const v = dataView(t, 8);
      for (let i = 0; i < count; i++) out[i] = Number(v.getBigInt64(8 * i, true));
      return out;
    }
    default:
      throw new RangeError(`tensor ${t.index} '${t.name}' is ${TFLITE_TYPE_NAMES[t.type] ?? `type ${t.type}`}, not an integer type`);
  }
}

/** Whether a tensor holds integers that stand for real numbers (quantized weights or biases). */
export function isQuantized(t: TfliteTensor): boolean {
  return t.quantization !== undefined && t.type !== TfliteType.FLOAT32 && t.type !== TfliteType.FLOAT16;
}

/**
 * The values of a constant tensor as float32: float32 and fp16 read as they are, quantized integers dequantised.
 * @throws RangeError (the caller names the file and operator) for integers without quantization, or data of the wrong size.
 */
export function constantFloats(t: TfliteTensor): Float32Array {
  if (t.type === TfliteType.FLOAT32) return readFloat32(checked(t, 4), elementCount(t.shape));
  if (t.type === TfliteType.FLOAT16) return readFloat16(checked(t, 2), elementCount(t.shape));
  const q = t.quantization;
  if (!q) throw new RangeError(`tensor ${t.index} '${t.name}' holds ${TFLITE_TYPE_NAMES[t.type]} without quantization parameters where real numbers are expected`);
  const values = integers(t);
  const out = new Float32Array(values.length);
  const channels = q.scale.length;
  if (channels === 1) {
    const scale = q.scale[0];
    const zero = q.zeroPoint[0] ?? 0;
    for (let i = 0; i < values.length; i++) out[i] = scale * (values[i] - zero);
    return out;
  }
  // Per channel: the index along quantized_dimension picks the scale and zero point.
  const axis = q.quantizedDimension;
  if (axis < 0 || axis >= t.shape.length || t.shape[axis] !== channels) {
    throw new RangeError(`tensor ${t.index} '${t.name}' has ${channels} scales along dimension ${axis} of shape [${t.shape.join(', ')}]`);
  }
  const inner = elementCount(t.shape.slice(axis + 1));
  for (let i = 0; i < values.length; i++) {
    const c = Math.floor(i / inner) % channels;
    out[i] = q.scale[c] * (values[i] - (q.zeroPoint[c] ?? q.zeroPoint[0] ?? 0));
  }
  return out;
}

/** The values of an integer constant (shape, axes, paddings) as numbers. */
export function constantIntegers(t: TfliteTensor): number[] {
  return Array.from(integers(t));
}

/**
 * The integers of a quantized constant less its zero points (per channel along `quantized_dimension`), as float32:
 * exact, for filters computed on integers.
 */
export function centeredIntegers(t: TfliteTensor): Float32Array {
  const values = integers(t);
  const zeros = t.quantization?.zeroPoint ?? [];
  const out = Float32Array.from(values);
  if (zeros.every((z) => z === 0)) return out;
  const axis = t.quantization?.quantizedDimension ?? 0;
  const inner = t.shape.slice(axis + 1).reduce((n, d) => n * d, 1);
  for (let i = 0; i < out.length; i++) out[i] -= zeros.length > 1 ? zeros[Math.floor(i / inner) % zeros.length] : zeros[0];
  return out;
}

function checked(t: TfliteTensor, bytesPerElement: number): Uint8Array {
  dataView(t, bytesPerElement);
  return t.data as Uint8Array;
}
