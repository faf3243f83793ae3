import { ConstantValues } from '../onnx/constant-values.js';
import { intsAttr, stringAttr } from '../onnx/node-attributes.js';
import { float32Tensor, int64Tensor, tensorToFloat32 } from '../onnx/onnx-tensors.js';
import { AttributeType, type AttributeProto, type GraphProto, type NodeProto } from '../onnx/onnx-types.js';
import { plainConv } from './plain-conv.js';

/*
 * Nearest-neighbour 2× upsampling followed by a padded 3×3 convolution equals, exactly, four 2×2 convolutions on
 * the low-resolution grid (one per output parity) interleaved by DepthToSpace: each output pixel of parity (a, b)
 * sees only two distinct low-resolution rows and columns, so the 3×3 kernel's taps that land on the same source
 * pixel are summed ahead of time. 16 instead of 36 multiply-adds per low-resolution pixel and channel pair, and the
 * full-resolution Resize and Pad disappear.
 *
 * Padding maps as well: reflecting the upsampled image by one pixel repeats its edge, i.e. an edge pad of the
 * low-resolution image; an edge pad stays an edge pad; zero padding stays zero padding.
 */

/** Slice `ends` value meaning "to the end of the axis". */
const TO_END = Number.MAX_SAFE_INTEGER;

interface Match {
  upsample: NodeProto;
  pad: NodeProto | undefined;
  conv: NodeProto;
  lowPadMode: 'edge' | 'constant';
  weight: Float32Array;
  outChannels: number;
  inChannels: number;
  bias: Float32Array | undefined;
}

const utf8 = new TextEncoder();
const intsAttribute = (name: string, ints: number[]): AttributeProto => ({ name, type: AttributeType.INTS, ints });
const intAttribute = (name: string, i: number): AttributeProto => ({ name, type: AttributeType.INT, i });
const stringAttribute = (name: string, s: string): AttributeProto => ({ name, type: AttributeType.STRING, s: utf8.encode(s) });

/** The scales of a Resize or Upsample node when they are constant, else undefined. */
function upsampleScales(node: NodeProto, constants: ConstantValues): number[] | undefined {
  if (node.opType === 'Upsample') {
    const fromAttribute = node.attributes.find((a) => a.name === 'scales')?.floats;
    return fromAttribute ? [...fromAttribute] : node.inputs[1] ? constants.numbers(node.inputs[1]) : undefined;
  }
  // Resize-10: (X, scales); Resize-11+: (X, roi, scales[, sizes]).
  if (node.inputs[3]) return undefined;
  const scales = node.inputs.length === 2 ? node.inputs[1] : node.inputs[2];
  return scales ? constants.numbers(scales) : undefined;
}

/** Whether a nearest-neighbour Resize/Upsample by 2 maps output pixel i to source pixel floor(i / 2). */
function isNearestDouble(node: NodeProto, constants: ConstantValues, opset: number): boolean {
  if (node.domain !== '' || (node.opType !== 'Resize' && node.opType !== 'Upsample')) return false;
  if (stringAttr(node, 'mode', 'nearest') !== 'nearest') return false;
  const scales = upsampleScales(node, constants);
  if (!scales || scales.join() !== '1,1,2,2') return false;
  if (node.opType === 'Upsample' || opset < 11) return true;
  // With a scale of 2, source coordinates are i/2 (asymmetric) or i/2 - 1/4 (half-pixel): see which roundings floor.
  const transform = stringAttr(node, 'coordinate_transformation_mode', 'half_pixel');
  const rounding = stringAttr(node, 'nearest_mode', 'round_prefer_floor');
  if (transform === 'asymmetric') return rounding === 'floor' || rounding === 'round_prefer_floor';
  if (transform === 'half_pixel' || transform === 'pytorch_half_pixel') return rounding === 'round_prefer_floor' || rounding === 'round_prefer_ceil';
  return false;
}

/** The pads and mode of a Pad node when constant and one pixel on each spatial side only, else undefined. */
function onePixelPad(node: NodeProto, constants: ConstantValues, opset: number): 'reflect' | 'edge' | 'constant' | undefined {
  const mode = stringAttr(node, 'mode', 'constant');
  const pads = opset < 11 ? intsAttr(node, 'pads') : node.inputs[1] ? constants.numbers(node.inputs[1]) : undefined;
  if (!pads || pads.join() !== '0,0,1,1,0,0,1,1') return undefined;
  if (mode === 'constant') {
    const value = opset < 11 ? (node.attributes.find((a) => a.name === 'value')?.f ?? 0) : node.inputs[2] ? constants.numbers(node.inputs[2])?.[0] : 0;
    return value === 0 ? 'constant' : undefined;
  }
  return mode === 'reflect' || mode === 'edge' ? mode : undefined;
}

