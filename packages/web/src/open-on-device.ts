import { PasticheError } from '@pastiche/core';
import type { InferenceSession } from 'onnxruntime-web';
import {
  DEFAULT_DEVICE,
  DEVICE_PROVIDERS,
  deviceUnavailable,
  probeWebGpu,
  validateDevice,
  warnFallbackOnce,
  type WebDevice,
} from './devices.js';

type SessionOptions = InferenceSession.SessionOptions;

/** Where sessions run. */
export interface DeviceOptions {
  /** @default 'wasm' (see DEFAULT_DEVICE) */
  device?: WebDevice;
  /** Raw onnxruntime-web execution providers; when given, `device` is ignored. */
  executionProviders?: SessionOptions['executionProviders'];
  /** Other onnxruntime-web session options (graph optimisation, logging, …). */
  sessionOptions?: Omit<SessionOptions, 'executionProviders'>;
}

type ConcreteDevice = Exclude<WebDevice, 'auto'>;

function providerName(ep: NonNullable<SessionOptions['executionProviders']>[number]): string {
  return typeof ep === 'string' ? ep : ep.name;
}

/** Identifies the device choice in session cache keys. */
export function deviceKey(options: DeviceOptions): string {
  const device = options.executionProviders ? options.executionProviders.map(providerName) : (options.device ?? DEFAULT_DEVICE);
  return JSON.stringify([device, options.sessionOptions ?? null]);
}

async function openOn<T>(device: ConcreteDevice, options: DeviceOptions, open: (o: SessionOptions) => Promise<T>) {
  try {
    return { value: await open({ ...options.sessionOptions, executionProviders: [...DEVICE_PROVIDERS[device]] }), device };
  } catch (error) {
    // Core reports a session that would not start as E_MODEL_LOAD; on WebGPU that means the device.
    if (device === 'webgpu' && error instanceof PasticheError && error.code === 'E_MODEL_LOAD') throw deviceUnavailable(device, error.cause);
    throw error;
  }
}

/**
 * Opens sessions (through `open`) on the requested device. `webgpu` needs an adapter; `auto` takes WebGPU
 * on a hardware adapter and otherwise wasm, with one console warning.
 */
export async function openOnDevice<T>(options: DeviceOptions, open: (o: SessionOptions) => Promise<T>): Promise<{ value: T; device: string }> {
  if (options.executionProviders) {
    const value = await open({ ...options.sessionOptions, executionProviders: options.executionProviders });
    return { value, device: options.executionProviders.map(providerName).join(',') };
  }
  const device = validateDevice(options.device ?? DEFAULT_DEVICE);
  if (device === 'wasm') return openOn('wasm', options, open);
  const probe = await probeWebGpu();
  if (device === 'webgpu') {
    if ('reason' in probe) throw deviceUnavailable('webgpu', probe.reason);
    return openOn('webgpu', options, open);
  }
  if ('reason' in probe) {
    warnFallbackOnce(`${probe.reason}.`);
    return openOn('wasm', options, open);
  }
  // A fallback adapter is a software rasterizer (SwiftShader): correct, but far slower than wasm.
  if (probe.adapter.isFallbackAdapter) {
    const name = [probe.adapter.vendor, probe.adapter.architecture].filter(Boolean).join(' ') || 'unnamed';
    warnFallbackOnce(
      `the only WebGPU adapter is a software fallback (${name}), which is slower than wasm. Ask for device 'webgpu' to use it anyway.`,
    );
    return openOn('wasm', options, open);
  }
  try {
    return await openOn('webgpu', options, open);
  } catch (error) {
    if (!(error instanceof PasticheError && error.code === 'E_DEVICE_UNAVAILABLE')) throw error;
    warnFallbackOnce(error.message);
    return openOn('wasm', options, open);
  }
}
