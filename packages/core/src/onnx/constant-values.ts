import { elementCount, tensorToFloat32 } from './onnx-tensors.js';
import { TensorDataType, type NodeProto, type TensorProto } from './onnx-types.js';

/**
 * Values known when the graph is built: initializers and the outputs of `Constant` nodes. Backward rules
 * read them for things that are static by nature (weight dims, pad amounts); never for image sizes.
 */
export class ConstantValues {
  private readonly tensors = new Map<string, TensorProto>();

  constructor(initializers: readonly TensorProto[], nodes: readonly NodeProto[]) {
    for (const t of initializers) this.tensors.set(t.name, t);
    for (const n of nodes) {
      const value = n.opType === 'Constant' && n.domain === '' ? n.attributes.find((a) => a.name === 'value')?.t : undefined;
      if (value) this.tensors.set(n.outputs[0], value);
    }
  }

  has(name: string): boolean {
    return this.tensors.has(name);
  }

  /** Dims of a constant tensor, or undefined when `name` is not a constant. */
  dims(name: string): number[] | undefined {
    const t = this.tensors.get(name);
    return t && [...t.dims];
  }

  /** Values of a FLOAT constant, or undefined when `name` is not one. */
  float32(name: string): Float32Array | undefined {
    const t = this.tensors.get(name);
    return t?.dataType === TensorDataType.FLOAT ? tensorToFloat32(t) : undefined;
  }

  /** Values of an integer or float constant as numbers, or undefined when `name` is not a constant. */
  numbers(name: string): number[] | undefined {
    const t = this.tensors.get(name);
    return t && tensorNumbers(t);
  }
}

/** The values of an INT64, INT32, BOOL/UINT8 or FLOAT(16) tensor as numbers. */
export function tensorNumbers(t: TensorProto): number[] {
  const count = elementCount(t.dims);
  if (t.dataType === TensorDataType.BOOL || t.dataType === TensorDataType.UINT8) {
    return t.rawData ? Array.from(t.rawData.subarray(0, count)) : [...(t.int32Data ?? [])];
  }
  if (t.dataType === TensorDataType.INT64 || t.dataType === TensorDataType.INT32) {
    const width = t.dataType === TensorDataType.INT64 ? 8 : 4;
    if (t.rawData) {
      const view = new DataView(t.rawData.buffer, t.rawData.byteOffset, t.rawData.byteLength);
      return Array.from({ length: count }, (_, i) => (width === 8 ? Number(view.getBigInt64(i * 8, true)) : view.getInt32(i * 4, true)));
    }
    return [...((width === 8 ? t.int64Data : t.int32Data) ?? [])];
  }
  return Array.from(tensorToFloat32(t));
}
