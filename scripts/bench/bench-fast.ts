/**
 * `npm run bench:fast`: Pastiche (onnxruntime-node, CPU) against PyTorch on the same fast-style
 * TransformerNet (candy) at 256², 512², 1024², with and without Pastiche's graph rewrites, beside a plain VGG
 * forward that measures the machine's conv limit in the same run; then a sweep of onnxruntime session options, and
 * the time to the first result in a fresh process (the built package: run `npm run build` first).
 * Flags: --no-sweep, --no-write (leave BENCHMARKS.md alone), --quick (smoke test, tiny sizes, writes nothing),
 * --model PATH, --threads N, --wait-minutes M (for the model), --max-minutes M (for redoing disturbed runs).
 */
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { convFlops } from './fast/conv-flops.js';
import { measureFirstResult, renderFirstResult } from './fast/first-result.js';
import { interleave, type RunPolicy } from './fast/interleave.js';
import { LineWorker } from './fast/line-worker.js';
import { machineFacts, sleep, waitForQuiet } from './machine.js';
import { optionCandidates, sessionOptionsFor } from './fast/ort-options.js';
import type { WorkerConfig } from './fast/pastiche-worker.js';
import { writeSection } from './benchmarks-file.js';
import { SECTION_TITLE, type SizeRow, type SweepRow } from './fast/report.js';
import { summary } from './fast/summary.js';
import { checkTorchGolden, startTorchWorker, torchAvailable, type TorchInfo } from './fast/torch-peer.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const ASSETS = resolve(ROOT, '../shared/assets');
const WEIGHTS = `${ASSETS}/weights/transform/pytorch-examples-ncnn/candy.bin`;
/** The conv-limit reference: a plain VGG forward (conv3×3 + ReLU + max-pool), built by `npm run models`. */
const REFERENCE = resolve(ROOT, 'models/onnx/vgg19-partial.onnx');
const GOLDEN: [string, string] = [`${ASSETS}/images/content/chelsea_448x300.png`, `${ASSETS}/golden/candy__chelsea_448x300.chw.f32`];

/** Runs per size: enough for a stable median while the whole script stays within a few minutes on 2 cores. */
const FULL = {
  plan: [
    { size: 256, warmup: 3, runs: 15 },
    { size: 512, warmup: 2, runs: 9 },
    { size: 1024, warmup: 1, runs: 5 },
  ],
  sweep: { size: 512, warmup: 1, runs: 8 },
};
/** `--quick`: a smoke test of the script itself; its numbers mean nothing and are not written. */
const QUICK = {
  plan: [
    { size: 64, warmup: 1, runs: 3 },
    { size: 128, warmup: 1, runs: 3 },
  ],
  sweep: { size: 128, warmup: 1, runs: 2 },
};
/** Runs during which other processes used more than this share of the CPUs are redone. */
const MAX_FOREIGN_LOAD = 0.1;

const { values: flags } = parseArgs({
  options: {
    'no-sweep': { type: 'boolean', default: false },
    'no-write': { type: 'boolean', default: false },
    model: { type: 'string', default: resolve(ROOT, 'models/onnx/candy.onnx') },
    threads: { type: 'string', default: '2' },
    'wait-minutes': { type: 'string', default: '20' },
    quick: { type: 'boolean', default: false },
    'max-minutes': { type: 'string', default: '40' },
  },
});
const { plan: PLAN, sweep: SWEEP } = flags.quick ? QUICK : FULL;
const FIRST_RESULT = flags.quick ? { size: 128, rounds: 1 } : { size: 512, rounds: 5 };
/** Seconds to wait for other processes to calm down before each measurement. */
const quietWaitS = flags.quick ? 0 : 60;
/** On a busy machine, disturbed runs are redone only until then; later ones count anyway (and are marked). Set in main(). */
let deadline = Infinity;
const policy = (p: { warmup: number; runs: number }): RunPolicy => ({
  ...p,
  maxForeignLoad: MAX_FOREIGN_LOAD,
  maxExtraRounds: flags.quick ? 0 : 3 * p.runs,
  pauseMs: 150,
  quietWaitS: quietWaitS / 2,
  deadline,
});

const threads = Number(flags.threads);
const model = resolve(flags.model!);
const log = (...a: unknown[]) => console.error(...a);
const logRun = (label: string, s: { ms: number; load: number }) =>
  log(`  ${label}: ${s.ms.toFixed(0)} ms${s.load > MAX_FOREIGN_LOAD ? ` (other processes at ${Math.round(s.load * 100)}%: redo)` : ''}`);

