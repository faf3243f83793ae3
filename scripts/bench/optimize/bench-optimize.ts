/**
 * `npm run bench:optimize` (issue 3 item 6): Pastiche's loss+gradient graphs against PyTorch autograd on
 * the same loss networks, weights and loss, on CPU:
 *   1. wall and CPU ms per loss+gradient evaluation at 256² and 512², SqueezeNet 1.1 and VGG19-partial,
 *      default layers, each side at its defaults and with sleeping idle threads (configs.ts), plus how
 *      closely loss and gradient agree with PyTorch's (and each with a float64 reference);
 *   2. wall time to the loss that torch.optim.LBFGS reaches in 100 iterations (SqueezeNet, chelsea and
 *      starry_night at 256 px), for Pastiche's L-BFGS with and without [0, 255] bounds;
 *   3. the race users run (defaults-race.ts): PyTorch's L-BFGS on the full 512-px problem, one scale, 100
 *      iterations, against Pastiche's defaults (coarse to fine) until they reach its loss.
 * The PyTorch side is torch_loss_nets.py (Debian's /usr/bin/python3); without it only Pastiche is timed.
 * Writes scripts/bench/optimize/RESULTS.md, keeping its hand-written '## Analysis' section.
 * Flags: --quick (tiny smoke test, writes nothing), --no-write, --threads N, --rounds N (race rounds),
 * --defaults-race-only (only item 3, whose section replaces the one in RESULTS.md),
 * --wait-seconds S (most to wait for other processes to calm down before each measurement; 60).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { MAX_FOREIGN_LOAD, benchEvaluations, type EvalPlan, type EvalRow } from './evaluations.js';
import type { PlanarImage } from '../../../packages/core/src/index.js';
import { NETWORKS, loadImage, openEngine } from './inputs.js';
import { TORCH_CONFIGS, pasticheConfigs } from './configs.js';
import { machineFacts, waitForQuiet } from '../machine.js';
import { race, summarizeRace, type RacePlan } from './race.js';
import { DEFAULTS_RACE_HEADING, keptAnalysis, renderResults, replaceSection } from './results.js';
import { raceDefaults, renderDefaultsRace, type DefaultsRace } from './defaults-race.js';
import { torchAvailable, type TorchReady } from './torch-worker.js';

const { values: flags } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    'no-write': { type: 'boolean', default: false },
    threads: { type: 'string', default: '2' },
    rounds: { type: 'string' },
    'wait-seconds': { type: 'string', default: '60' },
    'defaults-race-only': { type: 'boolean', default: false },
  },
});

/** Few runs: VGG19 at 512² takes 1–2 s per evaluation on each side, and the machine is shared. */
const FULL: { evals: Record<string, EvalPlan[]>; race: RacePlan; defaultsRace: { side: number; rounds: number } } = {
  evals: {
    squeezenet: [{ size: 256, warmup: 2, runs: 9 }, { size: 512, warmup: 2, runs: 7 }],
    vgg19: [{ size: 256, warmup: 2, runs: 7 }, { size: 512, warmup: 1, runs: 5 }],
  },
  race: { side: 256, torchIterations: 100, cap: 300, rounds: 2 },
  defaultsRace: { side: 512, rounds: 2 },
};
const QUICK: typeof FULL = {
  evals: { squeezenet: [{ size: 64, warmup: 1, runs: 3 }], vgg19: [{ size: 48, warmup: 1, runs: 3 }] },
  race: { side: 64, torchIterations: 10, cap: 30, rounds: 1 },
  defaultsRace: { side: 64, rounds: 1 },
};
const plan = flags.quick ? QUICK : FULL;
if (flags.rounds) plan.race.rounds = Number(flags.rounds);
const threads = Number(flags.threads);
const log = (...a: unknown[]) => console.error(...a);
const quiet = async () => {
  const load = await waitForQuiet(flags.quick ? 0 : Number(flags['wait-seconds']), MAX_FOREIGN_LOAD);
  if (load >= MAX_FOREIGN_LOAD) log(`  (other processes still use ${Math.round(load * 100)}% of the CPUs; measuring anyway)`);
};

