import { readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import type { InferenceSession } from 'onnxruntime-node';

/**
 * Physical cores this process may use: hyperthread siblings count once (Linux sysfs), capped by the CPUs the process
 * may run on. onnxruntime's own default is meant to be the same, but on some virtual machines it finds one core where
 * there are two (measured here: candy at 512² took 600 ms with onnxruntime's default, 360 ms with 2 threads).
 */
export function physicalCoreCount(): number {
  const usable = availableParallelism();
  const root = '/sys/devices/system/cpu';
  let names: string[];
  try {
    names = readdirSync(root).filter((name) => /^cpu\d+$/.test(name));
  } catch {
    return usable; // not Linux, or no sysfs: every CPU the process may use
  }
  const siblings = new Set<string>();
  for (const name of names) {
    try {
      siblings.add(readFileSync(`${root}/${name}/topology/thread_siblings_list`, 'utf8').trim());
    } catch {
      // an offline CPU has no topology
    }
  }
  return siblings.size > 0 ? Math.min(siblings.size, usable) : usable;
}

/** Session options with `intraOpNumThreads` set to the physical cores unless the caller chose a number. */
export function withDefaultThreads(options: InferenceSession.SessionOptions | undefined): InferenceSession.SessionOptions {
  return options?.intraOpNumThreads === undefined ? { ...options, intraOpNumThreads: physicalCoreCount() } : options;
}
