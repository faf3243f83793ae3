import { join } from 'node:path';
import { createOptimizer, fitLongestSide, resizeImage, type GatysEngine, type PlanarImage } from '../../../packages/core/src/index.js';
import type { PasticheConfig, TorchConfig } from './configs.js';
import { problemFor, writeCase, type Network, type Problem } from './inputs.js';
import { LoadProbe, median, sleep } from '../machine.js';
import { TorchWorker } from './torch-worker.js';

export interface RacePlan {
  /** Longest side of content and style. */
  side: number;
  /** PyTorch's iterations, whose final loss is the target. */
  torchIterations: number;
  /** Most Pastiche iterations. */
  cap: number;
  /** Rounds: every racer runs once per round, in rotating order. */
  rounds: number;
}

export interface TorchRun {
  ms: number;
  loss: number;
  iterations: number;
  evaluations: number;
}

export interface PasticheRun {
  /** Time, iterations and evaluations until the loss first reached the target; undefined if it never did. */
  reached?: { ms: number; iterations: number; evaluations: number };
  /** The same after `torchIterations` iterations, for a like-for-like view. */
  atTorchIterations?: { ms: number; loss: number; evaluations: number };
  finalLoss: number;
  iterations: number;
  stop: string;
}

/** Runs of each racer: `torch.<config>`, `bounded.<config>`, `unbounded.<config>` (configs.ts). */
export interface RaceResult {
  width: number;
  height: number;
  torch: Record<string, TorchRun[]>;
  pastiche: Record<string, PasticheRun[]>;
  /** The loss Pastiche had to reach: PyTorch's final loss in its first run. */
  target: number;
  /** Mean share of the CPUs that other processes used during the runs. */
  foreignLoad: number;
}

const log = (...a: unknown[]) => console.error(...a);

/**
 * Pastiche's L-BFGS from x0 until it has reached `target` and done at least `minIterations` (or hit
 * `cap`). The clock covers the optimiser and its evaluations, as PyTorch's does; targets were made before.
 */
async function runPastiche(engine: GatysEngine, p: Problem, bounded: boolean, target: number, minIterations: number, cap: number): Promise<PasticheRun> {
  const objective = (x: Float32Array) => engine.evaluate(x, p.width, p.height, p.targets, p.weights);
  const start = performance.now();
  // Evaluation budget as generous as PyTorch's (10 per iteration), so iterations are what is capped.
  const options = { maxIterations: cap, maxEvaluations: 10 * cap, historySize: 10, learningRate: 1 };
  const optimizer = createOptimizer('lbfgs', p.x, objective, bounded ? { ...options, bounds: [0, 255] as const } : options);
  const run: PasticheRun = { finalLoss: NaN, iterations: 0, stop: '' };
  while (optimizer.stopReason === undefined) {
    const r = await optimizer.step();
    const ms = performance.now() - start;
    if (!run.reached && r.loss <= target) run.reached = { ms, iterations: r.iteration, evaluations: r.evaluations };
    if (r.iteration === minIterations) run.atTorchIterations = { ms, loss: r.loss, evaluations: r.evaluations };
    run.finalLoss = r.loss;
    run.iterations = r.iteration;
    run.stop = r.stop ?? 'target reached';
    if (run.reached && r.iteration >= minIterations) break;
  }
  return run;
}

/**
 * Wall time to PyTorch's 100-iteration loss: torch.optim.LBFGS (strong Wolfe, history 10, lr 1,
 * unbounded) against Pastiche's L-BFGS with and without [0, 255] bounds, from the content image, on
 * the same problem (targets and weights from computeStyleTargets, passed to PyTorch as files). Every
 * configuration of each side races, so that each side's best can be compared under the same load.
 */
