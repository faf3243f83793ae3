import { ConstantValues } from '../onnx/constant-values.js';
import { decodeModel, encodeModel } from '../onnx/onnx-codec.js';
import type { GraphProto, NodeProto, ValueInfoProto } from '../onnx/onnx-types.js';
import { plainConv } from './plain-conv.js';
import { FreshNames, Replacement, intAttribute, intsAttribute, spliceReplacements, stringAttribute } from './rewrite-graph.js';

/*
 * Winograd F(4×4, 3×3) (Lavin & Gray 2016) for 3×3 stride-1 convolutions, spelled in plain ONNX ops: each 4×4 block
 * of outputs comes from a 6×6 tile of input as Y = Aᵀ [(G g Gᵀ) ⊙ (Bᵀ d B)] A, so the channel mixing is 36 matrix
 * products (one per tile frequency) of 36/16 = 2.25 multiply-adds per output pixel and channel pair instead of 9.
 * The weights' transform G g Gᵀ is done here, once; the input and output transforms are separable, two small MatMuls
 * each (6×6 then 6×6 on the other axis: 432 multiply-adds per tile and channel instead of 1296 for the 36×36 one).
 *
 * The layout is channels-last inside (a 2-D Transpose in; one and a DepthToSpace out): one Gather then copies the 36
 * positions of every tile as whole channel vectors, and the transformed weights are the constant right-hand operand
 * of the batched MatMul, which onnxruntime packs once at load. Height and width stay free: the input is zero-padded up to whole
 * tiles (as the convolution's own pads, plus what the last tile needs) and the result cropped back.
 *
 * Tried and slower on onnxruntime-web (ml5's wave network at 256², one thread 345 → 370 ms, two threads no better): a
 * position-major layout with no transposes (SpaceToDepth(4), 8 channel-range Slices and a Concat giving [36, C, tiles],
 * 36×36 and 16×36 Kronecker transforms, DepthToSpace DCR). Its channel mixing was 10% faster, but the Kronecker
 * transforms do three times the separable ones' multiply-adds and the extra copies grow slower with two threads.
 *
 * Exact up to float rounding (the transforms' coefficients are small integers and fractions; max |Δ| ~1e-5 relative
 * to the output's range). Worth it where the convolution's arithmetic dominates: onnxruntime-web's wasm kernels,
 * which have no Winograd or NCHWc convolution of their own.
 */

/** Output tile side m of F(m×m, 3×3), and the input tile side m + 2. */
const M = 4;
const A = M + 2;

/** Bᵀ, G and Aᵀ of F(4, 3) with interpolation points 0, ±1, ±2 (Lavin & Gray, section 4.3). */
const BT: readonly (readonly number[])[] = [
  [4, 0, -5, 0, 1, 0],
  [0, -4, -4, 1, 1, 0],
  [0, 4, -4, -1, 1, 0],
  [0, -2, -1, 2, 1, 0],
  [0, 2, -1, -2, 1, 0],
  [0, 4, 0, -5, 0, 1],
];
const G: readonly (readonly number[])[] = [
  [1 / 4, 0, 0],
  [-1 / 6, -1 / 6, -1 / 6],
  [-1 / 6, 1 / 6, -1 / 6],
  [1 / 24, 1 / 12, 1 / 6],
  [1 / 24, -1 / 12, 1 / 6],
  [0, 0, 1],
];
const AT: readonly (readonly number[])[] = [
  [1, 1, 1, 1, 1, 0],
  [0, 1, -1, 2, -2, 0],
  [0, 1, 1, 4, 4, 0],
  [0, 1, -1, 8, -8, 1],
];

/**
 * Convolutions with fewer input or output channels than this are left alone: the transforms' memory traffic
 * grows with the channels while the saving grows with their product. (With 16, the 32 → 27 convolution a split 9×9
 * layer becomes was rewritten too and ran 4× slower on onnxruntime-web: at full resolution the transforms are
 * memory-bound.)
 */
export const WINOGRAD_MIN_CHANNELS = 32;

interface Match {
  conv: NodeProto;
  weight: Float32Array;
  bias: Float32Array | undefined;
  outChannels: number;
  inChannels: number;
  /** [top, left, bottom, right]. */
  pads: readonly [number, number, number, number];
}

function findMatch(conv: NodeProto, constants: ConstantValues, minChannels: number): Match | undefined {
  const plain = plainConv(conv, constants, ([out, input, kh, kw]) => kh === 3 && kw === 3 && Math.min(out, input) >= minChannels);
  if (!plain) return undefined;
  const [outChannels, inChannels] = plain.dims;
  return { conv, weight: plain.weight, bias: plain.bias, outChannels, inChannels, pads: plain.pads };
}

