import type { TfliteGraph } from './tflite-graph.js';
import type { TfliteOperator, TfliteSubgraph } from './tflite-model.js';
import { TfliteOp } from './tflite-operators.js';
import { FusedActivation, standaloneActivation, translateLogistic } from './translate-activation.js';
import { binary, translateMean, translateRsqrt, translateSquaredDifference } from './translate-arithmetic.js';
import { translateConv2d, translateDepthwiseConv2d } from './translate-convolution.js';
import { translateDequantize, translateQuantize } from './translate-quantization.js';
import { translateConcatenation, translatePack, translateReshape, translateShape, translateStridedSlice } from './translate-shape.js';
import { translateMirrorPad, translatePad, translateResizeNearest } from './translate-spatial.js';

/** One operator's translation into the ONNX graph. */
export type Translator = (ctx: TfliteGraph) => void;

/** The operators the converter translates, by BuiltinOperator code. */
export const TRANSLATORS: ReadonlyMap<number, Translator> = new Map<number, Translator>([
  [TfliteOp.CONV_2D, translateConv2d],
  [TfliteOp.DEPTHWISE_CONV_2D, translateDepthwiseConv2d],
  [TfliteOp.ADD, binary('Add')],
  [TfliteOp.SUB, binary('Sub')],
  [TfliteOp.MUL, binary('Mul')],
  [TfliteOp.SQUARED_DIFFERENCE, translateSquaredDifference],
  [TfliteOp.RSQRT, translateRsqrt],
  [TfliteOp.MEAN, translateMean],
  [TfliteOp.PAD, translatePad],
  [TfliteOp.MIRROR_PAD, translateMirrorPad],
  [TfliteOp.RESIZE_NEAREST_NEIGHBOR, translateResizeNearest],
  [TfliteOp.LOGISTIC, translateLogistic],
  [TfliteOp.RELU, standaloneActivation(FusedActivation.RELU)],
  [TfliteOp.RELU6, standaloneActivation(FusedActivation.RELU6)],
  [TfliteOp.RELU_N1_TO_1, standaloneActivation(FusedActivation.RELU_N1_TO_1)],
  [TfliteOp.RESHAPE, translateReshape],
  [TfliteOp.CONCATENATION, translateConcatenation],
  [TfliteOp.SHAPE, translateShape],
  [TfliteOp.STRIDED_SLICE, translateStridedSlice],
  [TfliteOp.PACK, translatePack],
  [TfliteOp.QUANTIZE, translateQuantize],
  [TfliteOp.DEQUANTIZE, translateDequantize],
]);

/** Whether a tensor shape is 4-D with a height or width other than 1 (a feature map, not a vector). */
function spatial(shape: readonly number[]): boolean {
  return shape.length === 4 && (shape[1] !== 1 || shape[2] !== 1);
}

/**
 * Whether translating this operator fixes the height and width the network runs at: a RESHAPE or STRIDED_SLICE of
 * a feature map uses the file's sizes, as does a constant-size resize whose input size the file does not record.
 */
export function pinsSpatialSize(op: TfliteOperator, subgraph: TfliteSubgraph): boolean {
  const shape = (i: number | undefined) => (i !== undefined && i >= 0 ? (subgraph.tensors[i]?.shape ?? []) : []);
  switch (op.code) {
    case TfliteOp.RESHAPE:
      return spatial(shape(op.inputs[0])) || spatial(shape(op.outputs[0]));
    case TfliteOp.STRIDED_SLICE:
      return spatial(shape(op.inputs[0]));
    case TfliteOp.RESIZE_NEAREST_NEIGHBOR: {
      const input = shape(op.inputs[0]);
      const size = subgraph.tensors[op.inputs[1]];
      return size?.data !== undefined && !(input.length === 4 && input[1] > 0 && input[2] > 0);
    }
    default:
      return false;
  }
}
