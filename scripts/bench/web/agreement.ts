import * as ort from 'onnxruntime-node';
import { seededPixels } from './page/seeded-input.js';

/** How far one output is from the reference, on the 0..255 scale. */
export interface Agreement {
  label: string;
  maxAbs: number;
  meanAbs: number;
}

/** onnxruntime-node (CPU, the model as it is) on the seeded input: the reference the browser peers are held to. */
export async function referenceOutput(modelPath: string, size: number, seed: number): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(modelPath, { executionProviders: ['cpu'] });
  try {
    const feeds = { [session.inputNames[0]!]: new ort.Tensor('float32', seededPixels(size, seed, 'planar'), [1, 3, size, size]) };
    return (await session.run(feeds))[session.outputNames[0]!]!.data as Float32Array;
  } finally {
    await session.release();
  }
}

export function compare(label: string, output: Float32Array, reference: Float32Array): Agreement {
  if (output.length !== reference.length) throw new Error(`${label}: ${output.length} output values, expected ${reference.length}`);
  let max = 0;
  let sum = 0;
  for (let i = 0; i < output.length; i++) {
    const d = Math.abs(output[i]! - reference[i]!);
    max = Math.max(max, d);
    sum += d;
  }
  return { label, maxAbs: max, meanAbs: sum / output.length };
}

/** A page's `bench.output()` (base64 float32) as numbers. */
export function fromBase64(base64: string): Float32Array {
  const bytes = Uint8Array.from(Buffer.from(base64, 'base64'));
  return new Float32Array(bytes.buffer);
}
