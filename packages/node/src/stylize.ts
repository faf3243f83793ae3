import { isStyleImages, planarToRaw, rawToPlanar, stylizePlanar, type StylizeOptions } from '@pastiche/core';
import { decodeImage, type ImageInput } from './image-input.js';
import { loadStyle, type LoadStyleOptions } from './load-style.js';
import { stylizeWithImages, type NodeOptimizeOptions, type StyleImages } from './optimize.js';
import type { StyleInput } from './resolve-style.js';
import { StylizedImage } from './stylized-image.js';

/** Options of {@link stylize} with a style network: the pipeline's options plus where and how to load the model. */
export interface NodeStylizeOptions extends StylizeOptions, LoadStyleOptions {}

/**
 * Stylizes an image.
 *
 * - With a style network (`'candy'`, a path or URL to an `.onnx` file, ONNX bytes, or a loaded model):
 *   the fast method, one network pass (tiled when needed).
 * - With `{ styleImage }` or `{ styleImages }`: the optimisation method (Gatys et al.), which iterates the
 *   pixels through a loss network's gradient graph.
 *
 * @param input a file path, encoded image bytes, a sharp instance, or raw pixels
 */
export function stylize(input: ImageInput, style: StyleImages, options?: NodeOptimizeOptions): Promise<StylizedImage>;
export function stylize(input: ImageInput, style: StyleInput, options?: NodeStylizeOptions): Promise<StylizedImage>;
export function stylize(
  input: ImageInput,
  style: StyleInput | StyleImages,
  options: NodeStylizeOptions | NodeOptimizeOptions = {},
): Promise<StylizedImage> {
  if (isStyleImages(style)) return stylizeWithImages(input, style, options as NodeOptimizeOptions);
  return stylizeWithNetwork(input, style, options as NodeStylizeOptions);
}

async function stylizeWithNetwork(input: ImageInput, style: StyleInput, options: NodeStylizeOptions): Promise<StylizedImage> {
  const started = performance.now();
  const [raw, { model, device }] = await Promise.all([decodeImage(input), loadStyle(style, options)]);
  const output = await stylizePlanar(model, rawToPlanar(raw), options);
  const pixels = planarToRaw(output, 3);
  return new StylizedImage(pixels.data as Uint8Array, pixels.width, pixels.height, {
    model: model.name,
    device,
    ms: performance.now() - started,
  });
}
