import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { encodeModel } from '../../packages/core/src/onnx/index.js';
import { asset, contentImage } from '../helpers/assets.js';
import { loadPlanar, maxAbsDiff } from '../helpers/images.js';
import { importStyle } from './catalog-assets.js';

/**
 * Goldens are raw float32 CHW [3, 300, 448] outputs on chelsea_448x300.png, on the 0..255 scale. The limits
 * are the README's ("Built-in styles"): float32 noise between PyTorch and onnxruntime, measured on the 2-core
 * x86-64 dev machine at 0.00156 (candy), 0.00040 (udnie) and 0.0145 (ml5-wave).
 */
const MAX_ABS_ERROR: Record<string, number> = { candy: 0.002, udnie: 0.002, 'ml5-wave': 0.02 };

const clamp255 = (data: Float32Array) => data.map((v) => Math.min(255, Math.max(0, v)));

async function stylizeChelsea(style: string): Promise<Float32Array> {
  const image = await loadPlanar(contentImage('chelsea_448x300.png'));
  const session = await ort.InferenceSession.create(encodeModel(importStyle(style)));
  try {
    const input = new ort.Tensor('float32', image.data, [1, 3, image.height, image.width]);
    const { output } = await session.run({ input });
    expect(output.dims).toEqual([1, 3, 300, 448]);
    return output.data as Float32Array;
  } finally {
    await session.release();
  }
}

function golden(name: string): Float32Array {
  const bytes = readFileSync(asset(`golden/${name}__chelsea_448x300.chw.f32`));
  return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
}

describe('importers reproduce the goldens through onnxruntime-node', () => {
  for (const style of ['candy', 'udnie']) {
    it(`${style} (ncnn TransformerNet), unclamped and clamped`, async () => {
      const got = await stylizeChelsea(style);
      const want = golden(style);
      const outliers = want.filter((v) => v < 0 || v > 255).length;
      const unclamped = maxAbsDiff(got, want);
      const clamped = maxAbsDiff(clamp255(got), clamp255(want));
      console.log(`${style}: max abs error ${unclamped.toFixed(5)} unclamped, ${clamped.toFixed(5)} clamped (${outliers} golden values outside 0..255)`);
      expect(clamped).toBeLessThan(MAX_ABS_ERROR[style]);
      expect(unclamped).toBeLessThan(MAX_ABS_ERROR[style]);
    });
  }

  it('ml5-wave (deeplearn.js checkpoint), output clamped like the golden', async () => {
    const got = await stylizeChelsea('ml5-wave');
    const want = golden('ml5-wave');
    const error = maxAbsDiff(got, want);
    console.log(`ml5-wave: max abs error ${error.toFixed(5)}`);
    expect(got.every((v) => v >= 0 && v <= 255)).toBe(true);
    expect(error).toBeLessThan(MAX_ABS_ERROR['ml5-wave']);
  });
});
