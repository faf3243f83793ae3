import * as ort from 'onnxruntime-node';
import type { OrtRuntime } from '@pastiche/core';

/** onnxruntime-node behind core's runtime seam. */
export const nodeRuntime: OrtRuntime = Object.freeze({
  name: 'onnxruntime-node',
  createSession: (model: Uint8Array, options?: ort.InferenceSession.SessionOptions) => ort.InferenceSession.create(model, options),
  createTensor: (data: Float32Array, dims: readonly number[]) => new ort.Tensor('float32', data, dims),
});
