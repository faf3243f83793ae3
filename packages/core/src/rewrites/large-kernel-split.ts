import { ConstantValues } from '../onnx/constant-values.js';
import type { GraphProto, NodeProto } from '../onnx/onnx-types.js';
import { plainConv } from './plain-conv.js';
import { FreshNames, Replacement, intAttribute, intsAttribute, spliceReplacements } from './rewrite-graph.js';

/*
 * A convolution with a large square kernel (3q × 3q, e.g. a style network's last 9×9 layer) and very few output
 * channels is a poor GEMM: its output channels are the GEMM's rows, so 3 rows share each pass over a huge im2col
 * buffer, and threads have little to split. Splitting the kernel into q × q blocks of 3 × 3 gives, exactly, one 3×3
 * convolution with q² times the output channels (block (a, b)'s kernel in channels [(q·a + b)·O, …)) whose outputs,
 * shifted by (3a, 3b), add up to the original: the same multiply-adds as a GEMM with q²·O rows, plus q² − 1 additions
 * of the small output.
 */

/** Output channels at or below which the split pays: one GEMM row per channel is too few. */
export const SPLIT_MAX_OUT_CHANNELS = 4;

interface Match {
  conv: NodeProto;
  weight: Float32Array;
  bias: Float32Array | undefined;
  outChannels: number;
  inChannels: number;
  /** Blocks per side: the kernel is 3q × 3q. */
  q: number;
  pads: readonly [number, number, number, number];
}

function findMatch(conv: NodeProto, constants: ConstantValues): Match | undefined {
  const plain = plainConv(conv, constants, ([out, , kh, kw]) => kh === kw && kh >= 6 && kh % 3 === 0 && out <= SPLIT_MAX_OUT_CHANNELS);
  if (!plain) return undefined;
  const [outChannels, inChannels, kernel] = plain.dims;
  return { conv, weight: plain.weight, bias: plain.bias, outChannels, inChannels, q: kernel / 3, pads: plain.pads };
}

function replacement(match: Match, graph: GraphProto, names: FreshNames): NodeProto[] {
  const { conv, weight, outChannels: O, inChannels: C, q } = match;
  const k = 3 * q;
  const r = new Replacement(graph, names, `${conv.name || conv.outputs[0]!}/blocks`);
  const kernel = new Float32Array(q * q * O * C * 9);
  for (let a = 0; a < q; a++) {
    for (let b = 0; b < q; b++) {
      for (let o = 0; o < O; o++) {
        for (let c = 0; c < C; c++) {
          const target = (((a * q + b) * O + o) * C + c) * 9;
          for (let y = 0; y < 3; y++) for (let x = 0; x < 3; x++) kernel[target + y * 3 + x] = weight[((o * C + c) * k + 3 * a + y) * k + 3 * b + x]!;
        }
      }
    }
  }
  // Block outputs over the output grid grown by 3(q - 1) below and to the right: the original pads, as they are.
  const blocks = r.add('Conv', [conv.inputs[0]!, r.floats('kernel', [q * q * O, C, 3, 3], kernel)], [
    intsAttribute('kernel_shape', [3, 3]),
    intsAttribute('pads', [...match.pads]),
  ]);
  // The output's height and width: the block grid's less 3(q - 1).
  const size = r.add('Sub', [r.add('Shape', [blocks], [intAttribute('start', 2)]), r.ints('shrink', [3 * (q - 1), 3 * (q - 1)])]);
  const axes = r.ints('axes', [1, 2, 3]);
  let sum = '';
  for (let a = 0; a < q; a++) {
    for (let b = 0; b < q; b++) {
      const block = a * q + b;
      const ends = r.add('Concat', [r.ints(`channel_end${block}`, [(block + 1) * O]), r.add('Add', [size, r.ints(`offset${block}`, [3 * a, 3 * b])])], [intAttribute('axis', 0)]);
      const part = r.add('Slice', [blocks, r.ints(`starts${block}`, [block * O, 3 * a, 3 * b]), ends, axes]);
      const last = a === q - 1 && b === q - 1 && !match.bias;
      sum = sum === '' ? part : r.add('Add', [sum, part], [], last ? conv.outputs[0]! : undefined);
    }
  }
  if (match.bias) r.add('Add', [sum, r.floats('bias', [1, O, 1, 1], match.bias)], [], conv.outputs[0]!);
  return r.nodes;
}

/**
 * Rewrites every stride-1, ungrouped convolution with a constant 3q × 3q kernel (q ≥ 2) and at most
 * {@link SPLIT_MAX_OUT_CHANNELS} output channels into one 3×3 convolution with q² times the outputs and the sum of
 * q² shifted slices (see above). Needs opset 15 or later (Shape with `start`). Returns how many were rewritten.
 */
export function splitLargeKernelConvolutions(graph: GraphProto, opset: number): number {
  if (opset < 15) return 0;
  const constants = new ConstantValues(graph.initializers, graph.nodes);
  const matches = graph.nodes.map((node) => findMatch(node, constants)).filter((m): m is Match => m !== undefined);
  if (matches.length === 0) return 0;
  const names = new FreshNames(graph);
  spliceReplacements(graph, new Map(matches.map((m) => [m.conv, replacement(m, graph, names)])));
  return matches.length;
}
