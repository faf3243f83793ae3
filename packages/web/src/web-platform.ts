import { modelTooLarge, type Platform } from '@pastiche/core';
import { WEB_DEVICES, WEBGPU_HINT, webGpuUnavailable, type WebDevice } from './devices.js';
import { env } from './env.js';
import { decodeImage, IMAGE_INPUTS, isImageInput, type ImageInput } from './image-input.js';
import { checkModelLocations, webModelStore, type ModelLocationOptions } from './model-store.js';
import { checkRuntimeOptions, configureRuntime, webRuntime, type WebRuntimeOptions } from './runtime.js';
import { StylizedImage, planarToImageData } from './stylized-image.js';

/** Everything a page can say about where models and onnxruntime-web's files are. */
export type WebStoreOptions = ModelLocationOptions & WebRuntimeOptions;

const isBlob = (value: unknown): value is Blob => typeof Blob !== 'undefined' && value instanceof Blob;

/** The browser as core sees it: onnxruntime-web, canvases, fetch and the Cache API. */
export const webPlatform: Platform<ImageInput, StylizedImage, WebDevice, WebStoreOptions> = {
  name: '@pastiche/web',
  runtime: webRuntime,
  devices: WEB_DEVICES,
  env,
  probeDevice: (device, forAuto) => (device === 'webgpu' ? webGpuUnavailable(forAuto) : Promise.resolve(undefined)),
  deviceHint: (device) => (device === 'webgpu' ? WEBGPU_HINT : ''),
  decodeImage: (input, _signal, limits) => decodeImage(input, limits),
  isImageInput,
  imageInputs: IMAGE_INPUTS,
  models: webModelStore,
  storeOptionKeys: ['modelBaseUrl', 'cache', 'wasmPaths', 'numThreads'],
  checkStoreOptions(options) {
    checkModelLocations(options);
    checkRuntimeOptions(options);
  },
  isModelBytes: isBlob,
  modelBytes(value, maxBytes) {
    if (!isBlob(value)) return undefined;
    // Its size first: a Blob over the cap is refused unread.
    if (value.size > maxBytes) return Promise.reject(modelTooLarge(`the model given as a ${value.size}-byte Blob`, value.size, maxBytes));
    return value.arrayBuffer().then((buffer) => new Uint8Array(buffer));
  },
  beforeSessions: configureRuntime,
  createResult: (image, info) => new StylizedImage(planarToImageData(image), info),
  previewImage: planarToImageData,
  warn: (message) => console.warn(message),
};