function findMatch(upsample: NodeProto, graph: GraphProto, uses: Map<string, NodeProto[]>, constants: ConstantValues, opset: number): Match | undefined {
  if (!isNearestDouble(upsample, constants, opset)) return undefined;
  const graphOutputs = new Set(graph.outputs.map((o) => o.name));
  const onlyUse = (value: string) => (graphOutputs.has(value) ? undefined : uses.get(value)?.length === 1 ? uses.get(value)![0] : undefined);
  let next = onlyUse(upsample.outputs[0]!);
  let pad: NodeProto | undefined;
  let padMode: 'reflect' | 'edge' | 'constant' | undefined;
  if (next?.opType === 'Pad' && next.domain === '') {
    pad = next;
    padMode = onePixelPad(pad, constants, opset);
    if (!padMode) return undefined;
    next = onlyUse(pad.outputs[0]!);
  }
  const conv = next;
  if (!conv || conv.inputs[0] !== (pad ?? upsample).outputs[0]) return undefined;
  const plain = plainConv(conv, constants, ([, , kh, kw]) => kh === 3 && kw === 3);
  if (!plain || plain.pads.join() !== (pad ? '0,0,0,0' : '1,1,1,1')) return undefined;
  const { weight, bias, dims } = plain;
  return {
    upsample,
    pad,
    conv,
    lowPadMode: padMode === 'reflect' || padMode === 'edge' ? 'edge' : 'constant',
    weight,
    outChannels: dims[0],
    inChannels: dims[1],
    bias,
  };
}

/** Kernel rows (or columns) of a 3×3 kernel that land on each of the two source rows, for output parity `a`. */
const TAPS: readonly (readonly (readonly number[])[])[] = [
  [[0], [1, 2]], // even output row 2m: source rows m-1, m, m
  [[0, 1], [2]], // odd output row 2m+1: source rows m, m, m+1
];

/** The 2×2 kernel of output parity (a, b): the 3×3 taps summed over the source pixel they read. */
function parityKernel(match: Match, a: number, b: number): Float32Array {
  const { weight, outChannels, inChannels } = match;
  const out = new Float32Array(outChannels * inChannels * 4);
  for (let o = 0; o < outChannels; o++) {
    for (let c = 0; c < inChannels; c++) {
      const source = (o * inChannels + c) * 9;
      const target = (o * inChannels + c) * 4;
      for (let r = 0; r < 2; r++) {
        for (let s = 0; s < 2; s++) {
          let sum = 0;
          for (const row of TAPS[a]![r]!) for (const col of TAPS[b]![s]!) sum += weight[source + row * 3 + col]!;
          out[target + r * 2 + s] = sum;
        }
      }
    }
  }
  return out;
}

class Names {
  private count = 0;
  constructor(private readonly taken: Set<string>) {}
  fresh(base: string): string {
    let name = base;
    while (this.taken.has(name)) name = `${base}_${++this.count}`;
    this.taken.add(name);
    return name;
  }
}

