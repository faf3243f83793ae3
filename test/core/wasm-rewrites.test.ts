/**
 * The rewrites @pastiche/web applies for onnxruntime-web's wasm kernels (core/rewrites): a large kernel with few
 * outputs split into 3×3 blocks, and applyWasmRewrites running it with Winograd: on random-weight graphs the test
 * builds, the rewritten graph gives the original's output (max |Δ| ≤ 1e-3, 0..255 inputs) at even, odd and tiny
 * sizes, and what must not be touched is left as it is.
 */
import { describe, expect, it } from 'vitest';
import {
  GraphBuilder,
  SPLIT_MAX_OUT_CHANNELS,
  TensorDataType,
  applyWasmRewrites,
  attr,
  decodeModel,
  encodeModel,
  splitLargeKernelConvolutions,
  float32Tensor,
  type TypedAttribute,
} from '@pastiche/core';
import { expectSameOutput, noise } from '../helpers/rewrite-checks.js';

const FLOAT = TensorDataType.FLOAT;

interface LayerCase {
  op: 'Conv' | 'ConvTranspose';
  cin: number;
  cout: number;
  kernel: number;
  bias?: boolean;
  attributes?: Record<string, TypedAttribute>;
}

/** x (3 channels, 0..255) → 1×1 conv to `cin` channels → the layer under test → y. */
function network(c: LayerCase): Uint8Array {
  const g = new GraphBuilder('net');
  g.input('x', FLOAT, [1, 3, 'h', 'w']);
  const [h] = g.node('Conv', ['x', g.initializer(float32Tensor('w0', [c.cin, 3, 1, 1], noise(c.cin * 3, 1, 0.05)))], 1);
  const dims = c.op === 'Conv' ? [c.cout, c.cin, c.kernel, c.kernel] : [c.cin, c.cout, c.kernel, c.kernel];
  const inputs = [h!, g.initializer(float32Tensor('w', dims, noise(c.cin * c.cout * c.kernel * c.kernel, 2, 0.1)))];
  if (c.bias !== false) inputs.push(g.initializer(float32Tensor('b', [c.cout], noise(c.cout, 3, 20))));
  g.node(c.op, inputs, ['y'], { kernel_shape: attr.ints([c.kernel, c.kernel]), ...c.attributes });
  g.output('y', FLOAT, [1, c.cout, 'H', 'W']);
  return encodeModel(g.toModel());
}

/** Rewrites a serialized model with one of the graph rewrites; returns the bytes and the count. */
function rewrite(bytes: Uint8Array, how: (graph: ReturnType<typeof decodeModel>['graph']) => number): { bytes: Uint8Array; count: number } {
  const model = decodeModel(bytes);
  const count = how(model.graph);
  return { bytes: encodeModel(model), count };
}

const SIZES = [[8, 8], [7, 5], [1, 1], [2, 9]] as const;
const TF_SAME = { strides: attr.ints([2, 2]), pads: attr.ints([0, 0, 1, 1]) };

describe('splitLargeKernelConvolutions: a 3q×3q kernel with few outputs → one 3×3 convolution + shifted sums', () => {
  it.each([
    ['9×9, pads 4 (SAME), bias', 9, { pads: attr.ints([4, 4, 4, 4]) }, true],
    ['9×9, no pads, no bias', 9, {}, false],
    ['6×6, uneven pads', 6, { pads: attr.ints([2, 3, 3, 2]) }, true],
  ] as const)('%s: the same output', async (_, kernel, attributes, bias) => {
    const original = network({ op: 'Conv', cin: 8, cout: 3, kernel, attributes, bias });
    const rewritten = rewrite(original, (graph) => splitLargeKernelConvolutions(graph, 17));
    expect(rewritten.count).toBe(1);
    const sizes = 'pads' in attributes ? SIZES : ([[12, 12], [11, 14]] as const);
    await expectSameOutput(original, rewritten.bytes, sizes, 0.1);
  });

  it.each([
    [`${SPLIT_MAX_OUT_CHANNELS + 1} outputs`, { cout: SPLIT_MAX_OUT_CHANNELS + 1, kernel: 9 }],
    ['a 7×7 kernel', { cout: 3, kernel: 7 }],
    ['a 3×3 kernel', { cout: 3, kernel: 3 }],
    ['stride 2', { cout: 3, kernel: 9, attributes: { strides: attr.ints([2, 2]) } }],
  ] as const)('leaves a convolution with %s alone', (_, c) => {
    const original = network({ op: 'Conv', cin: 8, ...c });
    expect(rewrite(original, (graph) => splitLargeKernelConvolutions(graph, 17)).count).toBe(0);
  });
});

describe('applyWasmRewrites', () => {
  /** A small style network: 9×9 in, 3×3 stride 2 down, a 3×3 block at 32 channels, ConvTranspose up, 9×9 out to 3. */
  function styleNetwork(): Uint8Array {
    const g = new GraphBuilder('net');
    g.input('x', FLOAT, [1, 3, 'h', 'w']);
    const conv = (x: string, name: string, dims: number[], attributes: Record<string, TypedAttribute>, op = 'Conv') =>
      g.node(op, [x, g.initializer(float32Tensor(name, dims, noise(dims.reduce((a, b) => a * b), name.length, 0.08)))], 1, attributes)[0]!;
    let x = conv('x', 'in9', [32, 3, 9, 9], { pads: attr.ints([4, 4, 4, 4]) });
    x = g.node('Relu', [x])[0]!;
    x = conv(x, 'down', [32, 32, 3, 3], { strides: attr.ints([2, 2]), pads: attr.ints([0, 0, 1, 1]) });
    x = g.node('Relu', [conv(x, 'block', [32, 32, 3, 3], { pads: attr.ints([1, 1, 1, 1]) })])[0]!;
    x = conv(x, 'up', [32, 32, 3, 3], TF_SAME, 'ConvTranspose');
    g.node('Conv', [x, g.initializer(float32Tensor('out9', [3, 32, 9, 9], noise(3 * 32 * 81, 5, 0.02)))], ['y'], { pads: attr.ints([4, 4, 4, 4]) });
    g.output('y', FLOAT, [1, 3, 'h', 'w']);
    return encodeModel(g.toModel());
  }

  it('splits the large-kernel convolution and makes the 3×3 one Winograd: the same output', async () => {
    const original = styleNetwork();
    const rewritten = applyWasmRewrites(original, { imagesOnly: true });
    expect(rewritten).toMatchObject({ largeKernelConvolutions: 1, winogradConvolutions: 1 });
    await expectSameOutput(original, rewritten.bytes, [[16, 16], [10, 14]], 0.1);
  });

  it('leaves a graph alone when imagesOnly and its output is not an image, and a graph with nothing to rewrite', () => {
    const features = network({ op: 'Conv', cin: 32, cout: 40, kernel: 3, attributes: { pads: attr.ints([1, 1, 1, 1]) } });
    expect(applyWasmRewrites(features, { imagesOnly: true })).toEqual({ bytes: features, largeKernelConvolutions: 0, winogradConvolutions: 0 });
    expect(applyWasmRewrites(features).winogradConvolutions).toBe(1);
    const plain = network({ op: 'Conv', cin: 8, cout: 3, kernel: 1 });
    expect(applyWasmRewrites(plain).bytes).toBe(plain);
  });
});