/** G g Gᵀ of every kernel, as the [36, in, out] right-hand operand of the batched MatMul. */
function transformedWeights({ weight, outChannels, inChannels }: Match): Float32Array {
  const out = new Float32Array(A * A * inChannels * outChannels);
  const gg = new Float64Array(A * 3);
  for (let o = 0; o < outChannels; o++) {
    for (let c = 0; c < inChannels; c++) {
      const k = (o * inChannels + c) * 9;
      // G g (6×3), then (G g) Gᵀ (6×6).
      for (let i = 0; i < A; i++) {
        for (let x = 0; x < 3; x++) gg[i * 3 + x] = G[i]![0]! * weight[k + x]! + G[i]![1]! * weight[k + 3 + x]! + G[i]![2]! * weight[k + 6 + x]!;
      }
      for (let i = 0; i < A; i++) {
        for (let j = 0; j < A; j++) {
          const value = gg[i * 3]! * G[j]![0]! + gg[i * 3 + 1]! * G[j]![1]! + gg[i * 3 + 2]! * G[j]![2]!;
          out[((i * A + j) * inChannels + c) * outChannels + o] = value;
        }
      }
    }
  }
  return out;
}

/** The replacement nodes (and their initializers) for one match: they end in the convolution's output. */
function replacement(match: Match, graph: GraphProto, names: FreshNames): NodeProto[] {
  const { conv, outChannels: O, inChannels: C } = match;
  const [top, left, bottom, right] = match.pads;
  const r = new Replacement(graph, names, `${conv.name || conv.outputs[0]!}/winograd`);
  const add = r.add.bind(r);
  const ints = r.ints.bind(r);
  const floats = r.floats.bind(r);

  const x = conv.inputs[0]!;
  // Output size, and the zeros below and to the right that make it whole tiles.
  const hw = add('Slice', [add('Shape', [x]), ints('from2', [2]), ints('to4', [4])]);
  const outHw = top + bottom === 2 && left + right === 2 ? hw : add('Add', [hw, ints('pad_change', [top + bottom - 2, left + right - 2])]);
  const tile = ints('tile', [M]);
  const shortOfTile = add('Mod', [add('Sub', [tile, add('Mod', [outHw, tile])]), tile]);
  const endPads = add('Add', [shortOfTile, ints('end_pads', [bottom, right])]);
  const pads = add('Concat', [ints('begin_pads', [0, top, left, 0, 0]), endPads, ints('channel_pad', [0])], [intAttribute('axis', 0)]);
  // NCHW → NHWC as a 2-D transpose of [C, H·W], which onnxruntime does faster than the 4-D permutation.
  const channelsLast = add('Transpose', [add('Reshape', [x, ints('planes', [C, -1])])], [intsAttribute('perm', [1, 0])]);
  const nhwc = add('Reshape', [channelsLast, add('Concat', [ints('batch', [1]), hw, ints('channels', [C])], [intAttribute('axis', 0)])]);
  const padded = add('Pad', [nhwc, pads]);

  // The 36 tile positions (ky, kx) of every tile (ti, tj), gathered in one op from the padded input as rows of
  // [Hp·Wp, C]: pixel (4ti + ky, 4tj + kx), i.e. row (4ti + ky)·Wp + 4tj + kx. The indices are small int64 tensors.
  const paddedHw = add('Slice', [add('Shape', [padded]), ints('from1', [1]), ints('to3', [3])]);
  const tileCounts = add('Div', [add('Sub', [paddedHw, ints('halo', [A - M, A - M])]), tile]);
  const zero = ints('zero', [0]);
  const one = ints('one', [1]);
  const scalar = (v: string) => add('Squeeze', [v, zero]);
  const offsets = ints('offsets', Array.from({ length: A }, (_, k) => k));
  // [A, n] = k + 4·t for k < A, t < n
  const positions = (count: string) => add('Add', [add('Unsqueeze', [offsets, one]), add('Range', [scalar(zero), scalar(add('Mul', [count, tile])), scalar(tile)])]);
  const rows = positions(add('Slice', [tileCounts, zero, one]));
  const cols = positions(add('Slice', [tileCounts, one, ints('two', [2])]));
  const width = add('Slice', [paddedHw, one, ints('two_', [2])]);
  const index = add('Add', [
    add('Reshape', [add('Mul', [rows, width]), ints('row_shape', [A, 1, -1, 1])]),
    add('Reshape', [cols, ints('col_shape', [1, A, 1, -1])]),
  ]);
  const d0 = add('Gather', [add('Reshape', [padded, ints('pixels', [-1, C])]), index], [intAttribute('axis', 0)]);
  // Bᵀ d B and Aᵀ m A one side at a time: MatMul over the first axis, then (broadcast over it) over the second.
  const separable = (x: string, matrix: string, rows: number, inner: number) => {
    const once = add('MatMul', [matrix, add('Reshape', [x, ints('first_axis', [inner, -1])])]);
    return add('MatMul', [matrix, add('Reshape', [once, ints('second_axis', [rows, inner, -1])])]);
  };
  const v = separable(d0, floats('input_transform', [A, A], BT.flat()), A, A);
  const products = add('MatMul', [add('Reshape', [v, ints('by_channel', [A * A, -1, C])]), floats('weights', [A * A, C, O], transformedWeights(match))]);
  const y = separable(products, floats('output_transform', [M, A], AT.flat()), M, A);

  // [4·4·tiles, O] → [O, 4·4, tiles down, tiles across] (a 2-D transpose), then DepthToSpace (CRD) puts output
  // (p, q) of tile (ti, tj) at (4ti + p, 4tj + q): NCHW, cropped to the output size. Faster than one 5-D Transpose.
  const channelsFirst = add('Transpose', [add('Reshape', [y, ints('pixels_by_channel', [-1, O])])], [intsAttribute('perm', [1, 0])]);
  const depth = add('Reshape', [channelsFirst, add('Concat', [ints('batch_depth', [1, O * M * M]), tileCounts], [intAttribute('axis', 0)])]);
  const image = add('DepthToSpace', [depth], [intAttribute('blocksize', M), stringAttribute('mode', 'CRD')]);
  const result = conv.outputs[0]!;
  const cropped = add('Slice', [image, ints('zeros', [0, 0]), outHw, ints('spatial', [2, 3])], [], match.bias ? undefined : result);
  if (match.bias) add('Add', [cropped, floats('bias', [1, O, 1, 1], match.bias)], [], result);
  return r.nodes;
}