/** The replacement nodes (and their initializers) for one match. */
function replacement(match: Match, graph: GraphProto, names: Names, opset: number): NodeProto[] {
  const base = match.conv.name || match.conv.outputs[0]!;
  const node = (opType: string, inputs: string[], outputs: string[], attributes: AttributeProto[] = []): NodeProto => ({
    name: names.fresh(`${base}/lowres_${opType}`),
    opType,
    domain: '',
    inputs,
    outputs,
    attributes,
  });
  const constant = (suffix: string, values: number[]) => {
    const name = names.fresh(`${base}/lowres_${suffix}`);
    graph.initializers.push(int64Tensor(name, [values.length], values));
    return name;
  };
  const nodes: NodeProto[] = [];
  const low = match.upsample.inputs[0]!;
  const padded = names.fresh(`${base}/lowres_padded`);
  const pads = [0, 0, 1, 1, 0, 0, 1, 1];
  nodes.push(
    opset < 11
      ? node('Pad', [low], [padded], [stringAttribute('mode', match.lowPadMode), intsAttribute('pads', pads)])
      : node('Pad', [low, constant('pads', pads)], [padded], [stringAttribute('mode', match.lowPadMode)]),
  );
  const parities: string[] = [];
  for (let a = 0; a < 2; a++) {
    for (let b = 0; b < 2; b++) {
      // Parity (a, b) reads padded rows a … a+h and columns b … b+w: a 2×2 valid convolution gives h × w.
      const window = names.fresh(`${base}/lowres_window${a}${b}`);
      const starts = [a, b];
      const ends = [a === 1 ? TO_END : -1, b === 1 ? TO_END : -1];
      nodes.push(
        opset < 10
          ? node('Slice', [padded], [window], [intsAttribute('starts', starts), intsAttribute('ends', ends), intsAttribute('axes', [2, 3])])
          : node('Slice', [padded, constant('starts', starts), constant('ends', ends), constant('axes', [2, 3])], [window]),
      );
      const kernel = names.fresh(`${base}/lowres_kernel${a}${b}`);
      graph.initializers.push(float32Tensor(kernel, [match.outChannels, match.inChannels, 2, 2], parityKernel(match, a, b)));
      const inputs = [window, kernel];
      if (match.bias) {
        const bias = names.fresh(`${base}/lowres_bias${a}${b}`);
        graph.initializers.push(float32Tensor(bias, [match.outChannels], match.bias));
        inputs.push(bias);
      }
      const parity = names.fresh(`${base}/lowres_parity${a}${b}`);
      nodes.push(node('Conv', inputs, [parity], [intsAttribute('kernel_shape', [2, 2])]));
      parities.push(parity);
    }
  }
  // Channel block (2a + b) holds parity (a, b): DepthToSpace's default DCR order.
  const stacked = names.fresh(`${base}/lowres_parities`);
  nodes.push(node('Concat', parities, [stacked], [intAttribute('axis', 1)]));
  nodes.push(node('DepthToSpace', [stacked], [match.conv.outputs[0]!], [intAttribute('blocksize', 2)]));
  return nodes;
}

/**
 * Rewrites every nearest-2×-upsample → (pad) → 3×3 convolution of `graph` into low-resolution convolutions and
 * DepthToSpace (see above). Matches need constant scales, pads and weights. Returns how many were rewritten.
 */
export function rewriteUpsampleConvolutions(graph: GraphProto, opset: number): number {
  const constants = new ConstantValues(graph.initializers, graph.nodes);
  const uses = new Map<string, NodeProto[]>();
  for (const node of graph.nodes) for (const input of node.inputs) if (input) uses.set(input, [...(uses.get(input) ?? []), node]);
  const matches = graph.nodes.map((node) => findMatch(node, graph, uses, constants, opset)).filter((m): m is Match => m !== undefined);
  if (matches.length === 0) return 0;
  const taken = new Set<string>([...graph.initializers.map((t) => t.name), ...graph.inputs.map((i) => i.name)]);
  for (const node of graph.nodes) {
    taken.add(node.name);
    for (const output of node.outputs) taken.add(output);
  }
  const names = new Names(taken);
  const removed = new Set<NodeProto>();
  const inserted = new Map<NodeProto, NodeProto[]>();
  for (const match of matches) {
    removed.add(match.upsample).add(match.conv);
    if (match.pad) removed.add(match.pad);
    inserted.set(match.upsample, replacement(match, graph, names, opset));
  }
  // The replacement takes the upsample's place: its input exists there, and its output's users all come later.
  graph.nodes = graph.nodes.flatMap((node) => inserted.get(node) ?? (removed.has(node) ? [] : [node]));
  // The full-resolution values that no longer exist (the convolution's output is produced again).
  const gone = new Set(matches.flatMap((m) => [...m.upsample.outputs, ...(m.pad?.outputs ?? [])]));
  graph.valueInfo = graph.valueInfo.filter((v) => !gone.has(v.name));
  // The removed nodes' weights, scales and pads that nothing else reads (onnxruntime warns about each one left).
  const read = new Set([...graph.nodes.flatMap((n) => n.inputs), ...graph.outputs.map((o) => o.name)]);
  const orphans = new Set(matches.flatMap((m) => [...m.upsample.inputs, ...m.conv.inputs, ...(m.pad?.inputs ?? [])]).filter((name) => !read.has(name)));
  graph.initializers = graph.initializers.filter((t) => !orphans.has(t.name));
  return matches.length;
}
