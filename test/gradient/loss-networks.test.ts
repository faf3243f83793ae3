import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { decodeModel, METADATA_KEYS, type ModelProto } from '@pastiche/core';
import { buildLossGraphs, LOSS_GRAPH_NAMES as N, type LossSpec } from '../../packages/core/src/gradient/index.js';
import { builtModel } from '../helpers/assets.js';
import { createSession, imageTensor, referenceGram, referenceTv } from './helpers/gradient-check.js';
import { Random } from './helpers/random.js';
import { referenceForward, type Tensor64 } from './helpers/reference-forward.js';

/*
 * The full loss+gradient graphs of the real loss networks (built by `npm run models`; a missing file is an
 * error that says to run it, never a skip) against central finite differences along random directions.
 *
 * In float32, deep ReLU networks leave central differences only ~1e-2 precise (rounding noise at small steps,
 * ReLU/max kinks at large ones), too coarse to tell a right gradient from a slightly wrong one. So the
 * differences are taken on a float64 forward pass (helpers/reference-forward.ts), first checked against
 * onnxruntime's own forward (features within 1e-5 · max|F|), with a step of 1e-6 on the 0..255 image (small
 * enough that the direction crosses no kink; float64 keeps the difference exact to ~1e-9).
 *
 * Tolerance: for every term alone (one-hot weights) and every direction, |g·v − FD| < 1e-3 · |FD|.
 * Measured: 5e-7 … 4e-5 (the graph computes in float32). PyTorch float64 autograd, run once on the same
 * kind of inputs, agreed with the graph to ~1e-6 relative (max |Δg| / max |g|).
 */

// The float64 forward runs in plain JS (~3 s for VGG at 48×40 here): fewer directions for VGG.
const NETWORKS = [
  { file: 'squeezenet1.1.onnx', height: 64, width: 64, directions: 3 },
  { file: 'vgg19-partial.onnx', height: 48, width: 40, directions: 2 },
] as const;
const STEP = 1e-6;
const TOLERANCE = { forward: 1e-5, directional: 1e-3 };

/** The network's default content and style layers, plus its deepest layer as a content layer. */
function defaultSpec(model: ModelProto): LossSpec {
  const list = (key: string) => (model.metadataProps[key] ?? '').split(',').filter(Boolean);
  const layers = list(METADATA_KEYS.layers);
  const content = [...new Set([...list(METADATA_KEYS.defaultContentLayers), layers[layers.length - 1]])];
  return { content: content.map((layer) => ({ layer, weight: 1 })), style: list(METADATA_KEYS.defaultStyleLayers).map((layer) => ({ layer, weight: 1 })), tvWeight: 1 };
}

function meanSquaredDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2;
  return s / a.length;
}

describe.each(NETWORKS)('loss+gradient graph of $file vs float64 finite differences', ({ file, height, width, directions }) => {
  for (const pooling of ['max', 'average'] as const) {
    it(`every term, ${pooling} pooling, ${height}x${width}`, async () => {
      const model = decodeModel(readFileSync(builtModel(file)));
      const spec = defaultSpec(model);
      const graphs = buildLossGraphs(model, spec, { pooling });
      const layers = [...new Set([...graphs.contentLayers, ...graphs.styleLayers])];
      const features = await createSession(graphs.features);
      const lossGrad = await createSession(graphs.lossGrad);
      const random = new Random(2024);
      const n = 3 * height * width;
      const image = random.uniforms(n, 0, 255);
      const fromContent = await features.run({ image: imageTensor(random.uniforms(n, 0, 255), height, width) });
      const fromStyle = await features.run({ image: imageTensor(random.uniforms(n, 0, 255), height, width) });
      const targets = {
        ...Object.fromEntries(graphs.contentLayers.map((l) => [N.targetContent(l), fromContent[N.content(l)]])),
        ...Object.fromEntries(graphs.styleLayers.map((l) => [N.targetGram(l), fromStyle[N.gram(l)]])),
      };
      const targetData = (name: string) => Float64Array.from(targets[name].data as Float32Array);

      // The float64 forward must compute what onnxruntime computes.
      const reference = (x: Float64Array) => referenceForward(model, { data: x, dims: [1, 3, height, width] }, layers, pooling);
      const all = await (await createSession(buildLossGraphs(model, { content: layers.map((layer) => ({ layer, weight: 1 })), style: [], tvWeight: 0 }, { pooling }).features)).run({
        image: imageTensor(image, height, width),
      });
      const at = reference(Float64Array.from(image));
      for (const layer of layers) {
        const ours = at.get(layer)!;
        const theirs = all[N.content(layer)];
        expect(ours.dims, layer).toEqual(theirs.dims);
        let maxAbs = 0;
        let maxDiff = 0;
        (theirs.data as Float32Array).forEach((v, i) => {
          maxAbs = Math.max(maxAbs, Math.abs(v));
          maxDiff = Math.max(maxDiff, Math.abs(v - ours.data[i]));
        });
        expect(maxDiff / maxAbs, `${file} ${layer}: float64 reference vs onnxruntime`).toBeLessThan(TOLERANCE.forward);
      }

      const termValues = (x: Float64Array, f: Map<string, Tensor64>) => [
        ...graphs.contentLayers.map((l) => meanSquaredDiff(f.get(l)!.data, targetData(N.targetContent(l)))),
        ...graphs.styleLayers.map((l) => meanSquaredDiff(referenceGram(f.get(l)!.data, f.get(l)!.dims), targetData(N.targetGram(l)))),
        referenceTv(x, height, width),
      ];
      // The graph's gradient of each term alone.
      const grads: Float32Array[] = [];
      for (let t = 0; t < graphs.termNames.length; t++) {
        const weights = Float32Array.from(graphs.termNames, (_, i) => (i === t ? 1 : 0));
        const out = await lossGrad.run({ image: imageTensor(image, height, width), weights: new ort.Tensor('float32', weights, [weights.length]), ...targets });
        grads.push(out[N.grad].data as Float32Array);
      }

      const errors: number[] = new Array<number>(graphs.termNames.length).fill(0);
      for (let d = 0; d < directions; d++) {
        const v = random.normals(n);
        const plus = Float64Array.from(image, (x, i) => x + STEP * v[i]);
        const minus = Float64Array.from(image, (x, i) => x - STEP * v[i]);
        const up = termValues(plus, reference(plus));
        const down = termValues(minus, reference(minus));
        graphs.termNames.forEach((term, t) => {
          const fd = (up[t] - down[t]) / (2 * STEP);
          let analytic = 0;
          for (let i = 0; i < n; i++) analytic += grads[t][i] * v[i];
          errors[t] = Math.max(errors[t], Math.abs(analytic - fd) / Math.abs(fd));
        });
      }
      if (process.env.GRADIENT_REPORT) console.log(graphs.termNames.map((t, i) => `${file} ${pooling} ${t}: ${errors[i].toExponential(1)}`).join('\n'));
      graphs.termNames.forEach((term, t) => expect(errors[t], `${file} ${pooling} ${term}: directional FD`).toBeLessThan(TOLERANCE.directional));
    }, 300_000);
  }
});
