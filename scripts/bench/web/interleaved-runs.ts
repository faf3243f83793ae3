import { LoadProbe, sleep, waitForQuiet } from '../machine.js';
import type { RunPolicy as FastRunPolicy } from '../fast/interleave.js';
import { median, percentile } from '../fast/stats.js';
import type { Runner } from './runner.js';

export interface RunPolicy extends FastRunPolicy {
  /**
   * After the `warmup` runs, go on warming a contender up until its last three runs are within this ratio of each
   * other (at most `maxWarmup` runs in all). Chromium compiles wasm with its baseline compiler first and tiers hot
   * functions up while they run: onnxruntime-web reaches its steady speed after about ten runs of a style network.
   */
  stableWithin?: number;
  maxWarmup?: number;
}

/** What one contender measured at one size. */
export interface Timing {
  label: string;
  medianMs: number;
  p90Ms: number;
  runs: number;
  /** Runs redone because other processes were busy; `kept` of them counted after all (no time left). */
  disturbed: number;
  kept: number;
  /** Mean share of the CPUs other processes used during the counted runs. */
  foreignLoad: number;
  peakRssMiB: number;
}

interface Sample {
  ms: number;
  load: number;
}

async function timedRun(runner: Runner, pauseMs: number): Promise<Sample> {
  await sleep(pauseMs);
  const probe = new LoadProbe(runner.pids());
  const ms = await runner.run();
  return { ms, load: probe.foreignLoad() };
}

/**
 * As scripts/bench/fast/interleave.ts, for any {@link Runner}: warm-up runs (until steady, see {@link RunPolicy}),
 * then one run of each contender at a
 * time in rotating order (A B C, B C A, …) until each has `runs` runs during which other processes used at most
 * `maxForeignLoad` of the CPUs; disturbed runs are redone (waiting for quiet) until `deadline`.
 */
export async function interleaveRunners(
  runners: readonly Runner[],
  policy: RunPolicy,
  onRun?: (label: string, s: Sample) => void,
  onWarm?: (label: string, times: readonly number[]) => void,
): Promise<Timing[]> {
  for (const r of runners) {
    const times: number[] = [];
    const steady = () => times.length >= 3 && Math.max(...times.slice(-3)) <= (policy.stableWithin ?? Infinity) * Math.min(...times.slice(-3));
    while (times.length < policy.warmup || (!steady() && times.length < (policy.maxWarmup ?? policy.warmup))) times.push((await timedRun(r, policy.pauseMs)).ms);
    if (times.length > policy.warmup) onWarm?.(r.label, times);
  }
  const clean: Sample[][] = runners.map(() => []);
  const disturbed: Sample[][] = runners.map(() => []);
  for (let round = 0; round < policy.runs + policy.maxExtraRounds; round++) {
    const order = runners.map((_, i) => (i + round) % runners.length);
    const pending = order.filter((i) => clean[i]!.length < policy.runs);
    if (pending.length === 0 || (round >= policy.runs && Date.now() > policy.deadline)) break;
    for (const i of pending) {
      const s = await timedRun(runners[i]!, policy.pauseMs);
      onRun?.(runners[i]!.label, s);
      const quiet = s.load <= policy.maxForeignLoad;
      (quiet ? clean[i]! : disturbed[i]!).push(s);
      if (!quiet && policy.quietWaitS > 0 && Date.now() < policy.deadline) await waitForQuiet(policy.quietWaitS, policy.maxForeignLoad);
    }
  }
  const results: Timing[] = [];
  for (const [i, r] of runners.entries()) {
    const fill = [...disturbed[i]!].sort((a, b) => a.load - b.load).slice(0, Math.max(0, policy.runs - clean[i]!.length));
    const used = [...clean[i]!, ...fill];
    const times = used.map((s) => s.ms);
    results.push({
      label: r.label,
      medianMs: median(times),
      p90Ms: percentile(times, 90),
      runs: used.length,
      disturbed: disturbed[i]!.length,
      kept: fill.length,
      foreignLoad: used.reduce((a, s) => a + s.load, 0) / used.length,
      peakRssMiB: await r.peakRssMiB(),
    });
  }
  return results;
}
