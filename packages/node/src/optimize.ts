import {
  DEFAULT_LOSS_NETWORK,
  GatysEngine,
  decodeModel,
  listStyleImages,
  optimizeStyle,
  planarToRaw,
  rawToPlanar,
  type GatysOptions,
  type StyleImages as CoreStyleImages,
  type WeightedImageInput as CoreWeightedImageInput,
  type Pooling,
  type WeightedStyleImage,
} from '@pastiche/core';
import { decodeImage, type ImageInput } from './image-input.js';
import { LOSS_NETWORKS } from './loss-networks.js';
import { deviceKey, openOnDevice, type DeviceOptions } from './open-on-device.js';
import { resolveStyleReference, type ResolveStyleOptions } from './resolve-style.js';
import { nodeRuntime } from './runtime.js';
import { sessions } from './session-cache.js';
import { StylizedImage } from './stylized-image.js';

/** The style of the optimisation method in Node: one image, or several with weights. */
export type StyleImages = CoreStyleImages<ImageInput>;
export type WeightedImageInput = CoreWeightedImageInput<ImageInput>;

/** Options of the optimisation method in Node. */
export interface NodeOptimizeOptions extends GatysOptions, ResolveStyleOptions, DeviceOptions {
  /** `'squeezenet'` (fast), `'vgg19'` (the full one when exported, else relu1_1…relu3_4), a path or URL to a loss-network `.onnx`, or its bytes. @default 'squeezenet' */
  lossNetwork?: string | Uint8Array;
  /** Replace max pooling by average pooling in the loss network. @default 'max' */
  pooling?: Pooling;
}

/** The optimisation engine for a loss network and layers on a device, cached like style sessions. */
async function loadEngine(options: NodeOptimizeOptions): Promise<{ engine: GatysEngine; device: string; name: string }> {
  const reference = resolveStyleReference(options.lossNetwork ?? DEFAULT_LOSS_NETWORK, options, LOSS_NETWORKS);
  const key = JSON.stringify(['engine', reference.key, options.contentLayers ?? null, options.styleLayers ?? null, options.pooling ?? 'max', deviceKey(options)]);
  return sessions.get(key, async () => {
    const lossNet = decodeModel(await reference.readBytes());
    const { value: engine, device } = await openOnDevice(options, (sessionOptions) =>
      GatysEngine.fromLossNetwork(nodeRuntime, lossNet, {
        contentLayers: options.contentLayers,
        styleLayers: options.styleLayers,
        pooling: options.pooling,
        sessionOptions,
      }),
    );
    return { engine, device, name: reference.name, dispose: () => engine.dispose() };
  });
}

/**
 * The optimisation method (Gatys et al.): iterates the content image's pixels to match the style
 * images' Gram matrices through a loss network's gradient graph.
 */
export async function stylizeWithImages(content: ImageInput, style: StyleImages, options: NodeOptimizeOptions = {}): Promise<StylizedImage> {
  const started = performance.now();
  const inputs = listStyleImages(style);
  const [contentRaw, styleRaws, { engine, device, name }] = await Promise.all([
    decodeImage(content),
    Promise.all(inputs.map((s) => decodeImage(s.image))),
    loadEngine(options),
  ]);
  const styles: WeightedStyleImage[] = styleRaws.map((raw, i) => ({ image: rawToPlanar(raw), weight: inputs[i].weight }));
  const result = await optimizeStyle(engine, rawToPlanar(contentRaw), styles, options);
  const pixels = planarToRaw(result, 3);
  return new StylizedImage(pixels.data as Uint8Array, pixels.width, pixels.height, {
    model: `gatys:${name}`,
    device,
    ms: performance.now() - started,
  });
}
