import {
  GatysEngine,
  decodeModel,
  describeValue,
  optimizeStyle,
  planarToRaw,
  rawToPlanar,
  type GatysOptions,
  type Pooling,
  type WeightedStyleImage,
} from '@pastiche/core';
import { decodeImage, type ImageInput } from './image-input.js';
import { DEFAULT_LOSS_NETWORK, LOSS_NETWORKS } from './loss-networks.js';
import { deviceKey, openOnDevice, type DeviceOptions } from './open-on-device.js';
import { resolveStyleReference, type ResolveStyleOptions } from './resolve-style.js';
import { nodeRuntime } from './runtime.js';
import { sessions } from './session-cache.js';
import { StylizedImage } from './stylized-image.js';

/** A style image with its share of the blend. */
export interface WeightedImageInput {
  image: ImageInput;
  /** @default 1 */
  weight?: number;
}

/** The style of the optimisation method: one image, or several with weights. */
export interface StyleImages {
  styleImage?: ImageInput;
  styleImages?: Array<ImageInput | WeightedImageInput>;
}

/** Options of the optimisation method in Node. */
export interface NodeOptimizeOptions extends GatysOptions, ResolveStyleOptions, DeviceOptions {
  /** `'squeezenet'` (fast), `'vgg19'` (the full one when exported, else relu1_1…relu3_4), a path or URL to a loss-network `.onnx`, or its bytes. @default 'squeezenet' */
  lossNetwork?: string | Uint8Array;
  /** Replace max pooling by average pooling in the loss network. @default 'max' */
  pooling?: Pooling;
}

export function isStyleImages(style: unknown): style is StyleImages {
  return typeof style === 'object' && style !== null && ('styleImage' in style || 'styleImages' in style) && !(style instanceof Uint8Array);
}

function styleInputs(style: StyleImages): WeightedImageInput[] {
  const list = style.styleImages ?? (style.styleImage === undefined ? [] : [style.styleImage]);
  if (!Array.isArray(list) || list.length === 0) {
    throw new TypeError(`Expected styleImage or a non-empty styleImages array for style but received ${describeValue(style.styleImages ?? style.styleImage)}`);
  }
  return list.map((item) => (typeof item === 'object' && item !== null && 'image' in item ? item : { image: item as ImageInput }));
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
  const inputs = styleInputs(style);
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
