import { attr } from '../../onnx/graph-builder.js';
import type { GraphEmitter } from '../graph-emitter.js';
import { spatialAxes, type WindowGeometry } from './window-geometry.js';

/**
 * [N, C, spatial…] as [N·C, 1, spatial…]: pool backward then works on single-channel planes, so its
 * kernels need no channel count and serve every layer.
 */
export function planes(e: GraphEmitter, value: string, spatialRank: number): string {
  return e.op('Reshape', [value, e.i64([-1, 1, ...new Array<number>(spatialRank).fill(0)])]);
}

/**
 * Adds each window's values back onto the positions it covers: `z` is [N·C, K, Ho, Wo], channel k holding what
 * goes to kernel offset k (K = 1 with `kernelWeights` all ones: the same value to every offset). A stride-s
 * ConvTranspose does the scatter, overlapping windows included; the result is cropped to the input's
 * run-time size (padding removed) and returned as [N, C, H, W] like `x`.
 */
export function scatterWindows(e: GraphEmitter, z: string, kernelWeights: string, geo: WindowGeometry, x: string): string {
  // Rows the windows never reached (floor mode) must still exist: at most s−1−pad_end of them, which
  // output_padding (< stride, as ConvTranspose requires) supplies as zeros.
  const outputPadding = geo.strides.map((s, i) => Math.max(0, s - 1 - geo.padsEnd[i]));
  const scattered = e.op('ConvTranspose', [z, kernelWeights], {
    kernel_shape: attr.ints(geo.kernel),
    strides: attr.ints(geo.strides),
    dilations: attr.ints(geo.dilations),
    output_padding: attr.ints(outputPadding),
  });
  const begin = e.i64(geo.padsBegin);
  const cropped = e.op('Slice', [scattered, begin, e.op('Add', [e.shape(x, 2), begin]), e.i64(spatialAxes(geo))]);
  return e.reshapeLike(cropped, x);
}
