import { attr, float32Tensor } from '../../onnx/index.js';
import { transposeData, type ConstantValue, type Quantization, type TfliteGraph } from './tflite-graph.js';
import { TfliteType } from './tflite-model.js';
import { activationBounds, convolutionScale, requantize } from './tflite-quantized.js';
import { emitWithActivation } from './translate-activation.js';

/** CONV_2D and DEPTHWISE_CONV_2D as ONNX Conv on NCHW, with the filters transposed here. */

const Padding = { SAME: 0, VALID: 1 } as const;

interface ConvOptions {
  padding: number;
  strideW: number;
  strideH: number;
  dilationW: number;
  dilationH: number;
  fused: number;
  depthMultiplier: number;
}

/** Conv2DOptions and DepthwiseConv2DOptions share their fields but DepthwiseConv2DOptions has depth_multiplier at 3. */
function readOptions(ctx: TfliteGraph, depthwise: boolean): ConvOptions {
  const o = ctx.op?.options;
  const shift = depthwise ? 1 : 0;
  return {
    padding: o?.int8(0) ?? Padding.SAME,
    strideW: o?.int32(1, 1) || 1,
    strideH: o?.int32(2, 1) || 1,
    depthMultiplier: depthwise ? (o?.int32(3) ?? 0) : 1,
    fused: o?.int8(3 + shift) ?? 0,
    dilationW: o?.int32(4 + shift, 1) || 1,
    dilationH: o?.int32(5 + shift, 1) || 1,
  };
}

function convAttributes(ctx: TfliteGraph, o: ConvOptions, kh: number, kw: number, group: number) {
  if (o.padding !== Padding.SAME && o.padding !== Padding.VALID) throw ctx.fail(`padding ${o.padding} is neither SAME nor VALID`);
  return {
    kernel_shape: attr.ints([kh, kw]),
    strides: attr.ints([o.strideH, o.strideW]),
    dilations: attr.ints([o.dilationH, o.dilationW]),
    group: attr.int(group),
    // SAME_UPPER puts the odd pixel at the bottom and right, as TensorFlow's SAME does; it follows the input's size.
    ...(o.padding === Padding.SAME ? { auto_pad: 'SAME_UPPER' } : { pads: attr.ints([0, 0, 0, 0]) }),
  };
}

/** Input channels of the activation when the file records them. */
function inputChannels(ctx: TfliteGraph): number | undefined {
  const shape = ctx.inputTensor(0).shapeSignature ?? ctx.inputTensor(0).shape;
  return shape.length === 4 && shape[3] > 0 ? shape[3] : undefined;
}

/** The filter and bias in the layout ONNX wants, and how the output is made. */
interface Convolution {
  filter: ConstantValue;
  /** ONNX filter dims and the permutation of the file's filter that gives them. */
  dims: number[];
  perm: number[];
  group: number;
  options: ConvOptions;
  kh: number;
  kw: number;
}

/**
 * The quantizations of a convolution that runs on integers in the file (int8 input, filter and output), when they
 * are simulated.
 */
function integerConvolution(ctx: TfliteGraph, c: Convolution): { input: Quantization; output: Quantization } | undefined {
  const input = ctx.activationQuantization(ctx.inputTensor(0));
  const output = ctx.activationQuantization(ctx.outputTensor(0));
  const f = c.filter.tensor;
  if (!input || !output || c.filter.floats || f.type !== TfliteType.INT8 || !f.quantization) return undefined;
  return { input, output };
}

