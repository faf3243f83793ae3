import { BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { PasticheError } from '../../packages/core/src/errors.js';
import {
  attr,
  decodeModel,
  encodeModel,
  float32Tensor,
  GraphBuilder,
  int64Tensor,
  TensorDataType,
  type ModelProto,
} from '../../packages/core/src/onnx/index.js';

/** A small graph that uses every kind of attribute, shared initializers and symbolic dims. */
function sampleModel(): ModelProto {
  const g = new GraphBuilder('sample');
  const x = g.input('x', TensorDataType.FLOAT, [1, 2, 'height', 'width']);
  const w = g.initializer(float32Tensor('w', [2, 2, 3, 3], Array.from({ length: 36 }, (_, i) => (i - 18) / 7)));
  const pads = g.initializer(int64Tensor('pads', [8], [0, 0, 1, 1, 0, 0, 1, 1]));
  const [p] = g.node('Pad', [x, pads], 1, { mode: 'reflect' });
  const [c] = g.node('Conv', [p, w], 1, { kernel_shape: attr.ints([3, 3]), strides: attr.ints([1, 1]), group: attr.int(1) });
  const [l] = g.node('LeakyRelu', [c], 1, { alpha: attr.float(0.25) });
  const [s] = g.node('Shape', [l]);
  const [fill] = g.node('ConstantOfShape', [s], 1, { value: float32Tensor('one', [1], [1.5]) });
  g.node('Mul', [l, fill], ['y']);
  g.output('y', TensorDataType.FLOAT, [1, 2, 'height', 'width']);
  return g.toModel({ metadata: { 'pastiche.name': 'sample', 'pastiche.size_multiple': '1' }, docString: 'test' });
}

const expectParseError = (bytes: Uint8Array, pattern: RegExp) => {
  let caught: unknown;
  try {
    decodeModel(bytes);
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(PasticheError);
  expect((caught as PasticheError).code).toBe('E_ONNX_PARSE');
  expect((caught as Error).message).toMatch(pattern);
};

describe('encodeModel / decodeModel', () => {
  it('round-trips a built graph: encode → decode → encode is byte-identical and decode gives the model back', () => {
    const model = sampleModel();
    const bytes = encodeModel(model);
    const decoded = decodeModel(bytes);
    expect(Buffer.from(encodeModel(decoded)).equals(Buffer.from(bytes))).toBe(true);
    expect(decoded.graph.inputs).toEqual([{ name: 'x', elemType: TensorDataType.FLOAT, shape: [1, 2, 'height', 'width'] }]);
    expect(decoded.graph.nodes.map((n) => n.opType)).toEqual(['Pad', 'Conv', 'LeakyRelu', 'Shape', 'ConstantOfShape', 'Mul']);
    expect(decoded.graph.nodes[2].attributes[0]).toEqual({ name: 'alpha', type: 1, f: 0.25 });
    expect(decoded.graph.nodes[1].attributes.find((a) => a.name === 'group')).toEqual({ name: 'group', type: 2, i: 1 });
    expect(decoded.metadataProps).toEqual(model.metadataProps);
    expect(decoded.opsetImports).toEqual([{ domain: '', version: 17 }]);
    expect(decoded.irVersion).toBe(8);
  });

  it('writes models that onnxruntime runs, with dynamic height and width', async () => {
    const session = await ort.InferenceSession.create(encodeModel(sampleModel()));
    const input = new ort.Tensor('float32', Float32Array.from({ length: 2 * 4 * 6 }, (_, i) => i % 5), [1, 2, 4, 6]);
    const { y } = await session.run({ x: input });
    expect(y.dims).toEqual([1, 2, 4, 6]);
  });

  it('keeps raw_data as a view into the input bytes', () => {
    const bytes = encodeModel(sampleModel());
    const w = decodeModel(bytes).graph.initializers.find((t) => t.name === 'w')!;
    expect(w.rawData!.buffer).toBe(bytes.buffer);
    expect(new Float32Array(w.rawData!.slice().buffer)[0]).toBeCloseTo(-18 / 7, 6);
  });

  it('accepts unpacked repeated numbers and skips unknown fields', () => {
    const w = new BinaryWriter();
    w.tag(1, WireType.Varint).int64(8); // ir_version
    w.tag(99, WireType.LengthDelimited).string('unknown'); // skipped
    w.tag(7, WireType.LengthDelimited).fork(); // graph
    w.tag(5, WireType.LengthDelimited).fork(); // initializer, unpacked dims and float_data
    for (const d of [2, 1]) w.tag(1, WireType.Varint).int64(d);
    w.tag(2, WireType.Varint).int32(TensorDataType.FLOAT);
    for (const f of [0.5, -2]) w.tag(4, WireType.Bit32).float(f);
    w.tag(8, WireType.LengthDelimited).string('t');
    w.tag(77, WireType.Bit64).fixed64(1n); // skipped
    w.join();
    w.join();
    const model = decodeModel(w.finish());
    expect(model.irVersion).toBe(8);
    expect(model.graph.initializers).toEqual([{ name: 't', dims: [2, 1], dataType: TensorDataType.FLOAT, floatData: [0.5, -2] }]);
  });

  it('raises E_ONNX_PARSE on garbage, naming what was expected', () => {
    expectParseError(new TextEncoder().encode('hello, this is not a model'), /Expected ONNX model bytes/);
    expectParseError(new Uint8Array([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f]), /Expected ONNX model bytes: a well-formed ModelProto/);
    expectParseError(new Uint8Array(0), /a ModelProto with a graph/);
    const truncated = encodeModel(sampleModel()).subarray(0, 500);
    expectParseError(truncated, /ModelProto, but its field at byte \d+ of 500 is cut off or malformed \(premature EOF\)/);
    // graph (field 7) sent as a varint instead of a message
    expectParseError(new Uint8Array([7 << 3, 1]), /length-delimited value for ModelProto\.graph/);
  });

  it('rejects non-bytes with a TypeError', () => {
    expect(() => decodeModel('model.onnx' as unknown as Uint8Array)).toThrow(TypeError);
  });
});
