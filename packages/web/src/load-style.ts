import { StyleModel, type ModelConventionOverrides } from '@pastiche/core';
import { validateDevice } from './devices.js';
import { deviceKey, openOnDevice, type DeviceOptions } from './open-on-device.js';
import { resolveStyleReference, type ResolveStyleOptions, type StyleInput } from './resolve-style.js';
import { configureRuntime, webRuntime, type WebRuntimeOptions } from './runtime.js';
import { sessions } from './session-cache.js';

/** Options for loading a style model. */
export interface LoadStyleOptions extends ResolveStyleOptions, WebRuntimeOptions, DeviceOptions {
  /** Overrides of the model's conventions (layout, range, channel order, mean/std, size multiple). */
  conventions?: ModelConventionOverrides;
}

/** A model with a session on a device. */
export interface LoadedStyle {
  model: StyleModel;
  /** What the session runs on: `webgpu`, `wasm`, or the execution providers given. */
  device: string;
}

/** A loaded style owns its model's session. */
class CachedStyle implements LoadedStyle {
  constructor(
    readonly model: StyleModel,
    readonly device: string,
  ) {}
  dispose(): Promise<void> {
    return this.model.dispose();
  }
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
  const key = JSON.stringify(['style', reference.key, deviceKey(options), options.conventions ?? null]);
  const loaded = await sessions.get(key, async () => {
    const bytes = await reference.readBytes();
    const { value: model, device } = await openOnDevice(options, (sessionOptions) =>
      StyleModel.load(bytes, webRuntime, { name: reference.name, conventions: options.conventions, sessionOptions }),
    );
    return new CachedStyle(model, device);
  });
  // Every caller hears `ready`, also when the session already existed (then it is the only event).
  options.onLoadProgress?.({ status: 'ready', name: loaded.model.name, device: loaded.device });
  return { model: loaded.model, device: loaded.device };
}