function emitConvolution(ctx: TfliteGraph, c: Convolution): void {
  const out = c.dims[0];
  const w = c.filter;
  const attrs = convAttributes(ctx, c.options, c.kh, c.kw, c.group);
  const hasBias = ctx.hasInput(2);
  const b = hasBias ? ctx.constantInput(2, 'the bias') : undefined;
  if (b && b.tensor.shape.reduce((n, d) => n * d, 1) !== out) throw ctx.fail(`has ${b.tensor.shape.join('×')} biases for ${out} output channels`);
  const integer = integerConvolution(ctx, c);
  if (!integer) {
    const weight = ctx.sharedInitializer(`${w.tensor.index}:${c.perm.join('')}`, () =>
      float32Tensor(ctx.fresh(`${w.tensor.name}/oihw`), c.dims, transposeData(ctx.floats(w), w.tensor.shape, c.perm)),
    );
    emitWithActivation(ctx, 'Conv', [ctx.nchw(ctx.input(0)), weight, ...(b ? [ctx.plain(b)] : [])], attrs, c.options.fused, 'nchw', 4);
    return;
  }
  // Integers in, integers out: the filter's integers (less its zero point), the bias's int32 as it is.
  const q = w.tensor.quantization!;
  const x = ctx.nchw(ctx.quantized(ctx.input(0), integer.input), true);
  const weight = ctx.sharedInitializer(`${w.tensor.index}:${c.perm.join('')}:integers`, () =>
    float32Tensor(ctx.fresh(`${w.tensor.name}/oihw_integers`), c.dims, transposeData(ctx.centered(w), w.tensor.shape, c.perm)),
  );
  const bias = b
    ? [ctx.sharedInitializer(`${b.tensor.index}:integers`, () => float32Tensor(ctx.fresh(`${b.tensor.name}/integers`), [out], ctx.integers(b)))]
    : [];
  const name = ctx.outputTensor(0).name;
  // Round is the identity on the integer sums; it keeps onnxruntime from folding the scale below into the filter
  // (ConvMulFusion), which would scale each product instead of the exact sum.
  const acc = ctx.node('Round', [ctx.node('Conv', [x, weight, ...bias], `${name}/accumulator`, attrs)], `${name}/integer_sum`);
  const scales = Array.from({ length: out }, (_, i) => convolutionScale(integer.input.scale, q.scale.length > 1 ? q.scale[i] : q.scale[0], integer.output.scale));
  const scale = ctx.floatInitializer(`${name}/requantization_scale`, [1, out, 1, 1], scales);
  const y = requantize(ctx, acc, scale, activationBounds(ctx, c.options.fused, integer.output), ctx.outName(0, true));
  ctx.define(0, y, 'nchw', 4, false, integer.output);
}

export function translateConv2d(ctx: TfliteGraph): void {
  const options = readOptions(ctx, false);
  const filter = ctx.constantInput(1, 'the filter');
  const shape = filter.tensor.shape;
  if (shape.length !== 4) throw ctx.fail(`Expected a filter of shape [out, height, width, in] but found [${shape.join(', ')}]`);
  const [out, kh, kw, perGroup] = shape;
  const channels = inputChannels(ctx) ?? perGroup;
  if (channels % perGroup !== 0) throw ctx.fail(`${channels} input channels are not a multiple of the filter's ${perGroup}`);
  // OHWI → OIHW.
  emitConvolution(ctx, { filter, dims: [out, perGroup, kh, kw], perm: [0, 3, 1, 2], group: channels / perGroup, options, kh, kw });
}

export function translateDepthwiseConv2d(ctx: TfliteGraph): void {
  const options = readOptions(ctx, true);
  const filter = ctx.constantInput(1, 'the filter');
  const shape = filter.tensor.shape;
  if (shape.length !== 4 || shape[0] !== 1) throw ctx.fail(`Expected a depthwise filter of shape [1, height, width, channels] but found [${shape.join(', ')}]`);
  const [, kh, kw, out] = shape;
  const channels = inputChannels(ctx) ?? (options.depthMultiplier > 0 ? out / options.depthMultiplier : undefined);
  if (channels === undefined || !Number.isInteger(channels) || out % channels !== 0) {
    throw ctx.fail(`cannot tell the input channels of a depthwise filter with ${out} outputs (depth multiplier ${options.depthMultiplier})`);
  }
  // [1, H, W, C·M] → [C·M, 1, H, W]: output channel c·M + m reads input channel c in both.
  emitConvolution(ctx, { filter, dims: [out, 1, kh, kw], perm: [3, 0, 1, 2], group: channels, options, kh, kw });
}