/** `npm run models` may still be writing the model: wait until it exists and its size is stable. */
async function waitForModel(path: string, minutes: number): Promise<void> {
  const giveUp = Date.now() + minutes * 60_000;
  let lastSize = -1;
  for (;;) {
    const size = existsSync(path) ? statSync(path).size : -1;
    if (size > 0 && size === lastSize) return;
    if (Date.now() > giveUp) throw new Error(`${path} did not appear within ${minutes} min; run \`npm run models\` first.`);
    if (size < 0 && lastSize < 0) log(`waiting for ${path} (npm run models)…`);
    lastSize = size;
    await sleep(size > 0 ? 2000 : 10_000);
  }
}

async function startPastiche(label: string, config: WorkerConfig): Promise<LineWorker> {
  const script = fileURLToPath(new URL('./fast/pastiche-worker.ts', import.meta.url));
  // The same Node flags as this process (tsx's loader), so the worker can run TypeScript.
  const worker = new LineWorker(label, process.execPath, [...process.execArgv, script, JSON.stringify(config)]);
  await worker.ready();
  return worker;
}

/** Per size: a fresh Pastiche process and a fresh PyTorch process, their runs interleaved. */
async function measureSizes(withTorch: boolean): Promise<SizeRow[]> {
  const rows: SizeRow[] = [];
  for (const p of PLAN) {
    log(`${p.size}²:`);
    const sessionOptions = { intraOpNumThreads: threads };
    const workers = [
      await startPastiche(`pastiche ${p.size}²`, { model, size: p.size, sessionOptions }),
      await startPastiche(`without rewrites ${p.size}²`, { model, size: p.size, sessionOptions, rewrites: false }),
      await startPastiche(`conv limit (VGG) ${p.size}²`, { model: REFERENCE, size: p.size, sessionOptions, raw: true }),
    ];
    if (withTorch) {
      workers.push(startTorchWorker(WEIGHTS, threads, p.size));
      await workers[3].ready();
    }
    const [flops, referenceFlops] = [await convFlops(model, p.size), await convFlops(REFERENCE, p.size)];
    await waitForQuiet(quietWaitS, MAX_FOREIGN_LOAD);
    try {
      const [pastiche, asIs, convLimit, torch] = await interleave(workers, policy(p), logRun);
      rows.push({ size: p.size, pastiche: pastiche!, asIs: asIs!, convLimit: convLimit!, flops, referenceFlops, torch });
    } finally {
      for (const w of workers) w.close();
    }
  }
  return rows;
}

/** Every candidate in its own process, all interleaved, so they share the same machine conditions. */
async function sweepOptions(): Promise<SweepRow[]> {
  log(`session options at ${SWEEP.size}²:`);
  const candidates = optionCandidates(threads);
  const workers: LineWorker[] = [];
  for (const c of candidates) workers.push(await startPastiche(c.name, { model, size: SWEEP.size, sessionOptions: sessionOptionsFor(c, SWEEP.size) }));
  await waitForQuiet(quietWaitS, MAX_FOREIGN_LOAD);
  try {
    const measured = await interleave(workers, policy(SWEEP), logRun);
    return measured.map((m, i) => ({ ...m, generic: candidates[i].generic }));
  } finally {
    for (const w of workers) w.close();
  }
}

async function main(): Promise<void> {
  await waitForModel(model, Number(flags['wait-minutes']));
  deadline = Date.now() + Number(flags['max-minutes']) * 60_000;
  const machine = machineFacts();
  let torch: TorchInfo | undefined;
  if (torchAvailable()) torch = await checkTorchGolden(WEIGHTS, threads, GOLDEN);
  else log('PyTorch peer unavailable: /usr/bin/python3 cannot import torch.');
  log(`model ${model}; ${machine.cores} × ${machine.cpuModel}; ${threads} threads; PyTorch ${torch?.torch ?? 'unavailable'}`);

  const rows = await measureSizes(torch !== undefined);
  const sweep = flags['no-sweep'] ? undefined : await sweepOptions();
  log('time to the first result in fresh processes:');
  const firstResult = renderFirstResult(measureFirstResult(model, FIRST_RESULT.size, FIRST_RESULT.rounds, threads), FIRST_RESULT.size);
  const report = summary({ machine, torch, rows, sweep, threads, plan: PLAN, sweepPlan: SWEEP, maxForeignLoad: MAX_FOREIGN_LOAD, modelPath: model.startsWith(ROOT) ? model.slice(ROOT.length) : model });
  console.log(`\n${report}\n\n${firstResult}\n`);
  if (!flags['no-write'] && !flags.quick) {
    writeSection(resolve(ROOT, 'BENCHMARKS.md'), SECTION_TITLE, `${report}\n\n${firstResult}`);
    log('wrote BENCHMARKS.md');
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
