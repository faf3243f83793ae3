import { afterAll, describe, expect, it } from 'vitest';
import { attr, float32Tensor, int64Tensor, TensorDataType } from '@pastiche/core';
import { expectGradient, printReport, specFor } from './helpers/expect-gradient.js';
import { NetBuilder } from './helpers/nets.js';

afterAll(printReport);

/** image → preprocess → conv 3→4 (pad 1) → `body` → layer `out`. */
async function check(name: string, seed: number, body: (b: NetBuilder, x: string) => string, options: { style?: boolean; sizes?: [number, number][] } = {}) {
  const b = new NetBuilder(seed);
  const x = b.conv(b.preprocess(), 3, 4, { pads: [1, 1, 1, 1] });
  b.layer(b.op('Identity', [body(b, x)], {}, 'out'));
  await expectGradient(name, b.build(), specFor('out', { style: options.style ?? true }), { sizes: options.sizes });
}

describe('elementwise and structural op backward vs finite differences', () => {
  it('Relu (mask from the output)', () => check('Relu', 70, (b, x) => b.op('Relu', [x])));
  it('Identity', () => check('Identity', 71, (b, x) => b.op('Identity', [x])));
  it('Dropout (identity at inference)', () => check('Dropout', 72, (b, x) => b.op('Dropout', [x])));
  it('Dropout with training_mode false; training_mode true is refused', async () => {
    const training = (on: boolean) => (b: NetBuilder, x: string) =>
      b.op('Dropout', [x, b.constant([], [0.5]), b.g.initializer({ name: `training_${on}`, dims: [], dataType: TensorDataType.BOOL, rawData: Uint8Array.of(on ? 1 : 0) })]);
    await check('Dropout training_mode false', 94, training(false));
    await expect(check('Dropout training_mode true', 95, training(true))).rejects.toThrow('its training_mode input is not a constant false');
  });

  it('Pad constant, asymmetric', () =>
    check('Pad constant', 73, (b, x) => b.op('Pad', [x, b.ints([0, 0, 1, 2, 0, 0, 2, 0]), b.constant([], [0.5])])));
  it('Pad reflect, asymmetric', () =>
    check('Pad reflect', 74, (b, x) => b.op('Pad', [x, b.ints([0, 0, 2, 1, 0, 0, 1, 3])], { mode: 'reflect' })));
  it('Pad reflect on the image (pads up to size − 1)', async () => {
    const b = new NetBuilder(75);
    const padded = b.op('Pad', [b.preprocess(), b.ints([0, 0, 6, 3, 0, 0, 4, 6])], { mode: 'reflect' });
    b.layer(b.conv(padded, 3, 4, { strides: [2, 2], name: 'out' }));
    await expectGradient('Pad reflect large on image', b.build(), specFor('out', { style: true }));
  });
  it('Pad edge', () => check('Pad edge', 76, (b, x) => b.op('Pad', [x, b.ints([0, 0, 3, 1, 0, 0, 1, 2])], { mode: 'edge' })));

  it('Concat on channels (fire module)', () =>
    check('Concat channels', 77, (b, x) => {
      const squeeze = b.op('Relu', [b.conv(x, 4, 2, { k: [1, 1] })]);
      return b.op('Concat', [b.conv(squeeze, 2, 3, { k: [1, 1] }), b.conv(squeeze, 2, 3, { pads: [1, 1, 1, 1] })], { axis: attr.int(1) });
    }));
  it('Concat on width (negative axis) with a constant input between two image-dependent ones', async () => {
    // The constant [1, 4, 7, 2] fixes the height at 7 (the widths are still odd and even). Its slice of dY gets
    // no gradient, the Relu branch's slice starts after it, and through the Gram it shifts the image's gradient.
    const height = 7;
    const b = new NetBuilder(78);
    const x = b.conv(b.preprocess(), 3, 4, { pads: [1, 1, 1, 1] });
    const constant = b.constant([1, 4, height, 2], Array.from(b.random.normals(4 * height * 2)));
    b.layer(b.op('Concat', [x, constant, b.op('Relu', [x])], { axis: attr.int(-1) }, 'out'));
    const model = b.build();
    expect(model.graph.nodes.find((n) => n.opType === 'Concat')?.inputs).toEqual([x, constant, expect.any(String)]);
    expect(model.graph.initializers.map((t) => t.name)).toContain(constant);
    await expectGradient('Concat axis -1', model, specFor('out', { style: true }), { sizes: [[height, 9], [height, 10]] });
  });

  it('Add: two branches (residual)', () => check('Add residual', 79, (b, x) => b.op('Add', [x, b.conv(x, 4, 4, { pads: [1, 1, 1, 1] })])));
  it('Add: broadcast constant', () => check('Add broadcast constant', 80, (b, x) => b.op('Add', [b.constant([4, 1, 1], [1, -2, 3, 0.5]), x])));
  it('Add: image-dependent operand is broadcast ([1,C,1,1] + [1,C,H,W])', () =>
    check('Add broadcast both', 81, (b, x) => b.op('Add', [b.op('GlobalAveragePool', [x]), b.op('Relu', [x])])));
  it('Sub: both operands, broadcast', () =>
    check('Sub broadcast both', 82, (b, x) => b.op('Sub', [b.op('Relu', [x]), b.op('GlobalAveragePool', [x])])));
  it('Sub: constant minus value', () => check('Sub constant', 83, (b, x) => b.op('Sub', [b.constant([1], [2]), x])));
  it('Mul: x · x', () => check('Mul square', 84, (b, x) => b.op('Mul', [x, x])));
  it('Mul: broadcast constant', () => check('Mul broadcast constant', 85, (b, x) => b.op('Mul', [x, b.constant([1, 4, 1, 1], [0.5, -1, 2, 3])])));
  it('Mul: gating by a [1,C,1,1] branch (squeeze-excite)', () =>
    check('Mul gating', 86, (b, x) => b.op('Mul', [b.op('GlobalAveragePool', [x]), x])));
  it('Div: by a constant and by an image-dependent value', () =>
    check('Div', 87, (b, x) => {
      const denominator = b.op('Add', [b.op('Mul', [x, x]), b.constant([], [1])]);
      return b.op('Div', [b.op('Div', [x, b.constant([1, 4, 1, 1], [2, -3, 4, 5])]), denominator]);
    }));

  it('Reshape to [1, -1]', () => check('Reshape', 88, (b, x) => b.op('Reshape', [x, b.ints([1, -1])]), { style: false }));
  it('Flatten axis 1', () => check('Flatten', 89, (b, x) => b.op('Flatten', [x], { axis: attr.int(1) }), { style: false }));
  it('Unsqueeze + Squeeze', () =>
    check('Unsqueeze Squeeze', 90, (b, x) => b.op('Squeeze', [b.op('Unsqueeze', [x, b.ints([0])]), b.ints([0])])));
  it('Transpose', () => check('Transpose', 91, (b, x) => b.op('Transpose', [x], { perm: attr.ints([0, 1, 3, 2]) })));
  it('Constant-valued inputs computed from the image shape (Shape → ConstantOfShape) carry no gradient', () =>
    check('Shape-derived constant', 92, (b, x) => {
      const ones = b.op('ConstantOfShape', [b.op('Shape', [x])], { value: attr.tensor(float32Tensor('v', [1], [2])) });
      return b.op('Mul', [x, ones]);
    }));
  it('Reshape with a shape computed at run time', () =>
    check('Reshape dynamic shape', 93, (b, x) => {
      const shape = b.op('Shape', [x]);
      const flat = b.op('Reshape', [x, b.g.initializer(int64Tensor('flat_shape', [2], [1, -1]))]);
      return b.op('Reshape', [b.op('Relu', [flat]), shape]);
    }));
});
