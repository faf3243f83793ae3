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
 * onnxruntime-web 1.30's WebGPU Concat returns wrong values from 8 inputs on (7 work): concatenate in groups
 * of at most 7.
 */
const MAX_CONCAT_INPUTS = 7;

/** Concat along axis 1 (channels) of any number of tensors, in groups the WebGPU kernel handles. */
export function concatChannels(e: GraphEmitter, parts: readonly string[]): string {
  if (parts.length === 1) return parts[0];
  if (parts.length <= MAX_CONCAT_INPUTS) return e.op('Concat', parts, { axis: attr.int(1) });
  const head = e.op('Concat', parts.slice(0, MAX_CONCAT_INPUTS), { axis: attr.int(1) });
  return concatChannels(e, [head, ...parts.slice(MAX_CONCAT_INPUTS)]);
}

/** Every kernel offset, row-major (the order in which pools scan a window). */
export function kernelOffsets(kernel: readonly number[]): number[][] {
  return kernel.reduce<number[][]>((acc, k) => acc.flatMap((prefix) => Array.from({ length: k }, (_, i) => [...prefix, i])), [[]]);
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
