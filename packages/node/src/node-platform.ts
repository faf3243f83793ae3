import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { planarToRaw, type DeviceTable, type Platform, type PlanarImage } from '@pastiche/core';
import * as ort from 'onnxruntime-node';
import { decodeImage, IMAGE_INPUTS, isImageInput, type ImageInput } from './image-input.js';
import { checkModelLocations, MODEL_LOCATION_KEYS, nodeModelStore, sha256Hex, type ModelLocationOptions } from './model-store.js';
import { StylizedImage } from './stylized-image.js';

export type NodeDevice = 'auto' | 'cpu' | 'cuda' | 'webgpu';

/**
 * Device names → onnxruntime-node execution providers. The default is the CPU, so that no machine prints a
 * fallback warning by default; `auto` tries CUDA first.
 */
export const NODE_DEVICES: DeviceTable<NodeDevice> = Object.freeze({
  names: Object.freeze(['auto', 'cpu', 'cuda', 'webgpu'] as const),
  default: 'cpu',
  providers: Object.freeze({ cpu: ['cpu'], cuda: ['cuda'], webgpu: ['webgpu'] }),
  autoOrder: Object.freeze(['cuda', 'cpu'] as const),
});

const HINTS: Readonly<Record<Exclude<NodeDevice, 'auto'>, string>> = {
  cpu: '',
  cuda:
    'CUDA needs onnxruntime-node built with its CUDA 12 libraries: run `npm rebuild onnxruntime-node ' +
    '--onnxruntime-node-install=cuda12` (or set ONNXRUNTIME_NODE_INSTALL=cuda12 and reinstall) on a machine with ' +
    'internet access, an NVIDIA driver, CUDA 12 and cuDNN 9.',
  webgpu:
    'onnxruntime-node bundles WebGPU (Dawn) but found no adapter: install a Vulkan driver (NVIDIA, or Mesa) and ' +
    'libvulkan1, or point VK_ICD_FILENAMES at one (e.g. /usr/lib/chromium/vk_swiftshader_icd.json for software rendering).',
};

/** True when onnxruntime-node's CUDA provider library is installed (it is not by default). */
export function cudaLibrariesInstalled(): boolean {
  const pkg = dirname(createRequire(import.meta.url).resolve('onnxruntime-node/package.json'));
  const lib = process.platform === 'win32' ? 'onnxruntime_providers_cuda.dll' : 'libonnxruntime_providers_cuda.so';
  return existsSync(join(pkg, 'bin', 'napi-v6', process.platform, process.arch, lib));
}

/** Node as core sees it: onnxruntime-node, sharp, the file system and a per-user model cache. */
export const nodePlatform: Platform<ImageInput, StylizedImage, NodeDevice, ModelLocationOptions> = {
  name: '@pastiche/node',
  runtime: Object.freeze({
    name: 'onnxruntime-node',
    createSession: (model: Uint8Array, options?: ort.InferenceSession.SessionOptions) => ort.InferenceSession.create(model, options),
    createTensor: (data: Float32Array, dims: readonly number[]) => new ort.Tensor('float32', data, dims),
  }),
  devices: NODE_DEVICES,
  probeDevice: async (device) =>
    device === 'cuda' && !cudaLibrariesInstalled() ? "onnxruntime-node's CUDA provider library is not installed" : undefined,
  deviceHint: (device) => HINTS[device],
  decodeImage: (input) => decodeImage(input),
  isImageInput,
  imageInputs: IMAGE_INPUTS,
  models: nodeModelStore,
  storeOptionKeys: MODEL_LOCATION_KEYS,
  checkStoreOptions: checkModelLocations,
  sha256: async (bytes) => sha256Hex(bytes),
  createResult: (image: PlanarImage, info) => {
    const pixels = planarToRaw(image, 3);
    return new StylizedImage(pixels.data as Uint8Array, pixels.width, pixels.height, info);
  },
  warn: (message, code) => process.emitWarning(message, { code }),
};