export async function race(
  network: Network,
  engines: ReadonlyArray<{ config: PasticheConfig; engine: GatysEngine }>,
  images: { content: PlanarImage; style: PlanarImage },
  plan: RacePlan,
  torch: { threads: number; dir: string; configs: readonly TorchConfig[] },
): Promise<RaceResult> {
  const size = fitLongestSide(images.content.width, images.content.height, plan.side);
  const content = resizeImage(images.content, size.width, size.height);
  const problem = await problemFor(engines[0].engine, content, images.style, content.data.slice());
  const caseFile = writeCase(join(torch.dir, `race-${network.key}`), network, engines[0].engine, problem);
  const workers = torch.configs.map((config) => ({ config, worker: new TorchWorker(caseFile, torch.threads, config.env) }));
  try {
    await Promise.all(workers.map((w) => w.worker.ready()));
    // Warm every racer up at this size (first runs allocate).
    for (let i = 0; i < 2; i++) {
      for (const { worker } of workers) await worker.request('run');
      for (const { engine } of engines) await engine.evaluate(problem.x, problem.width, problem.height, problem.targets, problem.weights);
    }
    const result: RaceResult = { ...size, torch: {}, pastiche: {}, target: NaN, foreignLoad: 0 };
    const racers: Array<{ key: string; run: () => Promise<void> }> = [];
    for (const { config, worker } of workers) {
      const key = `torch.${config.key}`;
      result.torch[key] = [];
      racers.push({
        key,
        run: async () => {
          const r = await worker.request<TorchRun>(`lbfgs ${plan.torchIterations}`);
          if (Number.isNaN(result.target)) result.target = r.loss;
          result.torch[key].push(r);
          log(`  ${key.padEnd(20)} ${r.iterations} it, ${r.evaluations} evals, ${(r.ms / 1000).toFixed(1)} s, loss ${r.loss.toPrecision(6)}`);
        },
      });
    }
    for (const { config, engine } of engines) {
      for (const bounded of [true, false]) {
        const key = `${bounded ? 'bounded' : 'unbounded'}.${config.key}`;
        result.pastiche[key] = [];
        racers.push({
          key,
          run: async () => {
            const r = await runPastiche(engine, problem, bounded, result.target, plan.torchIterations, plan.cap);
            result.pastiche[key].push(r);
            const reached = r.reached ? `it ${r.reached.iterations} (${r.reached.evaluations} evals) in ${(r.reached.ms / 1000).toFixed(1)} s` : `not reached (${r.iterations} it, ${r.stop})`;
            log(`  ${key.padEnd(20)} target ${reached}; loss ${r.finalLoss.toPrecision(6)}`);
          },
        });
      }
    }
    // PyTorch goes first in round 1 (its loss is the target); then the order rotates.
    const loads: number[] = [];
    const pids = workers.map((w) => w.worker.pid);
    for (let round = 0; round < plan.rounds; round++) {
      for (let k = 0; k < racers.length; k++) {
        await sleep(300);
        const probe = new LoadProbe(pids);
        await racers[(k + round) % racers.length].run();
        loads.push(probe.foreignLoad());
      }
    }
    result.foreignLoad = loads.reduce((a, b) => a + b, 0) / loads.length;
    return result;
  } finally {
    for (const { worker } of workers) worker.close();
  }
}

function summarizePastiche(key: string, runs: PasticheRun[]) {
  const reached = runs.filter((x) => x.reached).map((x) => x.reached!);
  const at100 = runs.filter((x) => x.atTorchIterations).map((x) => x.atTorchIterations!);
  const m = (values: number[]) => (values.length ? median(values) : undefined);
  return {
    key,
    reachedRuns: reached.length,
    runs: runs.length,
    ms: m(reached.map((x) => x.ms)),
    iterations: m(reached.map((x) => x.iterations)),
    evaluations: m(reached.map((x) => x.evaluations)),
    at100: at100.length ? { ms: median(at100.map((x) => x.ms)), loss: median(at100.map((x) => x.loss)), evaluations: median(at100.map((x) => x.evaluations)) } : undefined,
  };
}

/** Medians over rounds per racer, and each side's fastest configuration. */
export function summarizeRace(r: RaceResult) {
  const torch = Object.entries(r.torch).map(([key, runs]) => ({
    key,
    ms: median(runs.map((x) => x.ms)),
    iterations: median(runs.map((x) => x.iterations)),
    evaluations: median(runs.map((x) => x.evaluations)),
  }));
  const pastiche = Object.entries(r.pastiche).map(([key, runs]) => summarizePastiche(key, runs));
  const fastest = <T extends { ms?: number }>(list: T[]) => list.reduce((a, b) => ((b.ms ?? Infinity) < (a.ms ?? Infinity) ? b : a));
  return {
    foreignLoad: r.foreignLoad,
    target: r.target,
    losses: Object.values(r.torch).flat().map((x) => x.loss),
    rounds: Object.values(r.torch)[0].length,
    torch,
    pastiche,
    best: {
      torch: fastest(torch),
      bounded: fastest(pastiche.filter((p) => p.key.startsWith('bounded.'))),
      unbounded: fastest(pastiche.filter((p) => p.key.startsWith('unbounded.'))),
    },
  };
}
