/**
 * The Winograd F(4×4, 3×3) rewrite (core/rewrites/winograd-conv.ts) on random-weight convolutions the test builds:
 * with and without bias, the convolution's own zero pads or none (a Pad node before it), at sizes that are and are
 * not whole 4×4 tiles: the rewritten graph gives the original's output (max |Δ| ≤ 1e-3; 0..255 inputs), and
 * convolutions it must not touch (strided, grouped, 1×1, few channels, weights computed in the graph) are left as
 * they are.
 */
import { describe, expect, it } from 'vitest';
import {
  GraphBuilder,
  TensorDataType,
  WINOGRAD_MIN_CHANNELS,
  applyWinogradRewrite,
  attr,
  decodeModel,
  encodeModel,
  float32Tensor,
  int64Tensor,
} from '@pastiche/core';
import { expectSameOutput, noise } from '../helpers/rewrite-checks.js';

const FLOAT = TensorDataType.FLOAT;

interface ConvCase {
  cin?: number;
  cout?: number;
  bias?: boolean;
  /** The convolution's pads, or 'reflect-node': a reflect Pad node before an unpadded convolution. */
  pads?: readonly [number, number, number, number] | 'reflect-node';
  strides?: readonly [number, number];
  group?: number;
  kernel?: number;
}

/** x (3 channels, 0..255) → 1×1 conv to `cin` channels → the convolution under test → ReLU → y. */
function network(c: ConvCase = {}): Uint8Array {
  const { cin = 32, cout = 40, bias = true, pads = [1, 1, 1, 1], strides = [1, 1], group = 1, kernel = 3 } = c;
  const g = new GraphBuilder('net');
  g.input('x', FLOAT, [1, 3, 'h', 'w']);
  let [h] = g.node('Conv', ['x', g.initializer(float32Tensor('w0', [cin, 3, 1, 1], noise(cin * 3, 1, 0.05)))], 1);
  const attributes: Record<string, ReturnType<typeof attr.ints> | ReturnType<typeof attr.int>> = {
    kernel_shape: attr.ints([kernel, kernel]),
    strides: attr.ints([...strides]),
    group: attr.int(group),
  };
  if (pads === 'reflect-node') {
    [h] = g.node('Pad', [h!, g.initializer(int64Tensor('pads', [8], [0, 0, 1, 1, 0, 0, 1, 1]))], 1, { mode: 'reflect' });
  } else {
    attributes.pads = attr.ints([...pads]);
  }
  const weights = g.initializer(float32Tensor('w', [cout, cin / group, kernel, kernel], noise((cout * cin * kernel * kernel) / group, 2, 0.1)));
  const inputs = [h!, weights];
  if (bias) inputs.push(g.initializer(float32Tensor('b', [cout], noise(cout, 3, 20))));
  const [conv] = g.node('Conv', inputs, 1, attributes);
  g.node('Relu', [conv!], ['y']);
  g.output('y', FLOAT, [1, cout, 'H', 'W']);
  return encodeModel(g.toModel());
}

const SIZES = [[16, 16], [13, 7], [1, 1], [2, 9], [33, 20]] as const;

