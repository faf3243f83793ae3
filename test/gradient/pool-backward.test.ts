import * as ort from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import { attr, type AttributeValue } from '@pastiche/core';
import { buildLossGraphs } from '../../packages/core/src/gradient/index.js';
import { expectGradient, printReport, specFor } from './helpers/expect-gradient.js';
import { createSession, imageTensor } from './helpers/gradient-check.js';
import { NetBuilder } from './helpers/nets.js';

afterAll(printReport);

type PoolCase = { name: string; k: number[]; strides?: number[]; pads?: number[]; ceil?: boolean; dilations?: number[]; countIncludePad?: boolean; sizes?: [number, number][] };

function poolAttrs(c: PoolCase): Record<string, AttributeValue> {
  const a: Record<string, AttributeValue> = { kernel_shape: attr.ints(c.k) };
  if (c.strides) a.strides = attr.ints(c.strides);
  if (c.pads) a.pads = attr.ints(c.pads);
  if (c.ceil) a.ceil_mode = attr.int(1);
  if (c.dilations) a.dilations = attr.ints(c.dilations);
  if (c.countIncludePad) a.count_include_pad = attr.int(1);
  return a;
}

/** conv (no ReLU, so windows hold no ties) → pool → layer `out`. */
function poolNet(opType: string, attrs: Record<string, AttributeValue>, seed: number) {
  const b = new NetBuilder(seed);
  b.layer(b.op(opType, [b.conv(b.preprocess(), 3, 4, { pads: [1, 1, 1, 1] })], attrs, 'out'));
  return b.build();
}

// 7×9 / 8×10: for k3 s2 ceil mode matters at 8 and 10; for k2 s2 at 7 and 9.
const MAX_CASES: PoolCase[] = [
  { name: '2x2 stride 2 (VGG)', k: [2, 2], strides: [2, 2] },
  { name: '3x3 stride 2 ceil (SqueezeNet, overlapping)', k: [3, 3], strides: [2, 2], ceil: true },
  { name: '3x3 stride 2 floor', k: [3, 3], strides: [2, 2] },
  { name: '2x2 stride 2 ceil', k: [2, 2], strides: [2, 2], ceil: true },
  { name: '3x3 stride 1 pad 1', k: [3, 3], pads: [1, 1, 1, 1] },
  { name: '3x3 stride 2 pad 1 (ResNet)', k: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] },
  { name: '3x3 stride 2 asymmetric pads ceil', k: [3, 3], strides: [2, 2], pads: [0, 1, 1, 0], ceil: true },
  { name: '2x3 kernel strides [2, 1]', k: [2, 3], strides: [2, 1] },
  { name: '2x2 dilation 2', k: [2, 2], dilations: [2, 2] },
  { name: '1x1 stride 2 (rows never read)', k: [1, 1], strides: [2, 2] },
  { name: '3x3 stride 3 ceil, sizes 10x11', k: [3, 3], strides: [3, 3], ceil: true, sizes: [[10, 11], [9, 12]] },
  // Kernel < stride + end pad: these keep ceil_mode in the graphs (see withoutCeilMode).
  { name: '2x2 stride 3 ceil (kept ceil mode)', k: [2, 2], strides: [3, 3], ceil: true },
  { name: '3x3 stride 2 ceil, end pads 2 (kept ceil mode)', k: [3, 3], strides: [2, 2], pads: [1, 1, 2, 2], ceil: true },
];

const AVERAGE_CASES: PoolCase[] = [
  { name: '2x2 stride 2', k: [2, 2], strides: [2, 2] },
  { name: '3x3 stride 2 ceil', k: [3, 3], strides: [2, 2], ceil: true },
  { name: '3x3 stride 2 pad 1 excluding pad', k: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] },
  { name: '3x3 stride 2 pad 1 including pad', k: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], countIncludePad: true },
  { name: '3x3 stride 2 asymmetric pads ceil excluding pad', k: [3, 3], strides: [2, 2], pads: [1, 0, 0, 1], ceil: true },
  { name: '3x3 stride 2 asymmetric pads ceil including pad', k: [3, 3], strides: [2, 2], pads: [1, 0, 0, 1], ceil: true, countIncludePad: true },
  { name: '3x3 stride 1 pad 1 including pad', k: [3, 3], pads: [1, 1, 1, 1], countIncludePad: true },
  { name: '2x2 stride 2 ceil', k: [2, 2], strides: [2, 2], ceil: true },
];

describe('MaxPool backward (mask-based) vs finite differences', () => {
  MAX_CASES.forEach((c, i) => {
    it(c.name, async () => {
      await expectGradient(`MaxPool ${c.name}`, poolNet('MaxPool', poolAttrs(c), 20 + i), specFor('out', { style: true }), { sizes: c.sizes });
    });
  });
});

describe('AveragePool backward vs finite differences', () => {
  AVERAGE_CASES.forEach((c, i) => {
    it(c.name, async () => {
      await expectGradient(`AveragePool ${c.name}`, poolNet('AveragePool', poolAttrs(c), 40 + i), specFor('out', { style: true }));
    });
  });
});

describe('GlobalAveragePool backward vs finite differences', () => {
  it('[1, C, H, W] → [1, C, 1, 1]', async () => {
    await expectGradient('GlobalAveragePool', poolNet('GlobalAveragePool', {}, 60), specFor('out', { style: true }));
  });
});

describe('MaxPool backward with ties (flat image regions)', () => {
  it.each([
    ['2x2 stride 2', [2, 2], [2, 2], false],
    ['3x3 stride 2 ceil (overlapping)', [3, 3], [2, 2], true],
  ] as const)('%s: each window passes its gradient to its first max only', async (_, k, s, ceil) => {
    const b = new NetBuilder(90);
    b.layer(b.op('MaxPool', [b.image], { kernel_shape: attr.ints(k), strides: attr.ints(s), ceil_mode: attr.int(ceil ? 1 : 0) }, 'out'));
    const graphs = buildLossGraphs(b.build(), specFor('out'));
    const session = await createSession(graphs.lossGrad);
    const [h, w] = [8, 9];
    const pooled = await (await createSession(graphs.features)).run({ image: imageTensor(new Float32Array(3 * h * w).fill(100), h, w) });
    const y = pooled['content.out'];
    const out = await session.run({
      image: imageTensor(new Float32Array(3 * h * w).fill(100), h, w),
      'target.content.out': new ort.Tensor('float32', new Float32Array(y.data.length).fill(99), y.dims),
      weights: new ort.Tensor('float32', Float32Array.from([1, 0]), [2]),
    });
    // content = mean((Y − 99)²): dL/dY = 2/N everywhere, routed to each window's top-left pixel.
    const [ho, wo] = [y.dims[2], y.dims[3]];
    const expected = new Float32Array(3 * h * w);
    for (let c = 0; c < 3; c++) for (let i = 0; i < ho; i++) for (let j = 0; j < wo; j++) expected[(c * h + i * s[0]) * w + j * s[1]] = 2 / y.data.length;
    expect(Array.from(out.grad.data as Float32Array).map((v) => v * y.data.length)).toEqual(Array.from(expected).map((v) => v * y.data.length));
  });
});
