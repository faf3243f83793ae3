import type { LineWorker } from './line-worker.js';
import { LoadProbe, sleep, waitForQuiet } from '../machine.js';
import { median, percentile } from './stats.js';

export interface RunPolicy {
  warmup: number;
  /** Timed runs wanted per worker. */
  runs: number;
  /** A run during which other processes used more than this share of the CPUs is redone. */
  maxForeignLoad: number;
  /** Extra rounds allowed for redoing disturbed runs. */
  maxExtraRounds: number;
  /** After a disturbed run, wait up to this long for the machine to calm down. */
  quietWaitS: number;
  /** Stop redoing disturbed runs after this time (Date.now() milliseconds). */
  deadline: number;
  /** Idle time before each run, so the previous worker's spinning threads have gone to sleep. */
  pauseMs: number;
}

export interface Measured {
  label: string;
  medianMs: number;
  p90Ms: number;
  runs: number;
  /** Runs redone because another process was busy; `kept` of them were used after all (no clean ones left). */
  disturbed: number;
  kept: number;
  /** Mean share of the CPUs other processes used during the runs that count. */
  foreignLoad: number;
  peakRssMiB: number;
}

interface Sample {
  ms: number;
  load: number;
}

async function timedRun(worker: LineWorker, pauseMs: number): Promise<Sample> {
  await sleep(pauseMs);
  // Only the running worker counts as ours: an idle worker still burning CPU would show up as load.
  const probe = new LoadProbe([worker.pid]);
  const { ms } = await worker.request<{ ms: number }>('run');
  return { ms, load: probe.foreignLoad() };
}

/**
 * Runs the workers one run at a time in rotating order (A B C, B C A, …) until each has
 * `runs` undisturbed timings, then ends them and collects their peak RSS.
 */
export async function interleave(workers: readonly LineWorker[], policy: RunPolicy, onRun?: (label: string, s: Sample) => void): Promise<Measured[]> {
  for (let i = 0; i < policy.warmup; i++) for (const w of workers) await timedRun(w, policy.pauseMs);
  const clean: Sample[][] = workers.map(() => []);
  const disturbed: Sample[][] = workers.map(() => []);
  for (let round = 0; round < policy.runs + policy.maxExtraRounds; round++) {
    const order = workers.map((_, i) => (i + round) % workers.length);
    const pending = order.filter((i) => clean[i].length < policy.runs);
    if (pending.length === 0 || (round >= policy.runs && Date.now() > policy.deadline)) break;
    for (const i of pending) {
      const s = await timedRun(workers[i], policy.pauseMs);
      onRun?.(workers[i].label, s);
      const quiet = s.load <= policy.maxForeignLoad;
      (quiet ? clean[i] : disturbed[i]).push(s);
      if (!quiet && Date.now() < policy.deadline) await waitForQuiet(policy.quietWaitS, policy.maxForeignLoad);
    }
  }
  const results: Measured[] = [];
  for (const [i, w] of workers.entries()) {
    // Out of rounds: fill up with the least disturbed runs rather than report fewer samples.
    const fill = [...disturbed[i]].sort((a, b) => a.load - b.load).slice(0, Math.max(0, policy.runs - clean[i].length));
    const used = [...clean[i], ...fill];
    const times = used.map((s) => s.ms);
    const { peakRssMiB } = await w.request<{ peakRssMiB: number }>('end');
    results.push({
      label: w.label,
      medianMs: median(times),
      p90Ms: percentile(times, 90),
      runs: used.length,
      disturbed: disturbed[i].length,
      kept: fill.length,
      foreignLoad: used.reduce((a, s) => a + s.load, 0) / used.length,
      peakRssMiB,
    });
  }
  return results;
}
