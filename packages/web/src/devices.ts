import { PasticheError, describeValue } from '@pastiche/core';
import type { InferenceSession } from 'onnxruntime-web';

/** Where a style network runs in the browser. */
export type WebDevice = 'auto' | 'webgpu' | 'wasm';
export const WEB_DEVICES: readonly WebDevice[] = Object.freeze(['auto', 'webgpu', 'wasm']);
/**
 * The device used when none is given: wasm runs everywhere, so no page prints a fallback warning by
 * default (like `cpu` in @pastiche/node). Ask for `'auto'` to use a GPU when there is one.
 */
export const DEFAULT_DEVICE: WebDevice = 'wasm';

type ExecutionProviders = NonNullable<InferenceSession.SessionOptions['executionProviders']>;

/**
 * One frozen table from device names to onnxruntime-web execution providers. `auto` takes webgpu on a
 * hardware adapter, else wasm (see openOnDevice).
 */
export const DEVICE_PROVIDERS: Readonly<Record<Exclude<WebDevice, 'auto'>, ExecutionProviders>> = Object.freeze({
  webgpu: Object.freeze(['webgpu']) as unknown as ExecutionProviders,
  wasm: Object.freeze(['wasm']) as unknown as ExecutionProviders,
});

export const WEBGPU_HINT =
  "WebGPU needs Chrome or Edge 113+ (or another browser with WebGPU enabled), a secure context (https or localhost) " +
  "and a GPU the browser supports; on Linux Chrome it may need --enable-unsafe-webgpu. Use device 'wasm' to run on the CPU.";

export function validateDevice(device: unknown): WebDevice {
  if (typeof device !== 'string' || !(WEB_DEVICES as readonly string[]).includes(device)) {
    throw new TypeError(`Expected one of ${WEB_DEVICES.join(', ')} for device but received ${describeValue(device)}`);
  }
  return device as WebDevice;
}

/** What `navigator.gpu.requestAdapter()` reports, reduced to what messages and tests need. */
export interface WebGpuAdapterInfo {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** True for software or otherwise limited adapters (e.g. SwiftShader). */
  isFallbackAdapter: boolean;
}

/** The WebGPU surface used here; TypeScript's DOM library does not declare WebGPU. */
interface GpuAdapterLike {
  readonly info?: Partial<Omit<WebGpuAdapterInfo, 'isFallbackAdapter'>> & { isFallbackAdapter?: boolean };
  readonly isFallbackAdapter?: boolean;
}
interface GpuLike {
  requestAdapter(options?: { powerPreference?: 'low-power' | 'high-performance' }): Promise<GpuAdapterLike | null>;
}

/**
 * Asks this browser (or worker) for a WebGPU adapter. Resolves to its info, or to the reason there is none.
 * Works the same on the main thread and in a worker (`WorkerNavigator.gpu`).
 */
export async function probeWebGpu(): Promise<{ adapter: WebGpuAdapterInfo } | { reason: string }> {
  const gpu = (globalThis.navigator as { gpu?: GpuLike } | undefined)?.gpu;
  if (!gpu) return { reason: 'navigator.gpu is undefined (no WebGPU in this browser or context)' };
  let adapter: GpuAdapterLike | null;
  try {
    adapter = await gpu.requestAdapter();
  } catch (cause) {
    return { reason: `navigator.gpu.requestAdapter() failed: ${(cause as Error)?.message ?? cause}` };
  }
  if (!adapter) return { reason: 'navigator.gpu.requestAdapter() returned no adapter' };
  const info = adapter.info ?? {};
  return {
    adapter: {
      vendor: info.vendor ?? '',
      architecture: info.architecture ?? '',
      device: info.device ?? '',
      description: info.description ?? '',
      isFallbackAdapter: Boolean(info.isFallbackAdapter ?? adapter.isFallbackAdapter),
    },
  };
}

/** The error for a device that cannot start, with what to do. */
export function deviceUnavailable(device: string, cause: unknown): PasticheError {
  const reason = ((cause as Error)?.message ?? String(cause)).split('\n')[0];
  const hint = device === 'webgpu' ? ` ${WEBGPU_HINT}` : '';
  return new PasticheError('E_DEVICE_UNAVAILABLE', `Device '${device}' is unavailable: ${reason}.${hint}`, { cause });
}

let warnedFallback = false;

/** Warns once per page or worker that `auto` fell back to wasm. */
export function warnFallbackOnce(reason: string): void {
  if (warnedFallback) return;
  warnedFallback = true;
  console.warn(`Pastiche device 'auto' is using wasm: ${reason}`);
}
