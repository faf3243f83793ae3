import type { InferenceSession } from 'onnxruntime-common';
import { expectOneOf, expectOptions, invalidType, invalidValue, isObject, isString } from '../arguments.js';
import { PasticheError } from '../errors.js';
import type { DeviceTable, ExecutionProviders, Platform } from './platform.js';

/** Where sessions run. */
export interface DeviceOptions<Device extends string> {
  /** A device name of the platform's table (`auto` tries the fastest that starts). @default the platform's default */
  device?: Device;
  /** Raw onnxruntime execution providers, tried in order by onnxruntime; when given, `device` must be omitted. */
  executionProviders?: ExecutionProviders;
  /** Other onnxruntime session options (threads, graph optimisation, logging, …). */
  sessionOptions?: Omit<InferenceSession.SessionOptions, 'executionProviders'>;
}

export interface ResolvedDeviceOptions<Device extends string> {
  device: Device;
  executionProviders: ExecutionProviders | undefined;
  sessionOptions: Omit<InferenceSession.SessionOptions, 'executionProviders'>;
  /** Identifies the choice in session-cache keys: the full provider list (with its options) and session options. */
  key: string;
}

function providerName(ep: ExecutionProviders[number]): string {
  return typeof ep === 'string' ? ep : ep.name;
}

/** Checks the device options once, at the public boundary. */
export function resolveDeviceOptions<Device extends string>(table: DeviceTable<Device>, options: DeviceOptions<Device>): ResolvedDeviceOptions<Device> {
  const device = options.device === undefined ? table.default : expectOneOf('device', options.device, table.names);
  const eps = options.executionProviders;
  if (eps !== undefined) {
    const expected = 'a non-empty array of execution provider names or { name } objects';
    if (!Array.isArray(eps)) throw invalidType('executionProviders', expected, eps);
    if (eps.length === 0) throw invalidValue('executionProviders', expected, eps);
    eps.forEach((ep, i) => {
      if (!isString(ep) && !(isObject(ep) && isString(ep.name))) throw invalidType(`executionProviders[${i}]`, 'a provider name or { name }', ep);
    });
    if (options.device !== undefined) {
      throw new TypeError("Expected either device or executionProviders but received both: executionProviders already say where to run");
    }
  }
  const sessionOptions = expectOptions<InferenceSession.SessionOptions>('sessionOptions', options.sessionOptions);
  if ('executionProviders' in sessionOptions) {
    throw new TypeError('Expected no executionProviders in sessionOptions: pass them as the executionProviders option');
  }
  return { device, executionProviders: eps, sessionOptions, key: JSON.stringify([eps ?? device, sessionOptions]) };
}

type Concrete<Device extends string> = Exclude<Device, 'auto'>;

/**
 * Opens sessions (through `open`) on the requested device, one policy for every platform: a device that
 * cannot start is E_DEVICE_UNAVAILABLE with the platform's hint; `auto` tries the table's `autoOrder` and
 * falls back with one warning (through `warnFallback`).
 */
export async function openOnDevice<T, Device extends string>(
  platform: Pick<Platform<unknown, unknown, Device, object>, 'devices' | 'probeDevice' | 'deviceHint'>,
  resolved: ResolvedDeviceOptions<Device>,
  open: (sessionOptions: InferenceSession.SessionOptions) => Promise<T>,
  warnFallback: (message: string) => void,
): Promise<{ value: T; device: string }> {
  if (resolved.executionProviders) {
    const value = await open({ ...resolved.sessionOptions, executionProviders: resolved.executionProviders });
    return { value, device: resolved.executionProviders.map(providerName).join(',') };
  }
  const { autoOrder, providers } = platform.devices;
  const fallback = autoOrder[autoOrder.length - 1];
  const unavailable = (device: Concrete<Device>, reason: string, cause?: unknown) =>
    new PasticheError('E_DEVICE_UNAVAILABLE', `Device '${device}' is unavailable: ${reason.split('\n')[0]}. ${platform.deviceHint(device)}`.trim(), {
      cause,
    });
  const openOn = async (device: Concrete<Device>) => {
    try {
      return { value: await open({ ...resolved.sessionOptions, executionProviders: [...providers[device]] }), device: device as string };
    } catch (error) {
      // Core reports a session that would not start as E_MODEL_LOAD; off the fallback device that means the device.
      if (device !== fallback && error instanceof PasticheError && error.code === 'E_MODEL_LOAD') {
        throw unavailable(device, String((error.cause as Error)?.message ?? error.message), error);
      }
      throw error;
    }
  };
  if (resolved.device !== 'auto') {
    const device = resolved.device as Concrete<Device>;
    const reason = device === fallback ? undefined : await platform.probeDevice(device, false);
    if (reason) throw unavailable(device, reason);
    return openOn(device);
  }
  for (const device of autoOrder) {
    if (device === fallback) break;
    const reason = await platform.probeDevice(device, true);
    if (reason) {
      warnFallback(`Pastiche device 'auto' is using ${fallback}: ${device} is unavailable (${reason.split('\n')[0]}).`);
      continue;
    }
    try {
      return await openOn(device);
    } catch (error) {
      if (!(error instanceof PasticheError && error.code === 'E_DEVICE_UNAVAILABLE')) throw error;
      warnFallback(`Pastiche device 'auto' is using ${fallback}: ${error.message}`);
    }
  }
  return openOn(fallback);
}
