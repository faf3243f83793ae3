import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { asset, contentImage } from '../helpers/assets.js';
import { decodeRgb, imageTensor, importVgg19Partial, planar, relativeError, session } from './loss-assets.js';

/**
 * vgg19-partial.onnx against ../shared/assets/golden/vgg19_partial_features.json (PyTorch on the same
 * float32 weights, chelsea_448x300.png at full size, Gram G = F Fᵀ / (H·W)).
 */

interface GoldenFeature {
  shape: number[];
  mean: number;
  std: number;
  gram_trace_over_hw: number;
  gram_00: number;
}
const golden = JSON.parse(readFileSync(asset('golden/vgg19_partial_features.json'), 'utf8')) as { features: Record<string, GoldenFeature> };

/** Same weights, float32 both sides: only summation order differs (seen: ≤ 2.8e-7, relative). */
const TOLERANCE = 1e-6;

describe('vgg19-partial (TF.js import) against the golden on chelsea_448x300', () => {
  it('relu1_1 … relu3_4: shapes, mean, std, Gram trace / HW and G[0][0]', async () => {
    const image = await decodeRgb(contentImage('chelsea_448x300.png'));
    const net = await session(importVgg19Partial());
    try {
      const out = await net.run({ image: imageTensor(planar(image.data, image.width, image.height), image.width, image.height) });
      expect(Object.keys(out)).toEqual(Object.keys(golden.features));
      let worst = 0;
      for (const [layer, want] of Object.entries(golden.features)) {
        const t = out[layer];
        expect(t.dims, layer).toEqual(want.shape);
        const data = t.data as Float32Array;
        const hw = t.dims[2] * t.dims[3];
        let sum = 0;
        let squares = 0;
        let channel0 = 0;
        for (let i = 0; i < data.length; i++) {
          sum += data[i];
          squares += data[i] * data[i];
          if (i < hw) channel0 += data[i] * data[i];
        }
        const mean = sum / data.length;
        const got = {
          mean,
          std: Math.sqrt(squares / data.length - mean * mean),
          gram_trace_over_hw: squares / hw,
          gram_00: channel0 / hw,
        };
        for (const [stat, value] of Object.entries(got)) {
          const error = relativeError(value, want[stat as keyof typeof got]);
          worst = Math.max(worst, error);
          expect(error, `${layer} ${stat}`).toBeLessThan(TOLERANCE);
        }
      }
      console.log(`vgg19-partial: max relative error ${worst.toExponential(1)} over ${Object.keys(golden.features).length} layers`);
    } finally {
      await net.release();
    }
  });
});