describe('applyWinogradRewrite: 3×3 stride-1 convolutions → Winograd F(4×4, 3×3) in plain ONNX ops', () => {
  it.each([
    ['zero pads 1, bias', {}],
    ['zero pads 1, no bias', { bias: false }],
    ['no pads after a reflect Pad node', { pads: 'reflect-node' }],
    ['uneven pads [0, 1, 2, 0]', { pads: [0, 1, 2, 0] }],
  ] as const)('%s: the same output at sizes in and out of whole tiles', async (_, c) => {
    const original = network(c as ConvCase);
    const rewritten = applyWinogradRewrite(original);
    expect(rewritten.winogradConvolutions).toBe(1);
    const ops = decodeModel(rewritten.bytes).graph.nodes.map((n) => n.opType);
    expect(ops.filter((op) => op === 'Conv')).toHaveLength(1); // only the 1×1 one is left
    expect(ops.filter((op) => op === 'MatMul')).toHaveLength(5); // two per transform, one for the channels
    const sizes = (c as ConvCase).pads === 'reflect-node' || Array.isArray((c as ConvCase).pads) ? SIZES.filter(([w, h]) => w > 2 && h > 2) : SIZES;
    await expectSameOutput(original, rewritten.bytes, sizes, 1);
  });

  it('drops the original kernels and biases from the rewritten model', () => {
    const rewritten = decodeModel(applyWinogradRewrite(network()).bytes);
    const names = rewritten.graph.initializers.map((t) => t.name);
    expect(names).not.toContain('w');
    expect(names).not.toContain('b');
    expect(names).toContain('w0');
  });

  it.each([
    ['stride 2', { strides: [2, 2] }],
    ['grouped', { cin: 64, group: 2 }],
    ['1×1 kernel', { kernel: 1, pads: [0, 0, 0, 0] }],
    [`fewer than ${WINOGRAD_MIN_CHANNELS} input channels`, { cin: WINOGRAD_MIN_CHANNELS - 1 }],
    [`fewer than ${WINOGRAD_MIN_CHANNELS} output channels`, { cout: 3 }],
  ] as const)('leaves a %s convolution as it is, byte for byte', (_, c) => {
    const original = network(c as ConvCase);
    expect(applyWinogradRewrite(original)).toEqual({ bytes: original, winogradConvolutions: 0 });
  });

  it('leaves a convolution whose weights are computed in the graph alone', () => {
    const g = new GraphBuilder('net');
    g.input('x', FLOAT, [1, 32, 'h', 'w']);
    const [w] = g.node('Identity', [g.initializer(float32Tensor('w', [32, 32, 3, 3], noise(32 * 32 * 9, 4, 0.1)))]);
    g.node('Conv', ['x', w!], ['y'], { kernel_shape: attr.ints([3, 3]), pads: attr.ints([1, 1, 1, 1]) });
    g.output('y', FLOAT, [1, 32, 'h', 'w']);
    const original = encodeModel(g.toModel());
    expect(applyWinogradRewrite(original).winogradConvolutions).toBe(0);
  });
});

describe('applyWinogradRewrite({ imagesOnly: true })', () => {
  /** One 32-channel 3×3 convolution between the given input and output channel counts. */
  function graph(inChannels: number, outChannels: number, extraOutput = false): Uint8Array {
    const g = new GraphBuilder('net');
    g.input('x', FLOAT, [1, inChannels, 'h', 'w']);
    const [h] = g.node('Conv', ['x', g.initializer(float32Tensor('w0', [32, inChannels, 1, 1], noise(32 * inChannels, 1, 0.05)))], 1);
    const [f] = g.node('Conv', [h!, g.initializer(float32Tensor('w', [32, 32, 3, 3], noise(32 * 32 * 9, 2, 0.1)))], 1, {
      kernel_shape: attr.ints([3, 3]),
      pads: attr.ints([1, 1, 1, 1]),
    });
    g.node('Conv', [f!, g.initializer(float32Tensor('w1', [outChannels, 32, 1, 1], noise(32 * outChannels, 3, 0.05)))], ['y']);
    g.output('y', FLOAT, [1, outChannels, 'h', 'w']);
    if (extraOutput) g.output(f!, FLOAT, [1, 32, 'h', 'w']);
    return encodeModel(g.toModel());
  }

  it('rewrites an image-to-image network', () => {
    expect(applyWinogradRewrite(graph(3, 3), { imagesOnly: true }).winogradConvolutions).toBe(1);
  });

  it.each([
    ['features out', graph(3, 64)],
    ['features in', graph(64, 3)],
    ['a second output', graph(3, 3, true)],
  ])('leaves a graph with %s alone', (_, bytes) => {
    expect(applyWinogradRewrite(bytes, { imagesOnly: true })).toEqual({ bytes, winogradConvolutions: 0 });
    expect(applyWinogradRewrite(bytes).winogradConvolutions).toBe(1);
  });
});
