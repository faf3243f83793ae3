import { join } from 'node:path';
import {
  DEFAULT_GATYS_SIZE,
  fitLongestSide,
  optimizeStyle,
  resizeImage,
  type GatysEngine,
  type PlanarImage,
} from '../../../packages/core/src/index.js';
import { TORCH_CONFIGS } from './configs.js';
import { problemFor, writeCase, type Network } from './inputs.js';
import { LoadProbe, median } from '../machine.js';
import { TorchWorker } from './torch-worker.js';

/**
 * The race users actually run (issue 13 item 2a): PyTorch's L-BFGS on the full-size problem (one scale, 100
 * iterations from the photo, strong Wolfe, history 10) against Pastiche's defaults (coarse to fine). The loss is
 * Pastiche's default loss at the full size; Pastiche's clock stops when its finest scale first reaches PyTorch's
 * final loss (its coarser scales count), and its whole default run is timed too.
 */
export interface DefaultsRace {
  width: number;
  height: number;
  torch: Array<{ config: string; ms: number; loss: number; iterations: number; evaluations: number }>;
  pastiche: Array<{ reachedMs?: number; reachedIteration?: number; totalMs: number; finalLoss: number }>;
  target: number;
  foreignLoad: number;
}

const log = (...a: unknown[]) => console.error(...a);

export async function raceDefaults(
  network: Network,
  engine: GatysEngine,
  images: { content: PlanarImage; style: PlanarImage },
  torch: { threads: number; dir: string },
  rounds: number,
  side = DEFAULT_GATYS_SIZE,
): Promise<DefaultsRace> {
  const size = fitLongestSide(images.content.width, images.content.height, side);
  const content = resizeImage(images.content, size.width, size.height);
  // The default run's finest scale: the same resize of the photo, the same targets and term weights.
  const problem = await problemFor(engine, content, images.style, content.data.slice());
  const caseFile = writeCase(join(torch.dir, `defaults-race-${network.key}`), network, engine, problem);
  const result: DefaultsRace = { ...size, torch: [], pastiche: [], target: NaN, foreignLoad: 0 };
  const loads: number[] = [];
  for (let round = 0; round < rounds; round++) {
    for (const config of TORCH_CONFIGS) {
      const worker = new TorchWorker(caseFile, torch.threads, config.env);
      try {
        await worker.ready();
        const probe = new LoadProbe([worker.pid]);
        const r = await worker.request<{ ms: number; loss: number; iterations: number; evaluations: number }>('lbfgs 100');
        loads.push(probe.foreignLoad());
        if (Number.isNaN(result.target)) result.target = r.loss;
        result.torch.push({ config: config.label, ...r });
        log(`  PyTorch ${config.label}: ${r.iterations} it, ${r.evaluations} evals, ${(r.ms / 1000).toFixed(1)} s, loss ${r.loss.toPrecision(6)}`);
      } finally {
        worker.close();
      }
    }
    const probe = new LoadProbe([]);
    let reached: { ms: number; iteration: number } | undefined;
    let finalLoss = NaN;
    const started = performance.now();
    await optimizeStyle(engine, images.content, [{ image: images.style }], {
      onProgress: (p) => {
        if (p.scale !== p.scales) return;
        finalLoss = p.loss;
        if (!reached && p.loss <= result.target) reached = { ms: p.elapsedMs, iteration: p.iteration };
      },
    });
    const totalMs = performance.now() - started;
    loads.push(probe.foreignLoad());
    result.pastiche.push({ reachedMs: reached?.ms, reachedIteration: reached?.iteration, totalMs, finalLoss });
    log(
      `  Pastiche defaults: ${reached ? `target at finest-scale iteration ${reached.iteration}, ${(reached.ms / 1000).toFixed(1)} s` : 'target not reached'}; ` +
        `whole run ${(totalMs / 1000).toFixed(1)} s, final loss ${finalLoss.toPrecision(6)}`,
    );
  }
  result.foreignLoad = loads.reduce((a, b) => a + b, 0) / loads.length;
  return result;
}

/** The race as a Markdown section for RESULTS.md. */
export function renderDefaultsRace(r: DefaultsRace): string {
  const bestTorch = Math.min(...TORCH_CONFIGS.map((c) => median(r.torch.filter((t) => t.config === c.label).map((t) => t.ms))));
  const reached = r.pastiche.filter((p) => p.reachedMs !== undefined).map((p) => p.reachedMs!);
  const pasticheMs = reached.length === r.pastiche.length ? median(reached) : undefined;
  const totalMs = median(r.pastiche.map((p) => p.totalMs));
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  const rows = [
    ...TORCH_CONFIGS.map((c) => {
      const runs = r.torch.filter((t) => t.config === c.label);
      return `| PyTorch LBFGS, one scale, 100 iterations (${c.label}) | ${s(median(runs.map((t) => t.ms)))} | ${median(runs.map((t) => t.evaluations))} evals, loss ${runs[0].loss.toPrecision(6)} | |`;
    }),
    `| Pastiche defaults (coarse to fine), to PyTorch's loss | ${pasticheMs === undefined ? 'not reached in every run' : s(pasticheMs)} | finest-scale iteration ${r.pastiche.map((p) => p.reachedIteration ?? '–').join(', ')} | ${pasticheMs === undefined ? '–' : `**${(pasticheMs / bestTorch).toFixed(2)}×** (target ≤ 0.33×)`} |`,
    `| Pastiche defaults, whole run | ${s(totalMs)} | final loss ${r.pastiche.map((p) => p.finalLoss.toPrecision(6)).join(', ')} | ${(totalMs / bestTorch).toFixed(2)}× |`,
  ];
  return [
    `| racer | time (median) | detail | / fastest PyTorch |`,
    `| --- | --- | --- | --- |`,
    ...rows,
    '',
    `Run on ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC (\`npm run bench:optimize\`, or \`-- --defaults-race-only\` for this section alone); ` +
      `${r.width}×${r.height}, ${r.pastiche.length} rounds; the loss is Pastiche's default loss at that size (the same targets and term weights on both sides); ` +
      `other processes used ${Math.round(r.foreignLoad * 100)}% of the CPUs meanwhile.`,
  ].join('\n');
}
