import { expectBoolean, expectInstance, expectObject, expectOneOf, expectOptions, expectString } from '../../arguments.js';
import { METADATA_KEYS } from '../../models/metadata-keys.js';
import { encodeModel, TensorDataType, type Dim, type ModelProto } from '../../onnx/index.js';
import { convertError } from '../convert-error.js';
import { TfliteGraph, TO_NCHW, type DynamicValue } from './tflite-graph.js';
import { readTfliteModel, TFLITE_LABEL, TFLITE_TYPE_NAMES, TfliteType, type TfliteSubgraph, type TfliteTensor } from './tflite-model.js';
import { TFLITE_CONVERTER_VERSION } from './tflite-file.js';
import { tfliteOperatorName } from './tflite-operators.js';
import { pinsSpatialSize, TRANSLATORS } from './translators.js';

export { isTfliteBytes, TFLITE_CONVERTER_VERSION } from './tflite-file.js';

/** How activations that a file quantizes (int8/uint8) are computed in the converted model. */
export type QuantizedActivations = 'simulate' | 'float';

export const QUANTIZED_ACTIVATIONS: readonly QuantizedActivations[] = ['simulate', 'float'];

/** Options of {@link convertTflite} and {@link importTflite}. */
export interface TfliteConvertOptions {
  /** Names the file in messages, e.g. `style_predict.tflite`. @default 'the .tflite model' */
  file?: string;
  /**
   * `'simulate'` rounds each int8/uint8 activation to its grid after the operator that makes it (QuantizeLinear →
   * DequantizeLinear), which reproduces a full-integer file's results (the int8 networks' goldens need it);
   * `'float'` keeps them in float32: a little faster, and nearer the float network the file was quantized from.
   * Files with float activations (fp16 weights, dynamic-range int8 weights) convert the same either way.
   * @default 'simulate'
   */
  quantizedActivations?: QuantizedActivations;
  /** Keep the file's input height and width instead of leaving them free. @default false */
  fixedSize?: boolean;
  /** Extra metadata_props written after the converter's own (`pastiche.name`, `pastiche.kind`, …). @default {} */
  metadata?: Record<string, string>;
}

interface ResolvedOptions {
  file: string;
  simulate: boolean;
  fixedSize: boolean;
  metadata: Record<string, string>;
}

function resolveOptions(options: unknown): ResolvedOptions {
  const o = expectOptions<TfliteConvertOptions>('options', options);
  const metadata = o.metadata === undefined ? {} : expectObject('options.metadata', o.metadata, 'an object of strings');
  for (const [key, value] of Object.entries(metadata)) expectString(`options.metadata['${key}']`, value, 'a string');
  return {
    file: o.file === undefined ? TFLITE_LABEL : expectString('options.file', o.file),
    simulate: (o.quantizedActivations === undefined ? 'simulate' : expectOneOf('options.quantizedActivations', o.quantizedActivations, QUANTIZED_ACTIVATIONS)) === 'simulate',
    fixedSize: o.fixedSize === undefined ? false : expectBoolean('options.fixedSize', o.fixedSize),
    metadata: metadata as Record<string, string>,
  };
}

/** Dimensions of a tensor as the file gives them, −1 (free) as null. */
function fileDims(t: TfliteTensor): Dim[] {
  return (t.shapeSignature ?? t.shape).map((d) => (d < 0 ? null : d));
}

const isImage = (t: TfliteTensor) => t.type === TfliteType.FLOAT32 && (t.shapeSignature ?? t.shape).length === 4;

/**
 * Declares the graph inputs: 4-D float inputs NCHW, with free height and width where they are feature maps (the
 * style vector `[1,1,1,100]` stays fixed); other float inputs as they are.
 */
function declareInputs(ctx: TfliteGraph, sg: TfliteSubgraph, free: boolean): Map<number, { height: Dim; width: Dim }> {
  const spatialInputs = sg.inputs.filter((i) => isImage(sg.tensors[i]) && fileDims(sg.tensors[i]).slice(1, 3).some((d) => d !== 1));
  const sizes = new Map<number, { height: Dim; width: Dim }>();
  for (const index of sg.inputs) {
    const t = ctx.tensor(index);
    if (t.type !== TfliteType.FLOAT32) throw ctx.fail(`graph input '${t.name}' is ${TFLITE_TYPE_NAMES[t.type] ?? t.type}; only float32 inputs are converted`);
    const dims = fileDims(t);
    if (!isImage(t)) {
      ctx.defineInput(t, { kind: 'dynamic', name: ctx.g.input(t.name, TensorDataType.FLOAT, dims), layout: 'plain', rank: dims.length, integer: false });
      continue;
    }
    let [n, h, w, c] = dims;
    if (free && spatialInputs.includes(index)) {
      const suffix = spatialInputs.length > 1 ? `_${spatialInputs.indexOf(index)}` : '';
      [h, w] = [`height${suffix}`, `width${suffix}`];
      sizes.set(index, { height: h, width: w });
    }
    ctx.defineInput(t, { kind: 'dynamic', name: ctx.g.input(t.name, TensorDataType.FLOAT, [n, c, h, w]), layout: 'nchw', rank: 4, integer: false });
  }
  return sizes;
}

