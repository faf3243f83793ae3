import { attr } from '../../onnx/graph-builder.js';
import { float32Tensor } from '../../onnx/onnx-tensors.js';
import { copyAttributes, intsAttr } from '../../onnx/node-attributes.js';
import { onlyGradFor, unsupported, type BackwardRule } from './backward-rule.js';
import { planes, scatterWindows } from './pool-scatter.js';
import { spatialAxes, windowGeometry } from './window-geometry.js';

/**
 * AveragePool: each window spreads dY · (1/divisor) over its real inputs. The divisor depends on
 * count_include_pad, the borders and ceil_mode; rather than restate ORT's rule, it is measured at run time:
 * AveragePool(ones) = n_real / divisor (same node attributes), with n_real = a Conv of ones (zero padding)
 * with a ones kernel. All on a [1, 1, H, W] plane, so it costs next to nothing.
 */
export const averagePoolBackward: BackwardRule = (args) => {
  onlyGradFor(args, [0]);
  const dY = args.dOutputs[0];
  if (!dY) return [];
  const { node, e } = args;
  const kernel = intsAttr(node, 'kernel_shape');
  if (!kernel) throw unsupported(node, 'it has no kernel_shape');
  const geo = windowGeometry(node, kernel);
  const n = kernel.length;
  const x = node.inputs[0];
  const y = node.outputs[0];
  const axes = e.i64(spatialAxes(geo));

  const ones = e.op('ConstantOfShape', [e.op('Concat', [e.i64([1, 1]), e.shape(x, 2)], { axis: attr.int(0) })], {
    value: attr.tensor(float32Tensor('value', [1], [1])),
  });
  const measured = e.op('AveragePool', [ones], copyAttributes(node));
  const onesKernel = e.f32(new Array<number>(kernel.reduce((a, b) => a * b, 1)).fill(1), [1, 1, ...kernel]);
  // Zeros past the end let the Conv reach the windows ceil mode adds; the Slice keeps the pool's count.
  const extended = geo.ceilMode ? e.op('Pad', [ones, e.i64([0, 0, ...kernel.map(() => 0), 0, 0, ...geo.strides.map((s) => s - 1)])]) : ones;
  let real = e.op('Conv', [extended, onesKernel], {
    kernel_shape: attr.ints(kernel),
    strides: attr.ints(geo.strides),
    pads: attr.ints([...geo.padsBegin, ...geo.padsEnd]),
  });
  if (geo.ceilMode) real = e.op('Slice', [real, e.i64(kernel.map(() => 0)), e.shape(y, 2), axes]);
  const weight = e.op('Div', [measured, e.op('Max', [real, e.f32([1])])]);
  const z = e.op('Mul', [planes(e, dY, n), weight]);
  return [scatterWindows(e, z, onesKernel, geo, x)];
};
