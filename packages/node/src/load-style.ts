import { StyleModel, type ModelConventionOverrides } from '@pastiche/core';
import { validateDevice } from './devices.js';
import { deviceKey, openOnDevice, type DeviceOptions } from './open-on-device.js';
import { resolveStyleReference, type ResolveStyleOptions, type StyleInput } from './resolve-style.js';
import { nodeRuntime } from './runtime.js';
import { sessions } from './session-cache.js';

/** Options for loading a style model. */
export interface LoadStyleOptions extends ResolveStyleOptions, DeviceOptions {
  /** Overrides of the model's conventions (layout, range, channel order, mean/std, size multiple). */
  conventions?: ModelConventionOverrides;
}

/** A model with a session on a device. */
export interface LoadedStyle {
  model: StyleModel;
  /** What the session runs on, e.g. `cpu` or `cuda`. */
  device: string;
}

/**
 * Loads a style model with a session on the requested device. Sessions are created once per model,
 * device and options, and reused until `dispose()`. A `StyleModel` passed in is returned as it is.
 */
export async function loadStyle(style: StyleInput, options: LoadStyleOptions = {}): Promise<LoadedStyle> {
  if (style instanceof StyleModel) return { model: style, device: style.runtimeName };
  if (options.device !== undefined) validateDevice(options.device);
  const reference = resolveStyleReference(style, options);
  const key = JSON.stringify(['style', reference.key, deviceKey(options), options.conventions ?? null]);
  const loaded = await sessions.get(key, async () => {
    const bytes = await reference.readBytes();
    const { value: model, device } = await openOnDevice(options, (sessionOptions) =>
      StyleModel.load(bytes, nodeRuntime, { name: reference.name, conventions: options.conventions, sessionOptions }),
    );
    return { model, device, dispose: () => model.dispose() };
  });
  return { model: loaded.model, device: loaded.device };
}
