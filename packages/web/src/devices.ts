import type { DeviceTable } from '@pastiche/core';

/** Where a style network runs in the browser. */
export type WebDevice = 'auto' | 'webgpu' | 'wasm';

/**
 * Device names → onnxruntime-web execution providers. The default is wasm, which runs everywhere, so that no
 * page prints a fallback warning by default (like `cpu` in @pastiche/node); `auto` takes WebGPU on a hardware
 * adapter.
 */
export const WEB_DEVICES: DeviceTable<WebDevice> = Object.freeze({
  names: Object.freeze(['auto', 'webgpu', 'wasm'] as const),
  default: 'wasm',
  providers: Object.freeze({ webgpu: Object.freeze(['webgpu']), wasm: Object.freeze(['wasm']) }) as DeviceTable<WebDevice>['providers'],
  autoOrder: Object.freeze(['webgpu', 'wasm'] as const),
});

export const WEBGPU_HINT =
  "WebGPU needs Chrome or Edge 113+ (or another browser with WebGPU enabled), a secure context (https or localhost) " +
  "and a GPU the browser supports; on Linux Chrome it may need --enable-unsafe-webgpu. Use device 'wasm' to run on the CPU.";

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

/** Why WebGPU should not be used: no adapter, or (for `auto`) only a software one, slower than wasm. */
export async function webGpuUnavailable(forAuto: boolean): Promise<string | undefined> {
  const probe = await probeWebGpu();
  if ('reason' in probe) return probe.reason;
  if (forAuto && probe.adapter.isFallbackAdapter) {
    const name = [probe.adapter.vendor, probe.adapter.architecture].filter(Boolean).join(' ') || 'unnamed';
    return `the only WebGPU adapter is a software fallback (${name}), which is slower than wasm; ask for device 'webgpu' to use it anyway`;
  }
  return undefined;
}