async function main(): Promise<void> {
  const facts = machineFacts();
  const hasTorch = torchAvailable();
  const dir = mkdtempSync(join(tmpdir(), 'pastiche-bench-optimize-'));
  const torch = hasTorch ? { threads, dir } : undefined;
  if (!hasTorch) log('PyTorch peer unavailable: /usr/bin/python3 cannot import torch and onnx (apt-get install python3-torch python3-onnx).');
  log(`${facts.cores} × ${facts.cpuModel}; Node ${facts.node}; onnxruntime-node ${facts.onnxruntimeNode}; ${threads} threads`);
  try {
    const images = { content: await loadImage('content/chelsea.png'), style: await loadImage('style/starry_night.jpg') };
    if (flags['defaults-race-only']) {
      if (!torch) throw new Error('The defaults race needs the PyTorch peer.');
      const section = renderDefaultsRace(await runDefaultsRace(images, torch));
      console.log(`\n${section}`);
      const path = fileURLToPath(new URL('./RESULTS.md', import.meta.url));
      if (!flags.quick && !flags['no-write']) {
        writeFileSync(path, replaceSection(readFileSync(path, 'utf8'), DEFAULTS_RACE_HEADING, section));
        log('updated scripts/bench/optimize/RESULTS.md');
      }
      return;
    }
    const rows: EvalRow[] = [];
    let raceSummary: ReturnType<typeof summarizeRace> | undefined;
    let raceSize: { width: number; height: number } | undefined;
    for (const network of NETWORKS) {
      log(`${network.title}: loss+gradient evaluations`);
      const engines = [];
      for (const config of pasticheConfigs(threads)) engines.push({ config, engine: await openEngine(network, config.sessionOptions) });
      try {
        for (const p of plan.evals[network.key]) {
          await quiet();
          rows.push(await benchEvaluations(network, engines, images, p, torch));
        }
        if (network.key === 'squeezenet' && torch) {
          log(`${network.title}: L-BFGS race at ${plan.race.side} px`);
          await quiet();
          const r = await race(network, engines, images, plan.race, { ...torch, configs: TORCH_CONFIGS });
          raceSummary = summarizeRace(r);
          raceSize = { width: r.width, height: r.height };
        }
      } finally {
        await Promise.all(engines.map((e) => e.engine.dispose()));
      }
    }
    const defaultsRace = torch ? await runDefaultsRace(images, torch) : undefined;
    const torchInfo: TorchReady | undefined = rows.find((r) => r.peer)?.peer;
    const text = renderResults({ facts, torch: torchInfo, threads, rows, race: raceSummary, raceSize, racePlan: plan.race, defaultsRace, quick: flags.quick });
    console.log(`\n${text}`);
    if (!flags.quick && !flags['no-write']) {
      const path = fileURLToPath(new URL('./RESULTS.md', import.meta.url));
      const analysis = existsSync(path) ? keptAnalysis(readFileSync(path, 'utf8')) : '';
      writeFileSync(path, text + analysis);
      log('wrote scripts/bench/optimize/RESULTS.md');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Item 3 on SqueezeNet (the default loss network) with Pastiche's default session options. */
async function runDefaultsRace(images: { content: PlanarImage; style: PlanarImage }, torch: { threads: number; dir: string }): Promise<DefaultsRace> {
  const network = NETWORKS[0];
  log(`${network.title}: Pastiche's defaults against PyTorch's L-BFGS at ${plan.defaultsRace.side} px`);
  const engine = await openEngine(network, pasticheConfigs(threads)[0].sessionOptions);
  try {
    await quiet();
    return await raceDefaults(network, engine, images, torch, plan.defaultsRace.rounds, plan.defaultsRace.side);
  } finally {
    await engine.dispose();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
