import { readFileSync } from 'node:fs';
import type * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tensorToFloat32, type ModelProto } from '../../packages/core/src/onnx/index.js';
import { SQUEEZENET_LAYERS } from '../../packages/core/src/converters/squeezenet-ncnn.js';
import { asset, contentImage } from '../helpers/assets.js';
import { decodeRgb, imageTensor, importSqueezeNet, mean, planar, relativeError, session, topK } from './loss-assets.js';
import { pilBicubicResize } from './pil-bicubic.js';

/**
 * squeezenet1.1.onnx against ../shared/assets/golden/squeezenet1.1_classify.json (PyTorch on the same
 * fp16 weights, inputs resized to 227×227 with PIL bicubic).

 * conv10 is imported unpadded, as torchvision and the golden run it (see squeezenet-ncnn.ts).
 */

interface GoldenImage {
  top5_index: number[];
  top5_label: string[];
  top5_prob: number[];
  feature_means: Record<string, number>;
  feature_shapes: Record<string, number[]>;
}
const golden = JSON.parse(readFileSync(asset('golden/squeezenet1.1_classify.json'), 'utf8')) as { results: Record<string, GoldenImage> };
const labels = readFileSync(asset('weights/loss/squeezenet1.1-ncnn/imagenet_synset_words.txt'), 'utf8').split('\n');

/** Layer means from a PIL-exact resize land within float32 summation noise of the golden (seen: ≤ 1.6e-7). */
const MEAN_TOLERANCE = 1e-6;
/** The golden's probabilities have 4 decimals: half the last one, plus float noise (seen: ≤ 4.7e-5). */
const PROB_TOLERANCE = 5e-5 + 1e-6;

let model: ModelProto;
let net: ort.InferenceSession;
beforeAll(async () => {
  model = importSqueezeNet();
  net = await session(model);
});
afterAll(() => net?.release());

const SIZE = 227;

async function classify(rgb: Uint8Array) {
  return net.run({ image: imageTensor(planar(rgb, SIZE, SIZE), SIZE, SIZE) });
}

async function pilResized(name: string): Promise<Uint8Array> {
  const image = await decodeRgb(contentImage(`${name}.png`));
  return pilBicubicResize(image.data, image.width, image.height, SIZE, SIZE);
}

function softmax(logits: Float64Array): Float64Array {
  const max = Math.max(...logits);
  const exp = logits.map((v) => Math.exp(v - max));
  const sum = exp.reduce((s, v) => s + v, 0);
  return exp.map((v) => v / sum);
}

describe('squeezenet1.1 (ncnn import) against the golden, PIL-bicubic 227×227 inputs', () => {
  for (const name of ['chelsea', 'coffee', 'astronaut']) {
    it(`${name}: layer shapes and means, top-5 classes, and the golden probabilities`, async () => {
      const want = golden.results[name];
      const out = await classify(await pilResized(name));

      let worst = 0;
      for (const layer of SQUEEZENET_LAYERS.layers) {
        expect(out[layer].dims, layer).toEqual(want.feature_shapes[layer]);
        const error = relativeError(mean(out[layer].data as Float32Array), want.feature_means[layer]);
        worst = Math.max(worst, error);
        expect(error, `${layer} mean`).toBeLessThan(MEAN_TOLERANCE);
      }

      const prob = out.prob.data as Float32Array;
      expect(out.prob.dims).toEqual([1, 1000]);
      const top5 = topK(prob, 5);
      expect(top5).toEqual(want.top5_index);
      expect(top5.map((i) => labels[i].slice(10))).toEqual(want.top5_label);

      const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => Math.max(...Array.from(a, (v, i) => Math.abs(v - b[i])));
      expect(maxDiff(top5.map((i) => prob[i]), want.top5_prob)).toBeLessThan(PROB_TOLERANCE);

      console.log(
        `${name}: layer means max relative error ${worst.toExponential(1)}; top-1 ${labels[top5[0]].slice(10)} ` +
          `${prob[top5[0]].toFixed(4)} vs golden ${want.top5_prob[0]}`,
      );
    });
  }

  it('chelsea is an Egyptian cat and coffee an espresso', async () => {
    const cat = (await classify(await pilResized('chelsea'))).prob.data as Float32Array;
    const coffee = (await classify(await pilResized('coffee'))).prob.data as Float32Array;
    expect(labels[topK(cat, 1)[0]]).toMatch(/Egyptian cat/);
    expect(labels[topK(coffee, 1)[0]]).toMatch(/espresso/);
    expect(coffee[967]).toBeGreaterThan(0.97);
  });
});

describe('squeezenet1.1 on images resized by sharp (cubic) instead of PIL', () => {
  /** sharp's cubic differs from PIL's by a few levels: layer means move by up to 3e-3 (seen). */
  const SHARP_MEAN_TOLERANCE = 5e-3;

  for (const name of ['chelsea', 'coffee', 'astronaut']) {
    it(`${name}: same top-3 classes, top-1 probability within 0.01, layer means within ${SHARP_MEAN_TOLERANCE}`, async () => {
      const exact = await classify(await pilResized(name));
      const image = await decodeRgb(contentImage(`${name}.png`), { width: SIZE, height: SIZE, fit: 'fill', kernel: 'cubic' });
      const out = await classify(image.data);
      const prob = out.prob.data as Float32Array;
      const exactProb = exact.prob.data as Float32Array;
      expect(topK(prob, 3)).toEqual(golden.results[name].top5_index.slice(0, 3));
      const top1 = golden.results[name].top5_index[0];
      expect(Math.abs(prob[top1] - exactProb[top1])).toBeLessThan(0.01);
      for (const layer of SQUEEZENET_LAYERS.layers) {
        expect(relativeError(mean(out[layer].data as Float32Array), golden.results[name].feature_means[layer]), layer).toBeLessThan(SHARP_MEAN_TOLERANCE);
      }
    });
  }
});
