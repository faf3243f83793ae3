import { fileURLToPath } from 'node:url';
import { LineWorker } from '../fast/line-worker.js';
import type { WorkerConfig } from '../fast/pastiche-worker.js';

/** One contender of a browser benchmark, as the interleaving loop drives it: a Node process or a browser page. */
export interface Runner {
  readonly label: string;
  /** The processes whose CPU time is this contender's own while it runs (all else counts as other load). */
  pids(): number[];
  /** One timed run, in ms (timed where it runs). */
  run(): Promise<number>;
  /** Peak resident memory of its process in MiB (NaN where there is no single process, e.g. a page). */
  peakRssMiB(): Promise<number>;
  close(): Promise<void>;
}

/**
 * A benchmark worker script in a fresh Node process, speaking scripts/bench/fast/line-worker.ts' protocol: it prints
 * a line once ready, then answers `run` with `{ ms }` and `end` with `{ peakRssMiB }`. Started with this process'
 * Node flags (tsx's loader), so that it can be TypeScript.
 */
export async function lineWorkerRunner(label: string, script: string, config: unknown): Promise<Runner & { worker: LineWorker }> {
  const worker = new LineWorker(label, process.execPath, [...process.execArgv, script, JSON.stringify(config)]);
  await worker.ready();
  let peak = NaN;
  return {
    label,
    worker,
    pids: () => [worker.pid],
    run: async () => (await worker.request<{ ms: number }>('run')).ms,
    peakRssMiB: async () => {
      if (Number.isNaN(peak)) peak = (await worker.request<{ peakRssMiB: number }>('end')).peakRssMiB;
      return peak;
    },
    close: async () => worker.close(),
  };
}

/**
 * @pastiche/node on onnxruntime-node's CPU provider, in a fresh process: scripts/bench/fast/pastiche-worker.ts,
 * the same worker `npm run bench:fast` times (StyleModel.run on uniform 0..255 pixels, one size per process).
 */
export function pasticheNodeRunner(label: string, config: WorkerConfig): Promise<Runner & { worker: LineWorker }> {
  return lineWorkerRunner(label, fileURLToPath(new URL('../fast/pastiche-worker.ts', import.meta.url)), config);
}
