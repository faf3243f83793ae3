import type { InferenceSession, Tensor } from 'onnxruntime-common';

/**
 * What an adapter injects so that core can run ONNX models without importing a runtime.
 * onnxruntime-node and onnxruntime-web both satisfy it with a few lines.
 */
export interface OrtRuntime {
  /** Shown in messages and results, e.g. `onnxruntime-node`. */
  readonly name: string;
  createSession(model: Uint8Array, options?: InferenceSession.SessionOptions): Promise<InferenceSession>;
  createTensor(data: Float32Array, dims: readonly number[]): Tensor;
}
