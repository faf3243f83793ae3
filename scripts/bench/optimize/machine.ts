import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';

export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  os: string;
  node: string;
  onnxruntimeNode: string;
}

export function machine(): Machine {
  const require = createRequire(import.meta.url);
  return {
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    onnxruntimeNode: (require('onnxruntime-node/package.json') as { version: string }).version,
  };
}

const USER_HZ = 100; // clock ticks per second in /proc on Linux

/** Busy CPU seconds of the whole machine, from /proc/stat (everything but idle and iowait). */
function machineBusySeconds(): number {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  return (f.reduce((a, b) => a + b, 0) - f[3] - (f[4] ?? 0)) / USER_HZ;
}

/** CPU seconds of another live process (utime + stime). */
function processSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / USER_HZ;
  } catch {
    return 0;
  }
}

const ownSeconds = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

/**
 * Share of the machine's CPUs that processes other than ours (this one and `pids`) used since creation:
 * other engineers' tests run on the same 2 cores, so every timing carries the load it saw.
 */
export class LoadProbe {
  private readonly t0 = performance.now();
  private readonly busy0 = machineBusySeconds();
  private readonly ours0: number;

  constructor(private readonly pids: readonly number[] = []) {
    this.ours0 = this.ours();
  }

  private ours(): number {
    return ownSeconds() + this.pids.reduce((s, pid) => s + processSeconds(pid), 0);
  }

  foreignLoad(): number {
    const wall = (performance.now() - this.t0) / 1000;
    const foreign = machineBusySeconds() - this.busy0 - (this.ours() - this.ours0);
    return Math.max(0, Math.min(1, foreign / (wall * os.cpus().length)));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * Waits (at most `maxWaitS`) until other processes use under `threshold` of the CPUs over 2 s, so a
 * measurement does not start in the middle of someone's test run. Returns the last load seen.
 */
export async function waitForQuiet(maxWaitS: number, threshold: number): Promise<number> {
  const deadline = Date.now() + maxWaitS * 1000;
  for (;;) {
    const probe = new LoadProbe();
    await sleep(2000);
    const load = probe.foreignLoad();
    if (load < threshold || Date.now() >= deadline) return load;
  }
}
