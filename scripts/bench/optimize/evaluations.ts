import { join } from 'node:path';
import { SeededRandom, resizeImage, type GatysEngine, type PlanarImage } from '../../../packages/core/src/index.js';
import { checkAgreement, type Agreement } from './agreement.js';
import { TORCH_CONFIGS, type PasticheConfig } from './configs.js';
import { problemFor, writeCase, type Network, type Problem } from './inputs.js';
import { LoadProbe, median, sleep } from '../machine.js';
import { TorchWorker, type TorchReady } from './torch-worker.js';

export interface EvalPlan {
  size: number;
  warmup: number;
  runs: number;
}

/**
 * Median wall ms and CPU ms (user + system, all threads of the process) per evaluation for each
 * configuration, keyed `pastiche.<key>` / `torch.<key>` (configs.ts).
 */
export interface EvalRow {
  network: string;
  size: number;
  ms: Record<string, number>;
  cpuMs: Record<string, number>;
  /** Timed runs per configuration, and how many of all of them ran while other processes were busy. */
  runs: number;
  disturbed: number;
  /** Mean share of the CPUs used by other processes during the runs that count. */
  foreignLoad: number;
  agreement?: Agreement;
  /** What the PyTorch worker reported on start. */
  peer?: TorchReady;
}

/** Pause before each timed run so the previous side's spinning threads have gone to sleep. */
const PAUSE_MS = 200;
/** A run during which other processes used more than this share of the CPUs is redone. */
export const MAX_FOREIGN_LOAD = 0.15;
const log = (...a: unknown[]) => console.error(...a);

/** content squashed to size², plus 30% seeded noise, so every term and the gradient are far from zero. */
function evaluationPoint(content: PlanarImage): Float32Array {
  const rng = new SeededRandom(1);
  return content.data.map((v) => 0.7 * v + 0.3 * 255 * rng.uniform());
}

interface Timing {
  ms: number;
  cpuMs: number;
}

interface Side {
  key: string;
  run: () => Promise<Timing>;
}

interface Sample extends Timing {
  load: number;
}

/**
 * Single runs of each side in rotating order (A B C D, B C D A, …), so all see the same background load;
 * runs disturbed by other processes are redone while extra rounds last (half as many as `runs`), else the
 * least disturbed are kept.
 */
async function interleave(sides: Side[], pids: number[], plan: EvalPlan) {
  const clean: Sample[][] = sides.map(() => []);
  const disturbed: Sample[][] = sides.map(() => []);
  const rounds = plan.warmup + plan.runs + Math.ceil(plan.runs / 2);
  for (let round = 0; round < rounds && !clean.every((c) => c.length >= plan.runs); round++) {
    for (let k = 0; k < sides.length; k++) {
      const i = (k + round) % sides.length;
      if (round >= plan.warmup && clean[i].length >= plan.runs) continue;
      await sleep(PAUSE_MS);
      const probe = new LoadProbe(pids);
      const s = { ...(await sides[i].run()), load: probe.foreignLoad() };
      if (round >= plan.warmup) (s.load <= MAX_FOREIGN_LOAD ? clean[i] : disturbed[i]).push(s);
    }
  }
  return clean.map((c, i) => {
    const fill = [...disturbed[i]].sort((a, b) => a.load - b.load).slice(0, Math.max(0, plan.runs - c.length));
    return { key: sides[i].key, used: [...c, ...fill], disturbed: fill.length };
  });
}

function pasticheSide(key: string, engine: GatysEngine, p: Problem): Side {
  return {
    key,
    run: async () => {
      const start = performance.now();
      const cpu = process.cpuUsage(); // this process: onnxruntime's threads included
      await engine.evaluate(p.x, p.width, p.height, p.targets, p.weights);
      const used = process.cpuUsage(cpu);
      return { ms: performance.now() - start, cpuMs: (used.user + used.system) / 1000 };
    },
  };
}

/**
 * ms per loss+gradient evaluation at size² for one network: Pastiche (one engine per configuration) and,
 * when available, PyTorch (one worker per configuration) on the same problem, after checking that both
 * compute the same loss and gradient.
 */
export async function benchEvaluations(
  network: Network,
  engines: ReadonlyArray<{ config: PasticheConfig; engine: GatysEngine }>,
  images: { content: PlanarImage; style: PlanarImage },
  plan: EvalPlan,
  torch: { threads: number; dir: string } | undefined,
): Promise<EvalRow> {
  const content = resizeImage(images.content, plan.size, plan.size);
  const style = resizeImage(images.style, plan.size, plan.size);
  const engine = engines[0].engine; // targets do not depend on session options
  const problem = await problemFor(engine, content, style, evaluationPoint(content));
  const workers: Array<{ key: string; worker: TorchWorker }> = [];
  let agreement: Agreement | undefined;
  let peer: TorchReady | undefined;
  try {
    if (torch) {
      const dir = join(torch.dir, `${network.key}-${plan.size}`);
      const caseFile = writeCase(dir, network, engine, problem);
      for (const c of TORCH_CONFIGS) workers.push({ key: `torch.${c.key}`, worker: new TorchWorker(caseFile, torch.threads, c.env) });
      [peer] = await Promise.all(workers.map((w) => w.worker.ready()));
      agreement = await checkAgreement(engine, workers[0].worker, problem, dir);
    }
    const sides: Side[] = [
      ...engines.map((e) => pasticheSide(`pastiche.${e.config.key}`, e.engine, problem)),
      ...workers.map(({ key, worker }) => ({ key, run: () => worker.request<Timing>('run') })),
    ];
    const results = await interleave(sides, workers.map((w) => w.worker.pid), plan);
    const show = (s: Sample[]) => s.map((x) => `${x.ms.toFixed(0)}/${x.cpuMs.toFixed(0)}${x.load > MAX_FOREIGN_LOAD ? '*' : ''}`).join(' ');
    log(`  ${network.title} ${plan.size}² (wall/CPU ms; * = disturbed):`);
    for (const r of results) log(`    ${r.key.padEnd(18)} ${show(r.used)}`);
    const all = results.flatMap((r) => r.used);
    return {
      network: network.title,
      size: plan.size,
      ms: Object.fromEntries(results.map((r) => [r.key, median(r.used.map((s) => s.ms))])),
      cpuMs: Object.fromEntries(results.map((r) => [r.key, median(r.used.map((s) => s.cpuMs))])),
      runs: plan.runs,
      disturbed: results.reduce((a, r) => a + r.disturbed, 0),
      foreignLoad: all.reduce((a, s) => a + s.load, 0) / all.length,
      agreement,
      peer,
    };
  } finally {
    for (const w of workers) w.worker.close();
  }
}
