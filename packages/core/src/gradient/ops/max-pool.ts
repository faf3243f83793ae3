import type { GraphEmitter } from '../graph-emitter.js';
import { intsAttr } from '../node-attributes.js';
import { onlyGradFor, unsupported, type BackwardRule } from './backward-rule.js';
import { concatChannels, kernelOffsets, planes, scatterWindows } from './pool-scatter.js';
import { spatialAxes, windowGeometry } from './window-geometry.js';

/**
 * MaxPool, mask-based (no MaxUnpool: its Indices path fails on WebGPU). For each kernel offset, the strided
 * slice of the −inf padded input that this offset reads in every window is compared with the pooled output;
 * the first offset that matches (scan order, as ORT and PyTorch pick the max) gets dY. The routed dY of all
 * offsets are scattered back with one stride-s ConvTranspose, so overlapping windows (3×3 stride 2) add up.
 */
export const maxPoolBackward: BackwardRule = (args) => {
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

  // In ceil mode the last window may run up to s−1 past the end padding: pad that too.
  const endPads = geo.padsEnd.map((p, i) => p + (geo.ceilMode ? geo.strides[i] - 1 : 0));
  let xPadded = planes(e, x, n);
  if ([...geo.padsBegin, ...endPads].some((p) => p > 0)) {
    xPadded = e.op('Pad', [xPadded, e.i64([0, 0, ...geo.padsBegin, 0, 0, ...endPads]), e.f32([-Infinity])]);
  }
  const yPlanes = planes(e, y, n);
  const dYPlanes = planes(e, dY, n);
  const zero = e.f32([0]);
  const span = e.op('Mul', [e.shape(y, 2), e.i64(geo.strides)]);
  const axes = e.i64(spatialAxes(geo));
  const steps = e.i64(geo.strides);

  // `rest` is dY not yet handed to an earlier offset: each window's gradient goes to its first max only, so
  // ties (flat image regions) do not multiply it.
  const offsets = kernelOffsets(kernel);
  const routed: string[] = [];
  let rest = dYPlanes;
  offsets.forEach((offset, k) => {
    const start = e.i64(offset.map((o, i) => o * geo.dilations[i]));
    const tap = e.op('Slice', [xPadded, start, e.op('Add', [span, start]), axes, steps]);
    const hit = e.op('Equal', [tap, yPlanes]);
    routed.push(e.op('Where', [hit, rest, zero]));
    if (k < offsets.length - 1) rest = e.op('Where', [hit, zero, rest]);
  });
  return [scatterWindows(e, concatChannels(e, routed), oneHotKernel(e, kernel), geo, x)];
};

/** [K, 1, k…] with channel k = 1 at offset k: routes each offset's values to its own tap. */
function oneHotKernel(e: GraphEmitter, kernel: readonly number[]): string {
  const count = kernel.reduce((a, b) => a * b, 1);
  const values = new Array<number>(count * count).fill(0);
  for (let k = 0; k < count; k++) values[k * count + k] = 1;
  return e.f32(values, [count, 1, ...kernel]);
}
