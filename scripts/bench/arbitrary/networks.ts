/**
 * Magenta's arbitrary-style networks as `npm run bench:arbitrary` times them: the original TFLite files (LiteRT.js
 * runs those) and the ONNX files core's TFLite converter made of them (`npm run models`, models/onnx).
 */
export type NetworkId = 'predictor' | 'transfer-f16' | 'transfer-int8';

export interface NetworkSpec {
  id: NetworkId;
  title: string;
  role: 'predictor' | 'transfer';
  /** Under models/onnx. */
  onnx: string;
  /** Under ../shared/assets/weights/arbitrary/magenta-tflite. */
  tflite: string;
  /** The TFLite file's fixed input side: LiteRT.js runs it at that size only. */
  tfliteSize: number;
}

export const NETWORKS: readonly NetworkSpec[] = [
  { id: 'predictor', title: 'style predictor (MobileNetV2, int8)', role: 'predictor', onnx: 'magenta-predictor.onnx', tflite: 'style_predict_quantized_256.tflite', tfliteSize: 256 },
  { id: 'transfer-f16', title: 'transfer network, fp16 weights', role: 'transfer', onnx: 'magenta-transfer-f16.onnx', tflite: 'style_transfer_f16_384.tflite', tfliteSize: 384 },
  { id: 'transfer-int8', title: 'transfer network, int8', role: 'transfer', onnx: 'magenta-transfer-int8.onnx', tflite: 'style_transfer_quantized_384.tflite', tfliteSize: 384 },
];

/** Length of the style vector, the transfer networks' second input. */
export const STYLE_LENGTH = 100;
