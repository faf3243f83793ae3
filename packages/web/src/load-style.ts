import { PasticheError, StyleModel, type ModelConventionOverrides } from '@pastiche/core';
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
import { resolveStyleReference, type ResolveStyleOptions, type StyleInput } from './resolve-style.js';
import { configureRuntime, webRuntime, type WebRuntimeOptions } from './runtime.js';

type SessionOptions = InferenceSession.SessionOptions;

/** Options for loading a style model. */
export interface LoadStyleOptions extends ResolveStyleOptions, WebRuntimeOptions {
  /** @default 'wasm' (see DEFAULT_DEVICE) */
  device?: WebDevice;
  /** Raw onnxruntime-web execution providers; when given, `device` is ignored. */
  executionProviders?: SessionOptions['executionProviders'];
  /** Other onnxruntime-web session options (graph optimisation, logging, …). */
  sessionOptions?: Omit<SessionOptions, 'executionProviders'>;
  /** Overrides of the model's conventions (layout, range, channel order, mean/std, size multiple). */
  conventions?: ModelConventionOverrides;
}

/** A model with a session on a device. */
export interface LoadedStyle {
  model: StyleModel;
  /** What the session runs on: `webgpu`, `wasm`, or the execution providers given. */
  device: string;
}

type ConcreteDevice = Exclude<WebDevice, 'auto'>;

const sessions = new Map<string, Promise<LoadedStyle>>();

function providerName(ep: NonNullable<SessionOptions['executionProviders']>[number]): string {
  return typeof ep === 'string' ? ep : ep.name;
}

function modelOptions(name: string, options: LoadStyleOptions, executionProviders: SessionOptions['executionProviders']) {
  return { name, conventions: options.conventions, sessionOptions: { ...options.sessionOptions, executionProviders } };
}

async function loadOn(bytes: Uint8Array, name: string, device: ConcreteDevice, options: LoadStyleOptions): Promise<LoadedStyle> {
  try {
    const model = await StyleModel.load(bytes, webRuntime, modelOptions(name, options, [...DEVICE_PROVIDERS[device]]));
    return { model, device };
  } catch (error) {
    if (device === 'webgpu' && error instanceof PasticheError && error.code === 'E_MODEL_LOAD') throw deviceUnavailable(device, error.cause);
    throw error;
  }
}

async function loadWebGpu(bytes: Uint8Array, name: string, options: LoadStyleOptions): Promise<LoadedStyle> {
  const probe = await probeWebGpu();
  if ('reason' in probe) throw deviceUnavailable('webgpu', probe.reason);
  return loadOn(bytes, name, 'webgpu', options);
}

async function loadAuto(bytes: Uint8Array, name: string, options: LoadStyleOptions): Promise<LoadedStyle> {
  const probe = await probeWebGpu();
  if ('reason' in probe) {
    warnFallbackOnce(`${probe.reason}.`);
    return loadOn(bytes, name, 'wasm', options);
  }
  // A fallback adapter is a software rasterizer (SwiftShader): correct, but far slower than wasm.
  if (probe.adapter.isFallbackAdapter) {
    const { vendor, architecture } = probe.adapter;
    warnFallbackOnce(`the only WebGPU adapter is a software fallback (${[vendor, architecture].filter(Boolean).join(' ')}), which is slower than wasm. Ask for device 'webgpu' to use it anyway.`);
    return loadOn(bytes, name, 'wasm', options);
  }
  try {
    return await loadOn(bytes, name, 'webgpu', options);
  } catch (error) {
    if (!(error instanceof PasticheError && error.code === 'E_DEVICE_UNAVAILABLE')) throw error;
    warnFallbackOnce(error.message);
    return loadOn(bytes, name, 'wasm', options);
  }
}

async function loadWithDevice(bytes: Uint8Array, name: string, options: LoadStyleOptions): Promise<LoadedStyle> {
  if (options.executionProviders) {
    const model = await StyleModel.load(bytes, webRuntime, modelOptions(name, options, options.executionProviders));
    return { model, device: options.executionProviders.map(providerName).join(',') };
  }
  const device = validateDevice(options.device ?? DEFAULT_DEVICE);
  if (device === 'auto') return loadAuto(bytes, name, options);
  if (device === 'webgpu') return loadWebGpu(bytes, name, options);
  return loadOn(bytes, name, device, options);
}

function cacheKey(reference: string, options: LoadStyleOptions): string {
  const device = options.executionProviders ? options.executionProviders.map(providerName) : (options.device ?? DEFAULT_DEVICE);
  return JSON.stringify([reference, device, options.sessionOptions ?? null, options.conventions ?? null]);
}

/**
 * Loads a style model with a session on the requested device. Sessions are created once per model,
 * device and options, and reused until {@link dispose}. A `StyleModel` passed in is returned as it is.
 */
export async function loadStyle(style: StyleInput, options: LoadStyleOptions = {}): Promise<LoadedStyle> {
  if (style instanceof StyleModel) return { model: style, device: style.runtimeName };
  if (options.device !== undefined) validateDevice(options.device);
  configureRuntime(options);
  const reference = await resolveStyleReference(style, options);
  const key = cacheKey(reference.key, options);
  let loaded = sessions.get(key);
  if (!loaded) {
    loaded = reference.readBytes().then(async (bytes) => {
      const result = await loadWithDevice(bytes, reference.name, options);
      options.onLoadProgress?.({ status: 'ready', name: result.model.name, device: result.device });
      return result;
    });
    sessions.set(key, loaded);
    loaded.catch(() => sessions.delete(key));
  } else if (options.onLoadProgress) {
    const report = options.onLoadProgress;
    loaded.then((r) => report({ status: 'ready', name: r.model.name, device: r.device })).catch(() => undefined);
  }
  return loaded;
}

/** Releases every session that `loadStyle` / `stylize` created. Later calls create new ones. */
export async function dispose(): Promise<void> {
  const all = [...sessions.values()];
  sessions.clear();
  const settled = await Promise.allSettled(all);
  await Promise.all(settled.map((s) => (s.status === 'fulfilled' ? s.value.model.dispose() : undefined)));
}
