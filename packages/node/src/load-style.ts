import { PasticheError, StyleModel, type ModelConventionOverrides } from '@pastiche/core';
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
import { resolveStyleReference, type ResolveStyleOptions, type StyleInput } from './resolve-style.js';
import { nodeRuntime } from './runtime.js';

type SessionOptions = InferenceSession.SessionOptions;

/** Options for loading a style model. */
export interface LoadStyleOptions extends ResolveStyleOptions {
  /** @default 'cpu' (see DEFAULT_DEVICE) */
  device?: NodeDevice;
  /** Raw onnxruntime execution providers; when given, `device` is ignored. */
  executionProviders?: SessionOptions['executionProviders'];
  /** Other onnxruntime session options (threads, graph optimisation, …). */
  sessionOptions?: Omit<SessionOptions, 'executionProviders'>;
  /** Overrides of the model's conventions (layout, range, channel order, mean/std, size multiple). */
  conventions?: ModelConventionOverrides;
}

/** A model with a session on a device. */
export interface LoadedStyle {
  model: StyleModel;
  /** What the session runs on, e.g. `cpu` or `cuda`. */
  device: string;
}

const sessions = new Map<string, Promise<LoadedStyle>>();

function providerName(ep: NonNullable<SessionOptions['executionProviders']>[number]): string {
  return typeof ep === 'string' ? ep : ep.name;
}

async function loadOn(bytes: Uint8Array, name: string, device: Exclude<NodeDevice, 'auto'>, options: LoadStyleOptions): Promise<LoadedStyle> {
  const sessionOptions: SessionOptions = { ...options.sessionOptions, executionProviders: DEVICE_PROVIDERS[device] };
  try {
    return { model: await StyleModel.load(bytes, nodeRuntime, { name, conventions: options.conventions, sessionOptions }), device };
  } catch (error) {
    if (device !== 'cpu' && error instanceof PasticheError && error.code === 'E_MODEL_LOAD') throw deviceUnavailable(device, error.cause);
    throw error;
  }
}

async function loadWithDevice(bytes: Uint8Array, name: string, options: LoadStyleOptions): Promise<LoadedStyle> {
  if (options.executionProviders) {
    const sessionOptions: SessionOptions = { ...options.sessionOptions, executionProviders: options.executionProviders };
    const model = await StyleModel.load(bytes, nodeRuntime, { name, conventions: options.conventions, sessionOptions });
    return { model, device: options.executionProviders.map(providerName).join(',') };
  }
  const device = validateDevice(options.device ?? DEFAULT_DEVICE);
  if (device === 'cuda' && !cudaLibrariesInstalled()) {
    throw deviceUnavailable('cuda', new Error("onnxruntime-node's CUDA provider library is not installed"));
  }
  if (device !== 'auto') return loadOn(bytes, name, device, options);
  if (!cudaLibrariesInstalled()) {
    warnFallbackOnce("onnxruntime-node's CUDA libraries are not installed (see the README, \"Enabling CUDA\").");
    return loadOn(bytes, name, 'cpu', options);
  }
  try {
    return await loadOn(bytes, name, 'cuda', options);
  } catch (error) {
    if (!(error instanceof PasticheError && error.code === 'E_DEVICE_UNAVAILABLE')) throw error;
    warnFallbackOnce(error.message);
    return loadOn(bytes, name, 'cpu', options);
  }
}

function cacheKey(reference: string, options: LoadStyleOptions): string {
  const device = options.executionProviders ? JSON.stringify(options.executionProviders) : (options.device ?? DEFAULT_DEVICE);
  return JSON.stringify([reference, device, options.sessionOptions ?? null, options.conventions ?? null]);
}

/**
 * Loads a style model with a session on the requested device. Sessions are created once per model,
 * device and options, and reused until {@link dispose}. A `StyleModel` passed in is returned as it is.
 */
export function loadStyle(style: StyleInput, options: LoadStyleOptions = {}): Promise<LoadedStyle> {
  if (style instanceof StyleModel) return Promise.resolve({ model: style, device: style.runtimeName });
  if (options.device !== undefined) validateDevice(options.device);
  const reference = resolveStyleReference(style, options);
  const key = cacheKey(reference.key, options);
  let loaded = sessions.get(key);
  if (!loaded) {
    loaded = reference.readBytes().then((bytes) => loadWithDevice(bytes, reference.name, options));
    sessions.set(key, loaded);
    loaded.catch(() => sessions.delete(key));
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
