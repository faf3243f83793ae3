/**
 * The upsample-convolution rewrite on random-weight networks the test builds: every padding mode, every way ONNX
 * spells a nearest 2× upsample (Upsample-9, Resize-10, Resize-11+ with the coordinate modes that floor), at odd
 * and even sizes: the rewritten graph gives the original's output (max |Δ| ≤ 1e-3 on 0..255 inputs), and
 * graphs it must not touch are left as they are.
 */
import { describe, expect, it } from 'vitest';
import { GraphBuilder, TensorDataType, applySpeedRewrites, attr, decodeModel, encodeModel, float32Tensor, int64Tensor } from '@pastiche/core';
import { noise, runNetwork } from '../helpers/rewrite-checks.js';

const FLOAT = TensorDataType.FLOAT;

type Spelling = 'upsample9' | 'resize10' | 'resize13-asymmetric' | 'resize13-half-pixel' | 'resize13-align-corners';
type Padding = 'reflect' | 'edge' | 'zero-pad-node' | 'zero-conv-pads';

/** x → 1×1 conv (so the upsample's input is not a graph input) → nearest 2× → padding → 3×3 conv (+ bias) → y. */
function network(spelling: Spelling, padding: Padding, options: { bias?: boolean; channels?: [number, number] } = {}): Uint8Array {
  const [cin, cout] = options.channels ?? [4, 5];
  const opset = spelling === 'upsample9' ? 9 : spelling === 'resize10' ? 10 : 13;
  const g = new GraphBuilder('net');
  g.input('x', FLOAT, [1, 3, 'h', 'w']);
  const [mixed] = g.node('Conv', ['x', g.initializer(float32Tensor('w0', [cin, 3, 1, 1], noise(cin * 3, 1, 0.05)))], 1);
  const scales = g.initializer(float32Tensor('scales', [4], [1, 1, 2, 2]));
  let up: string;
  if (spelling === 'upsample9') [up] = g.node('Upsample', [mixed!, scales], 1, { mode: 'nearest' });
  else if (spelling === 'resize10') [up] = g.node('Resize', [mixed!, scales], 1, { mode: 'nearest' });
  else {
    const transform = { 'resize13-asymmetric': 'asymmetric', 'resize13-half-pixel': 'half_pixel', 'resize13-align-corners': 'align_corners' }[spelling];
    [up] = g.node('Resize', [mixed!, '', scales], 1, {
      mode: 'nearest',
      coordinate_transformation_mode: transform,
      nearest_mode: spelling === 'resize13-asymmetric' ? 'floor' : 'round_prefer_floor',
    });
  }
  let convInput = up!;
  const convAttributes: Record<string, ReturnType<typeof attr.ints>> = { kernel_shape: attr.ints([3, 3]) };
  if (padding === 'zero-conv-pads') convAttributes.pads = attr.ints([1, 1, 1, 1]);
  else {
    const mode = padding === 'zero-pad-node' ? 'constant' : padding;
    const pads = [0, 0, 1, 1, 0, 0, 1, 1];
    [convInput] =
      opset < 11
        ? g.node('Pad', [up!], 1, { mode, pads: attr.ints(pads) })
        : g.node('Pad', [up!, g.initializer(int64Tensor('pads', [8], pads))], 1, { mode });
  }
  const inputs = [convInput!, g.initializer(float32Tensor('w', [cout, cin, 3, 3], noise(cout * cin * 9, 2, 0.2)))];
  if (options.bias !== false) inputs.push(g.initializer(float32Tensor('b', [cout], noise(cout, 3, 5))));
  g.node('Conv', inputs, ['y'], convAttributes);
  g.output('y', FLOAT, [1, cout, 'H', 'W']);
  return encodeModel(g.toModel({ opset, irVersion: opset < 11 ? 4 : 8 }));
}

function maxAbsDifference(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!));
  return max;
}

describe('applySpeedRewrites: nearest 2× upsample + 3×3 convolution → four 2×2 convolutions + DepthToSpace', () => {
  const cases: [Spelling, Padding][] = [
    ['resize13-asymmetric', 'reflect'],
    ['resize13-asymmetric', 'edge'],
    ['resize13-asymmetric', 'zero-pad-node'],
    ['resize13-asymmetric', 'zero-conv-pads'],
    ['resize13-half-pixel', 'reflect'],
    ['resize10', 'reflect'],
    ['upsample9', 'reflect'],
    ['upsample9', 'zero-conv-pads'],
  ];
  it.each(cases)('%s with %s padding gives the same output at odd and even sizes', async (spelling, padding) => {
    const original = network(spelling, padding);
    const rewritten = applySpeedRewrites(original);
    expect(rewritten.upsampleConvolutions).toBe(1);
    const ops = decodeModel(rewritten.bytes).graph.nodes.map((n) => n.opType);
    expect(ops).not.toContain('Resize');
    expect(ops).not.toContain('Upsample');
    expect(ops.filter((op) => op === 'Conv')).toHaveLength(5);
    expect(ops).toContain('DepthToSpace');
    for (const [w, h] of [[9, 6], [16, 16], [1, 1], [2, 7]] as const) {
      expect(maxAbsDifference((await runNetwork(rewritten.bytes, w, h)).data, (await runNetwork(original, w, h)).data)).toBeLessThanOrEqual(1e-3);
    }
  });

  it('works without a bias and with more channels', async () => {
    const original = network('resize13-asymmetric', 'reflect', { bias: false, channels: [16, 8] });
    const rewritten = applySpeedRewrites(original);
    expect(rewritten.upsampleConvolutions).toBe(1);
    expect(maxAbsDifference((await runNetwork(rewritten.bytes, 12, 10)).data, (await runNetwork(original, 12, 10)).data)).toBeLessThanOrEqual(1e-3);
  });

  it('leaves a graph whose upsample does not floor (align_corners) as it is, byte for byte', () => {
    const original = network('resize13-align-corners', 'reflect');
    const rewritten = applySpeedRewrites(original);
    expect(rewritten.upsampleConvolutions).toBe(0);
    expect(rewritten.bytes).toBe(original);
  });
});
