import { describe, expect, it } from 'vitest';
import { PasticheError } from '../../packages/core/src/errors.js';
import {
  float16BitsToNumber,
  float32Tensor,
  int64Tensor,
  readFloat32,
  TensorDataType,
  tensorToFloat32,
} from '../../packages/core/src/onnx/index.js';

describe('float16', () => {
  it('decodes normals, subnormals, zeros, infinities and NaN exactly', () => {
    expect(float16BitsToNumber(0x3c00)).toBe(1);
    expect(float16BitsToNumber(0xc000)).toBe(-2);
    expect(float16BitsToNumber(0x3555)).toBe(0.333251953125);
    expect(float16BitsToNumber(0x7bff)).toBe(65504);
    expect(float16BitsToNumber(0x0001)).toBe(2 ** -24);
    expect(float16BitsToNumber(0x03ff)).toBe(1023 * 2 ** -24);
    expect(Object.is(float16BitsToNumber(0x8000), -0)).toBe(true);
    expect(float16BitsToNumber(0xfc00)).toBe(-Infinity);
    expect(float16BitsToNumber(0x7e00)).toBeNaN();
  });
});

describe('tensor helpers', () => {
  it('float32Tensor stores little-endian raw_data that tensorToFloat32 reads back', () => {
    const t = float32Tensor('w', [2, 2], [1, -2.5, 3e-8, 1e30]);
    expect(t.dataType).toBe(TensorDataType.FLOAT);
    expect(Array.from(t.rawData!.subarray(0, 4))).toEqual([0x00, 0x00, 0x80, 0x3f]);
    expect(Array.from(tensorToFloat32(t))).toEqual(Array.from(Float32Array.from([1, -2.5, 3e-8, 1e30])));
  });

  it('readFloat32 reads little-endian values at any offset and checks the length', () => {
    const bytes = new Uint8Array([0xee, 0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x20, 0xc0]);
    expect(Array.from(readFloat32(bytes, 2, 1))).toEqual([1, -2.5]);
    expect(() => readFloat32(bytes, 3, 1)).toThrow('Expected 3 float32 values at byte 1 but only 9 bytes are available');
  });

  it('reads float_data and FLOAT16 from raw_data (unaligned) or int32_data', () => {
    expect(Array.from(tensorToFloat32({ name: 'f', dims: [3], dataType: TensorDataType.FLOAT, floatData: [1, 2, 3] }))).toEqual([1, 2, 3]);
    const raw = new Uint8Array([0xaa, 0x00, 0x3c, 0x00, 0xc0]).subarray(1);
    expect(Array.from(tensorToFloat32({ name: 'h', dims: [2], dataType: TensorDataType.FLOAT16, rawData: raw }))).toEqual([1, -2]);
    expect(Array.from(tensorToFloat32({ name: 'h', dims: [1, 2], dataType: TensorDataType.FLOAT16, int32Data: [0x3c00, 0x7bff] }))).toEqual([1, 65504]);
  });

  it('says what is wrong with a tensor it cannot read', () => {
    expect(() => tensorToFloat32({ name: 'i', dims: [1], dataType: TensorDataType.INT64, int64Data: [1] })).toThrow(
      "Expected a FLOAT (1) or FLOAT16 (10) tensor for 'i' but received data type 7",
    );
    const short = { name: 's', dims: [4], dataType: TensorDataType.FLOAT, rawData: new Uint8Array(12) };
    expect(() => tensorToFloat32(short)).toThrow(PasticheError);
    expect(() => tensorToFloat32(short)).toThrow("Expected 4 values in tensor 's' of dims [4] but found 12 bytes of raw_data");
  });

  it('int64Tensor writes 8-byte little-endian integers and checks dims', () => {
    const t = int64Tensor('pads', [2], [-1, 2 ** 40]);
    const view = new DataView(t.rawData!.buffer);
    expect([view.getBigInt64(0, true), view.getBigInt64(8, true)]).toEqual([-1n, 2n ** 40n]);
    expect(() => int64Tensor('x', [3], [1, 2])).toThrow("Expected 3 values for 'x' of dims [3] but received 2");
    expect(() => float32Tensor('x', [2, -1], [])).toThrow(RangeError);
  });
});
