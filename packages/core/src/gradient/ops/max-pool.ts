import { attr } from '../../onnx/graph-builder.js';
import { TensorDataType } from '../../onnx/onnx-types.js';
import type { GraphEmitter } from '../graph-emitter.js';
import { intsAttr } from '../../onnx/node-attributes.js';
import { onlyGradFor, unsupported, type BackwardRule } from './backward-rule.js';
import { planes, scatterWindows } from './pool-scatter.js';
import { effectiveKernel, windowGeometry, type WindowGeometry } from './window-geometry.js';

/** Padding below every real value; finite, so the one-hot Conv never computes 0·−∞ = NaN. */
const BELOW_EVERY_VALUE = -3.4028234663852886e38;

/**
 * MaxPool, mask-based (no MaxUnpool: its Indices path fails on WebGPU). A stride-s Conv with one-hot kernels
 * copies each window's K values into K channels (exactly: one product by 1, the others by 0); ArgMax over
 * them finds each window's first max (scan order, as ORT and PyTorch pick it, so a tie in a flat region does
 * not multiply the gradient); dY goes to that channel only, and a stride-s ConvTranspose with the same kernels
 * scatters it back, adding where windows overlap (3×3 stride 2). A handful of ops over all offsets at once,
 * ~2× faster on onnxruntime's CPU EP than slicing and comparing offset by offset.
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

  const xPadded = padOutside(e, planes(e, x, n), geo, x, node.outputs[0]);
  const selectors = oneHotKernel(e, kernel);
  const windows = e.op('Conv', [xPadded, selectors], {
    kernel_shape: attr.ints(kernel),
    strides: attr.ints(geo.strides),
    dilations: attr.ints(geo.dilations),
  });
  const firstMax = e.op('ArgMax', [windows], { axis: attr.int(1), keepdims: attr.int(1) });
  // Compared as floats: int64 comparisons are not available on every execution provider.
  const offsetCount = kernel.reduce((a, b) => a * b, 1);
  const offsetIndex = e.f32(Array.from({ length: offsetCount }, (_, k) => k), [1, offsetCount, ...new Array<number>(n).fill(1)]);
  const isFirstMax = e.floatMask(e.op('Equal', [e.op('Cast', [firstMax], { to: attr.int(TensorDataType.FLOAT) }), offsetIndex]));
  return [scatterWindows(e, e.op('Mul', [isFirstMax, planes(e, dY, n)]), selectors, geo, x)];
};

/**
 * Pads the pool's padding with a value below every real one. In ceil mode the last window may run past the end
 * padding, by how much depends on the size: the end padding is then computed at run time so that the Conv
 * gives exactly the pooled size, s·(Ho−1) + k_eff = begin + H + end.
 */
function padOutside(e: GraphEmitter, xPlanes: string, geo: WindowGeometry, x: string, y: string): string {
  let endPads: string;
  if (geo.ceilMode) {
    const windowsReach = e.op('Add', [e.op('Mul', [e.op('Sub', [e.shape(y, 2), e.i64([1])]), e.i64(geo.strides)]), e.i64(effectiveKernel(geo))]);
    endPads = e.op('Sub', [windowsReach, e.op('Add', [e.shape(x, 2), e.i64(geo.padsBegin)])]);
  } else if (geo.padsBegin.some((p) => p > 0) || geo.padsEnd.some((p) => p > 0)) {
    endPads = e.i64(geo.padsEnd);
  } else {
    return xPlanes;
  }
  const pads = e.op('Concat', [e.i64([0, 0]), e.i64(geo.padsBegin), e.i64([0, 0]), endPads], { axis: attr.int(0) });
  return e.op('Pad', [xPlanes, pads, e.f32([BELOW_EVERY_VALUE])]);
}

/** [K, 1, k…] with channel k = 1 at offset k: channel k reads (and scatters to) kernel offset k. */
function oneHotKernel(e: GraphEmitter, kernel: readonly number[]): string {
  const count = kernel.reduce((a, b) => a * b, 1);
  const values = new Array<number>(count * count).fill(0);
  for (let k = 0; k < count; k++) values[k * count + k] = 1;
  return e.f32(values, [count, 1, ...kernel]);
}
