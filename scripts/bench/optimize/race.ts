import { join } from 'node:path';
import { createOptimizer, fitLongestSide, resizeImage, type GatysEngine, type PlanarImage } from '../../../packages/node/src/index.js';
import type { PasticheConfig, TorchConfig } from './configs.js';
import { problemFor, writeCase, type Network, type Problem } from './inputs.js';
import { LoadProbe, median, sleep } from './machine.js';
import { TorchWorker } from './torch-worker.js';

export interface RacePlan {
  /** Longest side of content and style. */
  side: number;
  /** PyTorch's iterations, whose final loss is the target. */
  torchIterations: number;
  /** Most Pastiche iterations. */
  cap: number;
  /** Rounds (PyTorch, Pastiche bounded, Pastiche unbounded each once per round, in rotating order). */
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

export interface RaceResult {
  width: number;
  height: number;
  torch: TorchRun[];
  bounded: PasticheRun[];
  unbounded: PasticheRun[];
  /** The loss Pastiche had to reach: PyTorch's final loss in its first run. */
  target: number;
  /** Mean share of the CPUs that other processes used during the runs. */
  foreignLoad: number;
  /** The configurations raced (each side's faster one in the evaluation benchmark). */
  configs: { pastiche: string; torch: string };
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
 * the same problem (targets and weights from computeStyleTargets, passed to PyTorch as files).
 */
export async function race(
  network: Network,
  chosen: { engine: GatysEngine; config: PasticheConfig },
  images: { content: PlanarImage; style: PlanarImage },
  plan: RacePlan,
  torch: { threads: number; dir: string; config: TorchConfig },
): Promise<RaceResult> {
  const { engine } = chosen;
  const size = fitLongestSide(images.content.width, images.content.height, plan.side);
  const content = resizeImage(images.content, size.width, size.height);
  const problem = await problemFor(engine, content, images.style, content.data.slice());
  const worker = new TorchWorker(writeCase(join(torch.dir, `race-${network.key}`), network, engine, problem), torch.threads, torch.config.env);
  try {
    await worker.ready();
    // Warm both sides up at this size (first runs allocate).
    for (let i = 0; i < 2; i++) {
      await worker.request('run');
      await engine.evaluate(problem.x, problem.width, problem.height, problem.targets, problem.weights);
    }
    const result: RaceResult = { ...size, torch: [], bounded: [], unbounded: [], target: NaN, foreignLoad: 0, configs: { pastiche: chosen.config.label, torch: torch.config.label } };
    const loads: number[] = [];
    const pastiche = async (key: 'bounded' | 'unbounded', bounded: boolean) => {
      const r = await runPastiche(engine, problem, bounded, result.target, plan.torchIterations, plan.cap);
      result[key].push(r);
      const reached = r.reached ? `reached it at it ${r.reached.iterations} (${r.reached.evaluations} evals) in ${(r.reached.ms / 1000).toFixed(1)} s` : `never reached it (${r.iterations} it, ${r.stop})`;
      log(`  Pastiche ${key}: ${reached}; loss ${r.finalLoss.toPrecision(6)}`);
    };
    const sides = {
      torch: async () => {
        const r = await worker.request<TorchRun>(`lbfgs ${plan.torchIterations}`);
        if (Number.isNaN(result.target)) result.target = r.loss;
        result.torch.push(r);
        log(`  PyTorch: ${r.iterations} it, ${r.evaluations} evals, ${(r.ms / 1000).toFixed(1)} s, loss ${r.loss.toPrecision(6)}`);
      },
      bounded: async () => pastiche('bounded', true),
      unbounded: async () => pastiche('unbounded', false),
    };
    // PyTorch goes first in round 1 (its loss is the target); then the order rotates.
    const order = ['torch', 'bounded', 'unbounded'] as const;
    for (let round = 0; round < plan.rounds; round++) {
      for (let k = 0; k < order.length; k++) {
        await sleep(300);
        const probe = new LoadProbe([worker.pid]);
        await sides[order[(k + round) % order.length]]();
        loads.push(probe.foreignLoad());
      }
    }
    result.foreignLoad = loads.reduce((a, b) => a + b, 0) / loads.length;
    return result;
  } finally {
    worker.close();
  }
}

/** Medians over rounds of what the table shows. */
export function summarizeRace(r: RaceResult) {
  const pastiche = (runs: PasticheRun[]) => {
    const reached = runs.filter((x) => x.reached).map((x) => x.reached!);
    const at100 = runs.filter((x) => x.atTorchIterations).map((x) => x.atTorchIterations!);
    return {
      reachedRuns: reached.length,
      runs: runs.length,
      ms: reached.length ? median(reached.map((x) => x.ms)) : undefined,
      iterations: reached.length ? median(reached.map((x) => x.iterations)) : undefined,
      evaluations: reached.length ? median(reached.map((x) => x.evaluations)) : undefined,
      at100: at100.length ? { ms: median(at100.map((x) => x.ms)), loss: median(at100.map((x) => x.loss)), evaluations: median(at100.map((x) => x.evaluations)) } : undefined,
    };
  };
  return {
    foreignLoad: r.foreignLoad,
    configs: r.configs,
    torch: {
      ms: median(r.torch.map((x) => x.ms)),
      loss: r.target,
      losses: r.torch.map((x) => x.loss),
      iterations: median(r.torch.map((x) => x.iterations)),
      evaluations: median(r.torch.map((x) => x.evaluations)),
    },
    bounded: pastiche(r.bounded),
    unbounded: pastiche(r.unbounded),
  };
}
