import { afterAll, describe, it } from 'vitest';
import { attr, float32Tensor } from '@pastiche/core';
import { expectGradient, printReport, specFor } from './helpers/expect-gradient.js';
import { NetBuilder } from './helpers/nets.js';
import { Random } from './helpers/random.js';

afterAll(printReport);

type ConvCase = { name: string; cin?: number; cout: number; k?: number[]; strides?: number[]; pads?: number[]; dilations?: number[]; group?: number; bias?: boolean };

const CASES: ConvCase[] = [
  { name: '3x3 stride 1 pad 1 with bias', cout: 4, pads: [1, 1, 1, 1] },
  { name: '3x3 stride 1 no pad no bias', cout: 4, bias: false },
  { name: '3x3 stride 2 pad 1 (odd sizes leave a remainder)', cout: 4, strides: [2, 2], pads: [1, 1, 1, 1] },
  { name: '3x3 stride 2 asymmetric pads', cout: 4, strides: [2, 2], pads: [0, 1, 2, 0] },
  { name: '5x5 stride 3 asymmetric pads', cout: 3, k: [5, 5], strides: [3, 3], pads: [2, 1, 0, 2] },
  { name: '3x3 dilation 2 pad 2', cout: 4, dilations: [2, 2], pads: [2, 2, 2, 2] },
  { name: '3x3 dilation 2 stride 2', cout: 4, dilations: [2, 2], strides: [2, 2], pads: [1, 2, 1, 0] },
  { name: 'group 2 stride 1', cin: 4, cout: 6, group: 2, pads: [1, 1, 1, 1] },
  { name: 'group 2 stride 2 odd sizes', cin: 4, cout: 6, group: 2, strides: [2, 2], pads: [1, 0, 1, 1] },
  { name: 'depthwise stride 2', cin: 4, cout: 4, group: 4, strides: [2, 2], pads: [1, 1, 1, 1] },
  { name: '1x1 stride 2 (rows never read)', cout: 4, k: [1, 1], strides: [2, 2] },
  { name: '1x1 pad 1 (pad wider than the kernel)', cout: 4, k: [1, 1], pads: [1, 1, 1, 1] },
  { name: '1x1 stride 2 pad 1', cout: 4, k: [1, 1], strides: [2, 2], pads: [1, 1, 1, 1] },
  { name: '2x3 kernel strides [1, 2]', cout: 4, k: [2, 3], strides: [1, 2], pads: [1, 0, 0, 1] },
  { name: '4x4 stride 2 pad 1 (even kernel)', cout: 4, k: [4, 4], strides: [2, 2], pads: [1, 1, 1, 1] },
];

describe('Conv backward vs finite differences', () => {

  for (const c of CASES) {
    it(c.name, async () => {
      const b = new NetBuilder(11);
      let x = b.preprocess();
      const cin = c.cin ?? 3;
      if (cin !== 3) x = b.conv(x, 3, cin, { pads: [1, 1, 1, 1] });
      b.layer(b.conv(x, cin, c.cout, { ...c, name: 'out' }));
      await expectGradient(`Conv ${c.name}`, b.build(), specFor('out', { style: true }));
    });
  }

  it('weights from a Constant node (ConvTranspose path is not needed)', async () => {
    const b = new NetBuilder(12);
    const w = b.g.node('Constant', [], ['w_const'], { value: attr.tensor(float32Tensor('w', [4, 3, 3, 3], new Random(3).normals(108, 0.2))) })[0];
    b.layer(b.op('Conv', [b.preprocess(), w], { kernel_shape: attr.ints([3, 3]), strides: attr.ints([1, 1]) }, 'out'));
    await expectGradient('Conv weights from Constant', b.build(), specFor('out'));
  });

  it('two stacked strided convs reaching the image', async () => {
    const b = new NetBuilder(13);
    const h = b.op('Relu', [b.conv(b.preprocess(), 3, 6, { strides: [2, 2], pads: [1, 1, 1, 1] })]);
    b.layer(b.conv(h, 6, 5, { strides: [2, 2], pads: [1, 1, 1, 1], name: 'out' }));
    await expectGradient('Conv stacked stride 2', b.build(), specFor('out', { style: true }), { sizes: [[9, 11], [12, 10]] });
  });
});
