import { planarToRaw, rawToPlanar, resolveStylizeOptions, stylizePlanar, type StylizeOptions } from '@pastiche/core';
import { decodeImage, type ImageInput } from './image-input.js';
import { loadStyle, type LoadStyleOptions } from './load-style.js';
import type { StyleInput } from './resolve-style.js';
import { StylizedImage } from './stylized-image.js';

/** Options of {@link stylize}: the pipeline's options plus where and how to load the model. */
export interface WebStylizeOptions extends StylizeOptions, LoadStyleOptions {}

/**
 * Stylizes an image with a feed-forward style network, on the main thread or in a Web Worker.
 *
 * @param input ImageData, an ImageBitmap, an `<img>`, a canvas, an OffscreenCanvas, a Blob, a URL, or raw pixels
 * @param style a built-in style name (`'candy'`, served at `modelBaseUrl`), a URL of an `.onnx` file,
 *   ONNX bytes, or a loaded model
 */
export async function stylize(input: ImageInput, style: StyleInput, options: WebStylizeOptions = {}): Promise<StylizedImage> {
  const started = performance.now();
  // Wrong options fail before anything is downloaded.
  resolveStylizeOptions(options);
  const [raw, { model, device }] = await Promise.all([decodeImage(input), loadStyle(style, options)]);
  const output = await stylizePlanar(model, rawToPlanar(raw), options);
  const rgba = planarToRaw(output, 4);
  const pixels = new Uint8ClampedArray(rgba.data.buffer as ArrayBuffer, rgba.data.byteOffset, rgba.data.length);
  return new StylizedImage(new ImageData(pixels, rgba.width, rgba.height), { model: model.name, device, ms: performance.now() - started });
}