/**
 * Rewrites every 3×3, stride-1, ungrouped convolution with constant weights (and bias) and at least `minChannels`
 * input and output channels into Winograd F(4×4, 3×3) (see above). Needs opset 13 or later (Pad, Slice, Squeeze and
 * Unsqueeze with tensor inputs); earlier graphs are left alone. Returns how many convolutions were rewritten.
 */
export function rewriteWinogradConvolutions(graph: GraphProto, opset: number, minChannels = WINOGRAD_MIN_CHANNELS): number {
  if (opset < 13) return 0;
  const constants = new ConstantValues(graph.initializers, graph.nodes);
  const matches = graph.nodes.map((node) => findMatch(node, constants, minChannels)).filter((m): m is Match => m !== undefined);
  if (matches.length === 0) return 0;
  const names = new FreshNames(graph);
  spliceReplacements(graph, new Map(matches.map((match) => [match.conv, replacement(match, graph, names)])));
  return matches.length;
}

/** What {@link applyWinogradRewrite} changed. */
export interface WinogradRewrite {
  /** The model to run: `bytes` itself when nothing matched. */
  bytes: Uint8Array;
  /** 3×3 convolutions now computed as Winograd F(4×4, 3×3). */
  winogradConvolutions: number;
}

/** Options of {@link applyWinogradRewrite} and `applyWasmRewrites`. */
export interface WinogradRewriteOptions {
  /**
   * Rewrite only graphs whose one output is a 3-channel image made from a 3-channel image (style networks, with or
   * without a style vector beside the image): their outputs end as 8-bit pixels, where the transforms' extra rounding
   * (about twice a plain convolution's) never shows. Loss and gradient graphs keep plain convolutions: an
   * optimiser's steps would follow that rounding.
   * @default false
   */
  imagesOnly?: boolean;
}

/** Whether a graph input or output is a rank-4 tensor with 3 channels (NCHW or NHWC). */
function isImage(value: ValueInfoProto): boolean {
  return value.shape?.length === 4 && (value.shape[1] === 3 || value.shape[3] === 3);
}

/** Whether a graph's one output is an image and one of its inputs is: a style network. */
export function isStyleNetworkGraph(graph: GraphProto): boolean {
  return graph.outputs.length === 1 && isImage(graph.outputs[0]!) && graph.inputs.some(isImage);
}

/** The default domain's operator set version of a model. */
export function defaultOpset(opsets: readonly { domain: string; version: number }[]): number {
  return opsets.find((o) => o.domain === '' || o.domain === 'ai.onnx')?.version ?? 1;
}

/**
 * {@link rewriteWinogradConvolutions} on a serialized model: for runtimes whose own convolutions are plain
 * im2col + GEMM (onnxruntime-web's wasm kernels), where it halves a style network's time.
 */
export function applyWinogradRewrite(bytes: Uint8Array, options: WinogradRewriteOptions = {}): WinogradRewrite {
  const model = decodeModel(bytes);
  if (options.imagesOnly && !isStyleNetworkGraph(model.graph)) return { bytes, winogradConvolutions: 0 };
  const winogradConvolutions = rewriteWinogradConvolutions(model.graph, defaultOpset(model.opsetImports));
  return { bytes: winogradConvolutions > 0 ? encodeModel(model) : bytes, winogradConvolutions };
}
