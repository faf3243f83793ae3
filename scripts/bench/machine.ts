import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';

/** What the machine is and how busy it is: shared by `npm run bench:fast` and `npm run bench:optimize`. */
export interface MachineFacts {
  cpuModel: string;
  cores: number;
  memoryGiB: number;
  os: string;
  node: string;
  onnxruntimeNode: string;
}

export function machineFacts(): MachineFacts {
  const cpus = os.cpus();
  const require = createRequire(import.meta.url);
  const ort = require('onnxruntime-node/package.json') as { version: string };
  return {
    cpuModel: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    onnxruntimeNode: ort.version,
  };
}

const USER_HZ = 100; // clock ticks per second in /proc on Linux

/** Busy CPU seconds of the whole machine (all cores, all processes), from /proc/stat. */
function machineBusySeconds(): number {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal …: busy = everything but idle and iowait.
  return (fields.reduce((a, b) => a + b, 0) - fields[3] - (fields[4] ?? 0)) / USER_HZ;
}

/** User + system CPU seconds of a live process, from /proc/PID/stat (utime, stime). */
function processCpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / USER_HZ;
  } catch {
    return 0; // exited
  }
}

/**
 * Measures how much CPU processes *other* than ours used during a time window, as a fraction of the
 * machine, so that a timing taken while something else was busy can be seen and redone.
 */
export class LoadProbe {
  private readonly pids: number[];
  private readonly busy0: number;
  private readonly ours0: number;
  private readonly t0 = performance.now();

  /** `pids`: our worker processes; this process is always counted as ours. */
  constructor(pids: readonly number[] = []) {
    this.pids = [process.pid, ...pids];
    this.busy0 = machineBusySeconds();
    this.ours0 = this.ours();
  }

  private ours(): number {
    return this.pids.reduce((sum, pid) => sum + processCpuSeconds(pid), 0);
  }

  /** Share of all cores used by other processes since construction (0..1). */
  foreignLoad(): number {
    const wallS = (performance.now() - this.t0) / 1000;
    const foreign = machineBusySeconds() - this.busy0 - (this.ours() - this.ours0);
    return Math.max(0, Math.min(1, foreign / (wallS * os.cpus().length)));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * Waits (up to `maxWaitS`) until other processes use less than `threshold` of the CPUs over a
 * 2-second window. Returns the last measured load; the caller proceeds either way.
 */
export async function waitForQuiet(maxWaitS: number, threshold: number, pids: readonly number[] = []): Promise<number> {
  const deadline = Date.now() + maxWaitS * 1000;
  for (;;) {
    const probe = new LoadProbe(pids);
    await sleep(2000);
    const load = probe.foreignLoad();
    if (load < threshold || Date.now() >= deadline) return load;
  }
}