/** An output's declared dims: the file's, in NCHW for NCHW outputs, with free sizes named like the input's when equal. */
function outputDims(t: TfliteTensor, v: DynamicValue, sg: TfliteSubgraph, inputSizes: Map<number, { height: Dim; width: Dim }>): Dim[] | undefined {
  const dims = fileDims(t);
  if (dims.length === 0) return v.rank === undefined ? undefined : new Array<Dim>(v.rank).fill(null);
  if (v.layout !== 'nchw' || dims.length !== 4) return dims;
  let [n, c, h, w] = TO_NCHW.map((p) => dims[p]);
  if (inputSizes.size > 0 && (h !== 1 || w !== 1)) {
    const match = [...inputSizes.keys()].find((i) => {
      const d = fileDims(sg.tensors[i]);
      return d[1] === h && d[2] === w;
    });
    [h, w] = match === undefined ? [null, null] : [inputSizes.get(match)?.height ?? null, inputSizes.get(match)?.width ?? null];
  }
  return [n, c, h, w];
}

/**
 * Converts a TensorFlow Lite model (schema v3) to an ONNX ModelProto (opset 17). NHWC becomes NCHW: 4-D float
 * inputs and outputs are NCHW (`pastiche.input.layout`, `pastiche.output.layout`), the original input and output
 * names are kept as the ONNX names and listed in `pastiche.source.inputs` / `.outputs`. Weights (float32, fp16, int8
 * per tensor or per channel, int32 biases) are dequantised to float32. Height and width stay free unless an operator
 * needs the file's sizes (or `fixedSize`). Deterministic: the same bytes and options give the same model.
 *
 * Operators: CONV_2D, DEPTHWISE_CONV_2D, ADD, SUB, MUL, SQUARED_DIFFERENCE, RSQRT, MEAN, PAD, MIRROR_PAD (REFLECT),
 * RESIZE_NEAREST_NEIGHBOR, LOGISTIC, RELU, RELU6, RELU_N1_TO_1 (and the fused activations), RESHAPE, CONCATENATION,
 * SHAPE, STRIDED_SLICE, PACK, QUANTIZE, DEQUANTIZE.
 * @throws TypeError / RangeError for wrong arguments; PasticheError `E_CONVERT` naming the file when it is not a
 *   TFLite model or is truncated, and naming the operator and its index when an operator is not supported.
 */
export function importTflite(bytes: Uint8Array, options?: TfliteConvertOptions): ModelProto {
  expectInstance('bytes', bytes, Uint8Array);
  const o = resolveOptions(options);
  const model = readTfliteModel(bytes, o.file);
  const sg = model.subgraphs[0];
  for (const op of sg.operators) {
    if (!TRANSLATORS.has(op.code)) {
      throw convertError(o.file, `operator ${op.index} (${tfliteOperatorName(op.code, op.customCode)}) is not supported; the converter translates ${[...TRANSLATORS.keys()].map((c) => tfliteOperatorName(c)).join(', ')}`);
    }
  }
  const sparse = sg.tensors.find((t) => t.sparse);
  if (sparse) throw convertError(o.file, `tensor ${sparse.index} '${sparse.name}' is sparse, which the converter does not read`);
  const free = !o.fixedSize && !sg.operators.some((op) => pinsSpatialSize(op, sg));

  const ctx = new TfliteGraph(sg, { file: o.file, simulateQuantization: o.simulate }, sg.name || 'tflite');
  const inputSizes = declareInputs(ctx, sg, free);
  for (const op of sg.operators) {
    ctx.op = op;
    (TRANSLATORS.get(op.code) as (c: TfliteGraph) => void)(ctx);
  }
  ctx.op = undefined;
  const layouts: string[] = [];
  for (const index of sg.outputs) {
    const t = ctx.tensor(index);
    const v = ctx.finishOutput(index);
    if (v.rank === 4 && !v.integer) layouts.push(v.layout === 'nchw' ? 'NCHW' : 'NHWC');
    ctx.g.output(v.name, v.integer ? TensorDataType.INT64 : TensorDataType.FLOAT, outputDims(t, v, sg, inputSizes) as Dim[]);
  }

  const k = METADATA_KEYS;
  const names = (list: number[]) => JSON.stringify(list.map((i) => sg.tensors[i].name));
  const metadata: Record<string, string> = {
    [k.sourceFormat]: 'tflite',
    [k.sourceLayout]: 'NHWC',
    [k.sourceInputs]: names(sg.inputs),
    [k.sourceOutputs]: names(sg.outputs),
  };
  if (sg.inputs.some((i) => isImage(sg.tensors[i]))) metadata[k.inputLayout] = 'NCHW';
  if (layouts.length) metadata[k.outputLayout] = layouts.every((l) => l === 'NCHW') ? 'NCHW' : 'NHWC';
  return ctx.g.toModel({
    metadata: { ...metadata, ...o.metadata },
    producerVersion: TFLITE_CONVERTER_VERSION,
    docString: `Converted from TensorFlow Lite${model.description ? ` (${model.description})` : ''} by Pastiche's ${TFLITE_CONVERTER_VERSION} converter`,
  });
}

/** {@link importTflite}, encoded: TFLite bytes → ONNX bytes. */
export function convertTflite(bytes: Uint8Array, options?: TfliteConvertOptions): Uint8Array {
  return encodeModel(importTflite(bytes, options));
}
