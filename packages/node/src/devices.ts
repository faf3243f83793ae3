import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { PasticheError, describeValue } from '@pastiche/core';
import type { InferenceSession } from 'onnxruntime-node';

export type NodeDevice = 'auto' | 'cpu' | 'cuda' | 'webgpu';
export const NODE_DEVICES: readonly NodeDevice[] = Object.freeze(['auto', 'cpu', 'cuda', 'webgpu']);
/** The device used when none is given. CPU, so that no machine prints a fallback warning by default. */
export const DEFAULT_DEVICE: NodeDevice = 'cpu';

type ExecutionProviders = NonNullable<InferenceSession.SessionOptions['executionProviders']>;

/** One frozen table from device names to onnxruntime-node execution providers. */
export const DEVICE_PROVIDERS: Readonly<Record<Exclude<NodeDevice, 'auto'>, ExecutionProviders>> = Object.freeze({
  cpu: ['cpu'],
  cuda: ['cuda'],
  webgpu: ['webgpu'],
});

export const CUDA_INSTALL_HINT =
  'CUDA needs onnxruntime-node built with its CUDA 12 libraries: run `npm rebuild onnxruntime-node ' +
  '--onnxruntime-node-install=cuda12` (or set ONNXRUNTIME_NODE_INSTALL=cuda12 and reinstall) on a machine with ' +
  'internet access, an NVIDIA driver, CUDA 12 and cuDNN 9.';

export const WEBGPU_INSTALL_HINT =
  'onnxruntime-node bundles WebGPU (Dawn) but found no adapter: install a Vulkan driver (NVIDIA, or Mesa) and ' +
  'libvulkan1, or point VK_ICD_FILENAMES at one (e.g. /usr/lib/chromium/vk_swiftshader_icd.json for software rendering).';

/** Where onnxruntime-node keeps its native libraries. */
function ortBinaryDir(): string {
  const require = createRequire(import.meta.url);
  const pkg = dirname(require.resolve('onnxruntime-node/package.json'));
  return join(pkg, 'bin', 'napi-v6', process.platform, process.arch);
}

/** True when onnxruntime-node's CUDA provider library is installed (it is not by default). */
export function cudaLibrariesInstalled(): boolean {
  const lib = process.platform === 'win32' ? 'onnxruntime_providers_cuda.dll' : 'libonnxruntime_providers_cuda.so';
  return existsSync(join(ortBinaryDir(), lib));
}

export function validateDevice(device: unknown): NodeDevice {
  if (typeof device !== 'string' || !(NODE_DEVICES as readonly string[]).includes(device)) {
    const ErrorType = typeof device === 'string' ? RangeError : TypeError;
    throw new ErrorType(`Expected one of ${NODE_DEVICES.join(', ')} for device but received ${describeValue(device)}`);
  }
  return device as NodeDevice;
}

/** The error for a device that cannot start, with what to install. */
export function deviceUnavailable(device: string, cause: unknown): PasticheError {
  const hint = device === 'cuda' ? CUDA_INSTALL_HINT : device === 'webgpu' ? WEBGPU_INSTALL_HINT : '';
  const reason = (cause as Error)?.message ?? String(cause);
  return new PasticheError('E_DEVICE_UNAVAILABLE', `Device '${device}' is unavailable: ${reason.split('\n')[0]}. ${hint}`.trim(), {
    cause,
  });
}

let warnedFallback = false;

/** Warns once per process that `auto` fell back to the CPU. */
export function warnFallbackOnce(reason: string): void {
  if (warnedFallback) return;
  warnedFallback = true;
  process.emitWarning(`Pastiche device 'auto' is using the CPU: ${reason}`, { code: 'PASTICHE_DEVICE_FALLBACK' });
}
