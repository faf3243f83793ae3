export { decodeModel, encodeModel } from './onnx-codec.js';
export { float16BitsToNumber, readFloat16 } from './float16.js';
export { elementCount, float32Tensor, int64Tensor, readFloat32, tensorToFloat32 } from './onnx-tensors.js';
export {
  attr,
  DEFAULT_IR_VERSION,
  DEFAULT_OPSET,
  GraphBuilder,
  type AttributeValue,
  type ToModelOptions,
  type TypedAttribute,
} from './graph-builder.js';
export * from './onnx-types.js';
