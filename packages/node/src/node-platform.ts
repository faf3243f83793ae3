import { planarToRaw, type Platform, type PlanarImage } from '@pastiche/core';
import * as ort from 'onnxruntime-node';
import { fileCheckpointSpill } from './checkpoint-spill.js';
import { withDefaultThreads } from './cpu-threads.js';
import { NODE_DEVICES, cudaLibrariesInstalled, deviceHint, type NodeDevice } from './devices.js';
import { env } from './env.js';
import { decodeImage, IMAGE_INPUTS, isImageInput, type ImageInput } from './image-input.js';
import { checkModelLocations, MODEL_LOCATION_KEYS, nodeModelStore, type ModelLocationOptions } from './model-store.js';
import { StylizedImage } from './stylized-image.js';

/** Node as core sees it: onnxruntime-node, sharp, the file system and a per-user model cache. */
export const nodePlatform: Platform<ImageInput, StylizedImage, NodeDevice, ModelLocationOptions> = {
  name: '@pastiche/node',
  runtime: Object.freeze({
    name: 'onnxruntime-node',
    createSession: (model: Uint8Array, options?: ort.InferenceSession.SessionOptions) => ort.InferenceSession.create(model, withDefaultThreads(options)),
    createTensor: (data: Float32Array, dims: readonly number[]) => new ort.Tensor('float32', data, dims),
  }),
  devices: NODE_DEVICES,
  env,
  probeDevice: async (device) =>
    device === 'cuda' && !cudaLibrariesInstalled() ? "onnxruntime-node's CUDA provider library is not installed" : undefined,
  deviceHint,
  decodeImage: (input, _signal, limits) => decodeImage(input, limits),
  isImageInput,
  imageInputs: IMAGE_INPUTS,
  models: nodeModelStore,
  storeOptionKeys: MODEL_LOCATION_KEYS,
  checkStoreOptions: checkModelLocations,
  checkpointSpill: fileCheckpointSpill,
  createResult: (image: PlanarImage, info) => {
    const pixels = planarToRaw(image, 3);
    return new StylizedImage(pixels.data as Uint8Array, pixels.width, pixels.height, info);
  },
  warn: (message, code) => process.emitWarning(message, { code }),
};
