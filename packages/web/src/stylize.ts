import { isStyleImages, rawToPlanar, resolveStylizeOptions, stylizePlanar, type StylizeOptions } from '@pastiche/core';
import { decodeImage, type ImageInput } from './image-input.js';
import { loadStyle, type LoadStyleOptions } from './load-style.js';
import { stylizeWithImages, type StyleImages, type WebOptimizeOptions } from './optimize.js';
import type { StyleInput } from './resolve-style.js';
import { StylizedImage, planarToImageData } from './stylized-image.js';

/** Options of {@link stylize} with a style network: the pipeline's options plus where and how to load the model. */
export interface WebStylizeOptions extends StylizeOptions, LoadStyleOptions {}

/**
 * Stylizes an image, on the main thread or in a Web Worker.
 *
 * - With a style network (`'candy'`, served at `modelBaseUrl`; a URL of an `.onnx` file; ONNX bytes; or a
 *   loaded model): the fast method, one network pass (tiled when needed).
 * - With `{ styleImage }` or `{ styleImages }`: the optimisation method (Gatys et al.), which iterates the
 *   pixels through a loss network's gradient graphs (see {@link WebOptimizeOptions}).
 *
 * @param input ImageData, an ImageBitmap, an `<img>`, a canvas, an OffscreenCanvas, a Blob, a URL, or raw pixels
 */
export function stylize(input: ImageInput, style: StyleImages, options?: WebOptimizeOptions): Promise<StylizedImage>;
export function stylize(input: ImageInput, style: StyleInput, options?: WebStylizeOptions): Promise<StylizedImage>;
export function stylize(
  input: ImageInput,
  style: StyleInput | StyleImages,
  options: WebStylizeOptions | WebOptimizeOptions = {},
): Promise<StylizedImage> {
  if (isStyleImages(style)) return stylizeWithImages(input, style as StyleImages, options as WebOptimizeOptions);
  return stylizeWithNetwork(input, style as StyleInput, options as WebStylizeOptions);
}

async function stylizeWithNetwork(input: ImageInput, style: StyleInput, options: WebStylizeOptions): Promise<StylizedImage> {
  const started = performance.now();
  // Wrong options fail before anything is downloaded.
  resolveStylizeOptions(options);
  const [raw, { model, device }] = await Promise.all([decodeImage(input), loadStyle(style, options)]);
  const output = await stylizePlanar(model, rawToPlanar(raw), options);
  return new StylizedImage(planarToImageData(output), { model: model.name, device, ms: performance.now() - started });
}
