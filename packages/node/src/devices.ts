import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { DeviceTable } from '@pastiche/core';

// Apart from node-platform.ts so that the CLI checks --device without loading onnxruntime-node or sharp.

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
    'CUDA needs onnxruntime-node with its CUDA 12 libraries: run `ONNXRUNTIME_NODE_INSTALL=cuda12 node ' +
    'node_modules/onnxruntime-node/script/install.js` on a machine with internet access, an NVIDIA driver, CUDA 12 and cuDNN 9.',
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

/** What to install or change to get `device`. */
export function deviceHint(device: Exclude<NodeDevice, 'auto'>): string {
  return HINTS[device];
}
