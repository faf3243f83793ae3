import { planarToRaw, rawToPlanar, stylizePlanar, type StylizeOptions } from '@pastiche/core';
import { decodeImage, type ImageInput } from './image-input.js';
import { loadStyle, type LoadStyleOptions } from './load-style.js';
import type { StyleInput } from './resolve-style.js';
import { StylizedImage } from './stylized-image.js';

/** Options of {@link stylize}: the pipeline's options plus where and how to load the model. */
export interface NodeStylizeOptions extends StylizeOptions, LoadStyleOptions {}

/**
 * Stylizes an image with a feed-forward style network.
 *
 * @param input a file path, encoded image bytes, a sharp instance, or raw pixels
 * @param style a built-in style name (`'candy'`), a path or URL to an `.onnx` file, ONNX bytes, or a loaded model
 */
export async function stylize(input: ImageInput, style: StyleInput, options: NodeStylizeOptions = {}): Promise<StylizedImage> {
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
