import * as ort from 'onnxruntime-node';
import { encodeModel, type ModelProto } from '@pastiche/core';
import {
  buildLossGraphs,
  LOSS_GRAPH_NAMES as N,
  type BuildLossGraphsOptions,
  type LossGraphs,
  type LossSpec,
} from '../../../packages/core/src/gradient/index.js';
import { Random } from './random.js';

export function createSession(model: ModelProto): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(encodeModel(model));
}

export const imageTensor = (data: Float32Array, height: number, width: number) => new ort.Tensor('float32', data, [1, 3, height, width]);

const f64 = (t: ort.Tensor) => Float64Array.from(t.data as Float32Array);

function meanSquaredDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} != ${b.length}`);
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2;
  return s / a.length;
}

/** TV of a [1, 3, H, W] image in float64: mean squared vertical + mean squared horizontal differences. */
export function referenceTv(image: ArrayLike<number>, height: number, width: number): number {
  let v = 0;
  let h = 0;
  for (let c = 0; c < 3; c++) {
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const i = (c * height + y) * width + x;
        if (y + 1 < height) v += (image[i + width] - image[i]) ** 2;
        if (x + 1 < width) h += (image[i + 1] - image[i]) ** 2;
      }
    }
  }
  return v / Math.max(1, 3 * (height - 1) * width) + h / Math.max(1, 3 * height * (width - 1));
}

/** G = F Fᵀ / (H·W) in float64 from a [1, C, H, W] feature map. */
export function referenceGram(features: ArrayLike<number>, dims: readonly number[]): Float64Array {
  const channels = dims[1];
  const area = features.length / channels;
  const gram = new Float64Array(channels * channels);
  for (let i = 0; i < channels; i++) {
    for (let j = i; j < channels; j++) {
      let s = 0;
      for (let p = 0; p < area; p++) s += features[i * area + p] * features[j * area + p];
      gram[i * channels + j] = gram[j * channels + i] = s / area;
    }
  }
  return gram;
}

/**
 * Runs the graphs built for one spec, and computes the same loss a second way for finite differences: feature
 * maps from a features graph with every used layer as a content output, then content, Gram, style and TV in
 * float64 (so the Gram's float32 accumulation adds no noise, and the graph's own Gram is checked too).
 */
export class LossGraphRunner {
  private constructor(
    readonly graphs: LossGraphs,
    private readonly features: ort.InferenceSession,
    private readonly lossGrad: ort.InferenceSession,
    private readonly reference: ort.InferenceSession,
  ) {}

  static async create(model: ModelProto, spec: LossSpec, options?: BuildLossGraphsOptions): Promise<LossGraphRunner> {
    const graphs = buildLossGraphs(model, spec, options);
    const layers = [...new Set([...graphs.contentLayers, ...graphs.styleLayers])];
    const reference = buildLossGraphs(model, { content: layers.map((layer) => ({ layer, weight: 1 })), style: [], tvWeight: 0 }, options).features;
    return new LossGraphRunner(graphs, await createSession(graphs.features), await createSession(graphs.lossGrad), await createSession(reference));
  }

  runFeatures(image: Float32Array, height: number, width: number): Promise<ort.InferenceSession.OnnxValueMapType> {
    return this.features.run({ [N.image]: imageTensor(image, height, width) });
  }

  /** Targets: content features of one image, Gram matrices of another. */
  async targets(contentImage: Float32Array, styleImage: Float32Array, height: number, width: number): Promise<Record<string, ort.Tensor>> {
    const fromContent = await this.runFeatures(contentImage, height, width);
    const fromStyle = await this.runFeatures(styleImage, height, width);
    return Object.fromEntries([
      ...this.graphs.contentLayers.map((l) => [N.targetContent(l), fromContent[N.content(l)]]),
      ...this.graphs.styleLayers.map((l) => [N.targetGram(l), fromStyle[N.gram(l)]]),
    ]);
  }

  runLossGrad(image: Float32Array, height: number, width: number, targets: Record<string, ort.Tensor>, weights: Float32Array) {
    return this.lossGrad.run({ [N.image]: imageTensor(image, height, width), [N.weights]: new ort.Tensor('float32', weights, [weights.length]), ...targets });
  }

  /** The loss terms in float64 from the reference feature maps (and the image for TV). */
  async referenceTerms(image: Float32Array, height: number, width: number, targets: Record<string, ort.Tensor>, weights: Float32Array): Promise<number[]> {
    const out = await this.reference.run({ [N.image]: imageTensor(image, height, width) });
    const { contentLayers, styleLayers } = this.graphs;
    const features = (l: string) => out[N.content(l)];
    return [
      ...contentLayers.map((l, i) => weights[i] * meanSquaredDiff(f64(features(l)), f64(targets[N.targetContent(l)]))),
      ...styleLayers.map((l, i) => {
        const f = features(l);
        return weights[contentLayers.length + i] * meanSquaredDiff(referenceGram(f.data as Float32Array, f.dims), f64(targets[N.targetGram(l)]));
      }),
      weights[contentLayers.length + styleLayers.length] * referenceTv(image, height, width),
    ];
  }

  async referenceLoss(image: Float32Array, height: number, width: number, targets: Record<string, ort.Tensor>, weights: Float32Array): Promise<number> {
    return (await this.referenceTerms(image, height, width, targets, weights)).reduce((a, b) => a + b, 0);
  }
}

/** Relative error above which a finite difference is retried with smaller steps. */
const RETRY_ABOVE = 1e-3;

export interface GradientCheckOptions {
  height: number;
  width: number;
  seed?: number;
  /** Term weights; default 1 for every layer term and 0 for TV (whose large values would hide layer errors). */
  weights?: Float32Array;
  /** Random directions for directional finite differences. @default 3 */
  directions?: number;
  /** Also check every element by central differences (small images only). @default false */
  perElement?: boolean;
  /** Finite-difference step on the 0..255 image; a power of two keeps x ± step exact. @default 1/4 */
  step?: number;
}

export interface GradientCheckResult {
  /** max over terms of |graph − float64 reference| / max(|reference|, 1e-12). */
  termError: number;
  /** max over directions of |g·v − FD| / |FD|. */
  directionalError: number;
  /** max_i |g_i − FD_i| / max_i |g_i|, or NaN when not checked. */
  elementError: number;
  /** Directions and elements retried with smaller steps (a kink inside the first one). */
  retried: number;
  /** max |g_i|, to see that the gradient is not trivially zero. */
  gradMax: number;
}

/**
 * Compares the loss+gradient graph with central finite differences of the loss computed from the features
 * graph in float64 (forward in float32). Content, style and TV are quadratic, so away from ReLU/max kinks the
 * central difference is exact up to float32 noise in the features.
 */
export async function checkGradient(runner: LossGraphRunner, options: GradientCheckOptions): Promise<GradientCheckResult> {
  const { height, width } = options;
  const random = new Random(options.seed ?? 1);
  const n = 3 * height * width;
  const termCount = runner.graphs.termNames.length;
  const weights = options.weights ?? Float32Array.from({ length: termCount }, (_, i) => (i === termCount - 1 ? 0 : 1));
  const step = options.step ?? 1 / 4;
  // Multiples of 1/256: x ± step stays exact in float32 for the per-element differences.
  const image = Float32Array.from(random.uniforms(n, 0, 255), (x) => Math.round(x * 256) / 256);
  const targets = await runner.targets(random.uniforms(n, 0, 255), random.uniforms(n, 0, 255), height, width);

  const out = await runner.runLossGrad(image, height, width, targets, weights);
  const grad = out[N.grad].data as Float32Array;
  if (grad.length !== n) throw new Error(`grad has ${grad.length} elements, expected ${n}`);
  const reference = await runner.referenceTerms(image, height, width, targets, weights);
  const graphTerms = runner.graphs.termNames.map((t) => (out[t].data as Float32Array)[0]);
  let termError = 0;
  graphTerms.forEach((t, i) => (termError = Math.max(termError, Math.abs(t - reference[i]) / Math.max(Math.abs(reference[i]), 1e-12))));
  const total = (out[N.loss].data as Float32Array)[0];
  const refTotal = reference.reduce((a, b) => a + b, 0);
  termError = Math.max(termError, Math.abs(total - refTotal) / Math.max(Math.abs(refTotal), 1e-12));

  const lossAt = (x: Float32Array) => runner.referenceLoss(x, height, width, targets, weights);
  const shifted = (v: Float32Array, h: number) => Float32Array.from(image, (x, i) => x + h * v[i]);

  // Differences are taken against the float32-rounded perturbed images, not the intended h·v; a direction
  // whose error is over RETRY_ABOVE is retried with 4×, 16× and 64× smaller steps, as elements are below.
  const directionalAt = async (v: Float32Array, h: number) => {
    const plus = shifted(v, h);
    const minus = shifted(v, -h);
    const fd = (await lossAt(plus)) - (await lossAt(minus));
    let analytic = 0;
    for (let i = 0; i < n; i++) analytic += grad[i] * (plus[i] - minus[i]);
    return Math.abs(analytic - fd) / Math.max(Math.abs(fd), 1e-30);
  };
  let directionalError = 0;
  let retried = 0;
  for (let d = 0; d < (options.directions ?? 3); d++) {
    const v = random.normals(n);
    let error = await directionalAt(v, step);
    if (error > RETRY_ABOVE) retried++;
    for (const h of [step / 4, step / 16, step / 64]) if (error > RETRY_ABOVE) error = Math.min(error, await directionalAt(v, h));
    directionalError = Math.max(directionalError, error);
  }

  let gradMax = 0;
  for (const g of grad) gradMax = Math.max(gradMax, Math.abs(g));
  let elementError = Number.NaN;
  if (options.perElement) {
    // A ReLU/max kink within the step spoils a central difference; an element is retried with 4×, 16× and 64×
    // smaller steps before it counts as wrong (a wrong gradient fails at every step).
    const x = Float32Array.from(image);
    const centralError = async (i: number, h: number) => {
      x[i] = image[i] + h;
      const plus = await lossAt(x);
      x[i] = image[i] - h;
      const minus = await lossAt(x);
      x[i] = image[i];
      return Math.abs((plus - minus) / (2 * h) - grad[i]) / gradMax;
    };
    let worst = 0;
    for (let i = 0; i < n; i++) {
      let error = await centralError(i, step);
      if (error > RETRY_ABOVE) {
        retried++;
        for (const h of [step / 4, step / 16, step / 64]) if (error > RETRY_ABOVE) error = Math.min(error, await centralError(i, h));
      }
      worst = Math.max(worst, error);
    }
    elementError = worst;
  }
  return { termError, directionalError, elementError, retried, gradMax };
}
