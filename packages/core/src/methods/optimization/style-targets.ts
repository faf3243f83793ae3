import { expectArray, expectNumber, expectNumberIn, expectObject, invalidValue } from '../../arguments.js';
import type { PlanarImage } from '../../image/image-types.js';
import { expectPlanarImage } from '../../image/planar-checks.js';
import { fitLongestSideUnchecked, resizeImageUnchecked } from '../../image/resize.js';
import { LOSS_GRAPH_NAMES as N } from '../../gradient/loss-graph-names.js';
import type { FloatArray, GatysEngine } from './gatys-engine.js';
import { lossNetworkSize, MAX_STYLE_SCALE } from './gatys-options.js';

/** A style image and its share of the blended style. */
export interface WeightedStyleImage {
  image: PlanarImage;
  /** Relative weight; the Gram targets are the weighted mean over style images. @default 1 */
  weight?: number;
}

/** The loss+gradient graph's target inputs, and the weights that normalise each term. */
export interface StyleTargets {
  targets: Map<string, FloatArray>;
  /** One weight per term (graph order): user weight / layer count / the target's mean square. */
  weights: Float32Array;
}

function meanSquare(data: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < data.length; i++) sum += data[i] * data[i];
  return sum / data.length || 1;
}

/** Mean squared difference between vertical, plus horizontal, neighbours: the graph's TV term at weight 1. */
export function totalVariation(image: PlanarImage): number {
  const { data, width: w, height: h } = image;
  let vertical = 0;
  let horizontal = 0;
  for (let c = 0; c < 3; c++) {
    const plane = c * w * h;
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const i = plane + y * w + x;
        if (y + 1 < h) vertical += (data[i + w] - data[i]) ** 2;
        if (x + 1 < w) horizontal += (data[i + 1] - data[i]) ** 2;
      }
    }
  }
  return vertical / (3 * (h - 1) * w || 1) + horizontal / (3 * h * (w - 1) || 1);
}

/** Style images checked once: the images, and their weights divided by the total (they sum to 1). */
export interface ResolvedStyleImages {
  images: PlanarImage[];
  shares: number[];
}

/**
 * Checks the style images (well-formed planar images, weights finite and ≥ 0, not all 0) and normalises
 * their weights, once: what {@link computeResolvedStyleTargets} and `optimizeStyleResolved` take.
 */
export function resolveStyleImages(styles: readonly WeightedStyleImage[]): ResolvedStyleImages {
  const list = expectArray('styles', styles, 'an array of { image, weight }');
  if (list.length === 0) throw invalidValue('styles', 'at least one style image', list);
  const images = list.map((s, i) => expectPlanarImage(`styles[${i}].image`, expectObject(`styles[${i}]`, s, '{ image, weight }').image));
  return { images, shares: styleShares(list.map((s) => (s as WeightedStyleImage).weight), 'styles') };
}

/**
 * Style images' weights (undefined is 1) divided by their total; each finite and ≥ 0, not all 0. Adapters check
 * them before decoding any image.
 */
export function styleShares(weights: readonly unknown[], name: string): number[] {
  const checked = weights.map((weight, i) => (weight === undefined ? 1 : expectNumber(`${name}[${i}].weight`, weight, { min: 0 })));
  const total = checked.reduce((a, b) => a + b, 0);
  if (total <= 0) throw invalidValue(name, 'at least one style image with a weight above 0', weights);
  return checked.map((w) => w / total);
}

/** The style images' weights divided by their total. @throws as {@link resolveStyleImages}. */
export function validateStyleImages(styles: readonly WeightedStyleImage[]): number[] {
  return resolveStyleImages(styles).shares;
}

/**
 * The size a style image is resized to for its Gram matrices: its longest side `styleScale` × the content's (at
 * least 16 pixels), each side at least MIN_LOSS_SIDE (a thin image is stretched: Gram matrices do not keep shape).
 */
export function styleImageSize(image: { width: number; height: number }, styleScale: number, contentSide: number): { width: number; height: number } {
  const size = fitLongestSideUnchecked(image.width, image.height, Math.max(16, Math.round(styleScale * contentSide)));
  return lossNetworkSize(size.width, size.height);
}

/** The weights the user gives each kind of term, and the style images' size relative to the content. */
export interface TargetWeights {
  content: number;
  style: number;
  tv: number;
  styleScale: number;
}

/**
 * Targets at one scale: content features of the content image, and the weighted mean of the style
 * images' Gram matrices, each style image resized to `styleScale` × the content's longest side.
 * Term weights are divided by the target's mean square (and TV by the content's own TV) so that the
 * user's weights mean the same for every loss network and image size. Checks the images and weights
 * ({@link resolveStyleImages}), then runs {@link computeResolvedStyleTargets}.
 */
export async function computeStyleTargets(
  engine: GatysEngine,
  content: PlanarImage,
  styles: readonly WeightedStyleImage[],
  weights: TargetWeights,
): Promise<StyleTargets> {
  expectPlanarImage('content', content);
  const resolved = resolveStyleImages(styles);
  expectObject('weights', weights, '{ content, style, tv, styleScale }');
  for (const key of ['content', 'style', 'tv'] as const) expectNumber(`weights.${key}`, weights[key], { min: 0 });
  expectNumberIn('weights.styleScale', weights.styleScale, { min: 0, max: MAX_STYLE_SCALE, minOpen: true });
  return computeResolvedStyleTargets(engine, content, resolved, weights);
}

/** {@link computeStyleTargets} on style images resolved already, without checks: what the pipeline calls at each scale. */
export async function computeResolvedStyleTargets(
  engine: GatysEngine,
  content: PlanarImage,
  styles: ResolvedStyleImages,
  weights: TargetWeights,
): Promise<StyleTargets> {
  const { contentLayers, styleLayers } = engine.graphs;
  const targets = new Map<string, FloatArray>();

  const contentFeatures = await engine.features(content);
  for (const layer of contentLayers) targets.set(N.targetContent(layer), contentFeatures.get(N.content(layer))!);

  const contentSide = Math.max(content.width, content.height);
  for (const [i, image] of styles.images.entries()) {
    const size = styleImageSize(image, weights.styleScale, contentSide);
    const features = await engine.features(resizeImageUnchecked(image, size.width, size.height));
    for (const layer of styleLayers) {
      const gram = features.get(N.gram(layer))!;
      const key = N.targetGram(layer);
      const sum = targets.get(key) ?? { data: new Float32Array(gram.data.length), dims: gram.dims };
      for (let k = 0; k < gram.data.length; k++) sum.data[k] += styles.shares[i] * gram.data[k];
      targets.set(key, sum);
    }
  }

  const termWeights = [
    ...contentLayers.map((l) => weights.content / contentLayers.length / meanSquare(targets.get(N.targetContent(l))!.data)),
    ...styleLayers.map((l) => weights.style / styleLayers.length / meanSquare(targets.get(N.targetGram(l))!.data)),
    weights.tv / (totalVariation(content) || 1),
  ];
  return { targets, weights: Float32Array.from(termWeights) };
}
