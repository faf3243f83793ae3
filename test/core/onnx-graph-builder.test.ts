import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { attr, encodeModel, float32Tensor, GraphBuilder, TensorDataType } from '../../packages/core/src/onnx/index.js';

describe('GraphBuilder', () => {
  it('generates unique node and value names and returns output names', () => {
    const g = new GraphBuilder('g');
    const x = g.input('x', TensorDataType.FLOAT, [2]);
    const [a] = g.node('Relu', [x]);
    const [b] = g.node('Relu', [a], 1, {}, 'Relu_1_out');
    const [c, d] = g.node('Split', [b], 2, { axis: attr.int(0) });
    expect([a, b, c, d]).toEqual(['Relu_0_out', 'Relu_1_out_out', 'Split_2_out0', 'Split_2_out1']);
    expect(g.freshName('x')).toBe('x_1');
    expect(g.has('Relu_0_out')).toBe(true);
  });

  it('makes integer and float attributes explicit', () => {
    const g = new GraphBuilder('g');
    const x = g.input('x', TensorDataType.FLOAT, [2]);
    expect(() => g.node('LeakyRelu', [x], 1, { alpha: 0.1 as never })).toThrow(
      "Expected attr.int(), attr.float(), attr.ints(), attr.floats(), a string or a tensor for attribute 'alpha' of node 'LeakyRelu_0' (LeakyRelu) but received 0.1 of type number (say attr.int or attr.float)",
    );
    expect(() => g.node('Flatten', [x], 1, { axis: attr.int(1.5) })).toThrow(RangeError);
    const [y] = g.node('LeakyRelu', [x], 1, { alpha: attr.float(1) });
    g.output(y, TensorDataType.FLOAT, [2]);
    const node = g.toModel().graph.nodes.at(-1)!;
    expect(node.attributes).toEqual([{ name: 'alpha', type: 1, f: 1 }]);
  });

  it('refuses unknown inputs, redefinitions and graphs without outputs', () => {
    const g = new GraphBuilder('g');
    const x = g.input('x', TensorDataType.FLOAT, [2]);
    expect(() => g.node('Relu', ['nope'])).toThrow("Unknown value 'nope' used as input of node 'Relu_0' (Relu)");
    expect(() => g.initializer(float32Tensor('x', [1], [0]))).toThrow("'x' is already defined");
    expect(() => g.output('nope', TensorDataType.FLOAT, [2])).toThrow(RangeError);
    expect(() => g.toModel()).toThrow("Expected graph 'g' to declare at least one output");
    g.node('Resize', [x, '', g.initializer(float32Tensor('scales', [1], [2]))], ['y'], { mode: 'nearest' });
    expect(() => g.node('Relu', [x], ['y'])).toThrow("'y' is already defined");
  });

  it('builds a model that onnxruntime runs and computes with', async () => {
    const g = new GraphBuilder('affine');
    const x = g.input('x', TensorDataType.FLOAT, [1, 1, 'height', 'width']);
    const w = g.initializer(float32Tensor('w', [1, 1, 1, 1], [3]));
    const b = g.initializer(float32Tensor('b', [1], [-1]));
    const [y] = g.node('Conv', [x, w, b], ['y'], { kernel_shape: attr.ints([1, 1]) });
    g.output(y, TensorDataType.FLOAT, [1, 1, 'height', 'width']);
    const session = await ort.InferenceSession.create(encodeModel(g.toModel()));
    const out = await session.run({ x: new ort.Tensor('float32', Float32Array.from([0, 1, 2, 3, 4, 5]), [1, 1, 2, 3]) });
    expect(Array.from(out.y.data as Float32Array)).toEqual([-1, 2, 5, 8, 11, 14]);
  });
});
