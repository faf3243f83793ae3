import { PasticheError } from '@pastiche/core';
import type { InferenceSession } from 'onnxruntime-node';
import {
  DEFAULT_DEVICE,
  DEVICE_PROVIDERS,
  cudaLibrariesInstalled,
  deviceUnavailable,
  validateDevice,
  warnFallbackOnce,
  type NodeDevice,
} from './devices.js';

type SessionOptions = InferenceSession.SessionOptions;

/** Where sessions run. */
export interface DeviceOptions {
  /** @default 'cpu' (see DEFAULT_DEVICE) */
  device?: NodeDevice;
  /** Raw onnxruntime execution providers; when given, `device` is ignored. */
  executionProviders?: SessionOptions['executionProviders'];
  /** Other onnxruntime session options (threads, graph optimisation, …). */
  sessionOptions?: Omit<SessionOptions, 'executionProviders'>;
}

/** Identifies the device choice in cache keys. */
export function deviceKey(options: DeviceOptions): string {
  const device = options.executionProviders ? JSON.stringify(options.executionProviders) : (options.device ?? DEFAULT_DEVICE);
  return JSON.stringify([device, options.sessionOptions ?? null]);
}

function providerName(ep: NonNullable<SessionOptions['executionProviders']>[number]): string {
  return typeof ep === 'string' ? ep : ep.name;
}

async function openOn<T>(device: Exclude<NodeDevice, 'auto'>, options: DeviceOptions, open: (o: SessionOptions) => Promise<T>) {
  try {
    return { value: await open({ ...options.sessionOptions, executionProviders: DEVICE_PROVIDERS[device] }), device };
  } catch (error) {
    // Core reports a session that would not start as E_MODEL_LOAD; on a GPU device that means the device.
    if (device !== 'cpu' && error instanceof PasticheError && error.code === 'E_MODEL_LOAD') throw deviceUnavailable(device, error.cause);
    throw error;
  }
}

/**
 * Opens sessions (through `open`) on the requested device: CUDA and WebGPU failures become
 * E_DEVICE_UNAVAILABLE with what to install, and `auto` falls back to the CPU with one warning.
 */
export async function openOnDevice<T>(options: DeviceOptions, open: (o: SessionOptions) => Promise<T>): Promise<{ value: T; device: string }> {
  if (options.executionProviders) {
    const value = await open({ ...options.sessionOptions, executionProviders: options.executionProviders });
    return { value, device: options.executionProviders.map(providerName).join(',') };
  }
  const device = validateDevice(options.device ?? DEFAULT_DEVICE);
  if (device === 'cuda' && !cudaLibrariesInstalled()) {
    throw deviceUnavailable('cuda', new Error("onnxruntime-node's CUDA provider library is not installed"));
  }
  if (device !== 'auto') return openOn(device, options, open);
  if (!cudaLibrariesInstalled()) {
    warnFallbackOnce("onnxruntime-node's CUDA libraries are not installed (see the README, \"Enabling CUDA\").");
    return openOn('cpu', options, open);
  }
  try {
    return await openOn('cuda', options, open);
  } catch (error) {
    if (!(error instanceof PasticheError && error.code === 'E_DEVICE_UNAVAILABLE')) throw error;
    warnFallbackOnce(error.message);
    return openOn('cpu', options, open);
  }
}
