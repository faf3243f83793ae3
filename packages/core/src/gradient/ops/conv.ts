import { attr } from '../../onnx/graph-builder.js';
import type { GraphEmitter } from '../graph-emitter.js';
import { TO_END } from '../graph-emitter.js';
import { intAttr, intsAttr } from '../../onnx/node-attributes.js';
import { onlyGradFor, unsupported, type BackwardRule } from './backward-rule.js';
import { effectiveKernel, spatialAxes, windowGeometry, type WindowGeometry } from './window-geometry.js';

/**
 * Conv: d/dX only (weights and bias are constants of the loss network).
 *
 * Stride 1 with constant weights: a Conv of dY with the weights transposed per group and flipped (ORT folds
 * the Transpose/Slice at load; measured ~15% faster than ConvTranspose), padded by k_eff−1−pad (negative
 * amounts become a crop). Other strides: ConvTranspose with the same weights; the rows the forward conv never
 * read (when (H+pads−k_eff) % stride ≠ 0) come from output_padding and a Slice to the input's run-time size.
 */
export const convBackward: BackwardRule = (args) => {
  const { node, e, constants } = args;
  onlyGradFor(args, [0]);
  const dY = args.dOutputs[0];
  if (!dY || !args.needsGrad[0]) return [];
  const [x, w] = node.inputs;
  const wDims = constants.dims(w);
  const kernel = intsAttr(node, 'kernel_shape') ?? wDims?.slice(2);
  if (!kernel) throw unsupported(node, 'its kernel shape is unknown (no kernel_shape attribute and the weights are not a constant)');
  const geo = windowGeometry(node, kernel);
  const group = intAttr(node, 'group', 1);
  const dX = geo.strides.every((s) => s === 1) && wDims
    ? flippedConv(e, dY, w, wDims, group, geo)
    : transposedConv(e, dY, x, w, group, geo);
  return [dX];
};

/** Weights [Cout, Cin/g, k…] as [Cin, Cout/g, k…], spatially flipped: the correlation kernel of dX. */
function flippedWeights(e: GraphEmitter, w: string, wDims: readonly number[], group: number): string {
  return e.memo(`flipped:${w}:${group}`, () => {
    const [cout, cinPerGroup, ...k] = wDims;
    const n = k.length;
    const spatial = k.map((_, i) => i + 2);
    let swapped: string;
    if (group === 1) {
      swapped = e.op('Transpose', [w], { perm: attr.ints([1, 0, ...spatial]) });
    } else {
      const grouped = e.op('Reshape', [w, e.i64([group, cout / group, cinPerGroup, ...k])]);
      const t = e.op('Transpose', [grouped], { perm: attr.ints([0, 2, 1, ...spatial.map((a) => a + 1)]) });
      swapped = e.op('Reshape', [t, e.i64([group * cinPerGroup, cout / group, ...k])]);
    }
    const minusOnes = new Array<number>(n).fill(-1);
    return e.op('Slice', [swapped, e.i64(minusOnes), e.i64(new Array<number>(n).fill(-TO_END)), e.i64(spatial), e.i64(minusOnes)]);
  });
}

function flippedConv(e: GraphEmitter, dY: string, w: string, wDims: readonly number[], group: number, geo: WindowGeometry): string {
  const kEff = effectiveKernel(geo);
  const begin = kEff.map((k, i) => k - 1 - geo.padsBegin[i]);
  const end = kEff.map((k, i) => k - 1 - geo.padsEnd[i]);
  const conv = e.op('Conv', [dY, flippedWeights(e, w, wDims, group)], {
    kernel_shape: attr.ints(wDims.slice(2)),
    dilations: attr.ints(geo.dilations),
    group: attr.int(group),
    pads: attr.ints([...begin, ...end].map((p) => Math.max(0, p))),
  });
  if ([...begin, ...end].every((p) => p >= 0)) return conv;
  // Padding wider than the kernel: the forward conv's outer taps saw only zeros, so crop them off.
  const starts = begin.map((p) => Math.max(0, -p));
  const ends = end.map((p) => (p < 0 ? p : TO_END));
  return e.op('Slice', [conv, e.i64(starts), e.i64(ends), e.i64(spatialAxes(geo))]);
}

function transposedConv(e: GraphEmitter, dY: string, x: string, w: string, group: number, geo: WindowGeometry): string {
  // Output length s(Ho−1)+k_eff−pb−pe' + op = H − r + s − 1 ≥ H with op < s, as ConvTranspose requires.
  const outputPadding = geo.strides.map((s, i) => Math.max(0, s - 1 - geo.padsEnd[i]));
  const endPads = geo.strides.map((s, i) => Math.max(0, geo.padsEnd[i] - (s - 1)));
  const dX = e.op('ConvTranspose', [dY, w], {
    kernel_shape: attr.ints(geo.kernel),
    strides: attr.ints(geo.strides),
    dilations: attr.ints(geo.dilations),
    group: attr.int(group),
    pads: attr.ints([...geo.padsBegin, ...endPads]),
    output_padding: attr.ints(outputPadding),
  });
  if (geo.strides.every((s) => s === 1)) return dX;
  const axes = spatialAxes(geo);
  return e.op('Slice', [dX, e.i64(axes.map(() => 0)), e.shape(x, 2), e.i64(axes)]);
}
