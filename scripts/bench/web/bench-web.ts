/**
 * `npm run bench:web`: ml5's wave network (models/onnx/ml5-wave.onnx) in Chromium on this machine —
 * @pastiche/web (onnxruntime-web wasm), stock onnxruntime-web on the same file, and stock TensorFlow.js
 * (@tensorflow/tfjs-backend-wasm) running the same network from the same checkpoint — against @pastiche/node
 * (onnxruntime-node, CPU), at 256² and 512², pages cross-origin isolated (wasm threads) or not.
 * Flags: --quick (smoke test: 64² and 128², few runs, writes nothing), --no-write (leave BENCHMARKS.md alone),
 * --threads N (node's intra-op threads and the peers' explicit thread count; default: the machine's cores),
 * --max-minutes M (stop redoing disturbed runs after M minutes).
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { machineFacts, waitForQuiet } from '../machine.js';
import { compare, fromBase64, referenceOutput, type Agreement } from './agreement.js';
import { BrowserPages, chromiumVersion } from './browser-pages.js';
import { interleaveRunners, type RunPolicy, type Timing } from './interleaved-runs.js';
import type { PeerConfig } from './page/peer.js';
import { writeSection } from '../benchmarks-file.js';
import { loadAverage, markdownTable, ms, pct, ratio, redone } from './report.js';
import { pasticheNodeRunner, type Runner } from './runner.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const ASSETS = resolve(ROOT, '../shared/assets');
const MODEL = resolve(ROOT, 'models/onnx/ml5-wave.onnx');
const CHECKPOINT = resolve(ASSETS, 'weights/transform/ml5-deeplearnjs/wave');
const SECTION_TITLE = '## Browser: fast style transfer against its peers (npm run bench:web)';
/** Seed of the input image every peer makes for the agreement check. */
const SEED = 20261206;

const { values: flags } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    'no-write': { type: 'boolean', default: false },
    threads: { type: 'string', default: String(os.cpus().length) },
    'max-minutes': { type: 'string', default: '30' },
  },
});

const FULL = { agreementSize: 256, plan: [{ size: 256, warmup: 2, runs: 9 }, { size: 512, warmup: 1, runs: 7 }] };
const QUICK = { agreementSize: 64, plan: [{ size: 64, warmup: 1, runs: 2 }, { size: 128, warmup: 1, runs: 2 }] };
const { agreementSize, plan: PLAN } = flags.quick ? QUICK : FULL;
const MAX_FOREIGN_LOAD = 0.1;
const threads = Number(flags.threads);
const quietWaitS = flags.quick ? 0 : 60;
const log = (...a: unknown[]) => console.error(...a);

/** One contender: @pastiche/node in a Node process, or a peer in a page of its own. */
interface Contender {
  label: string;
  /** Absent: @pastiche/node. */
  page?: { isolated: boolean; config: PeerConfig };
}

const pageConfig = (peer: PeerConfig['peer'], explicitThreads?: number, reportCores?: number): PeerConfig => ({
  peer,
  threads: explicitThreads,
  reportCores,
  modelUrl: '/models/ml5-wave.onnx',
  checkpointUrl: '/checkpoint/',
  tfjsCoreUrl: '/tfjs-core/',
  tfjsWasmUrl: '/tfjs-wasm/',
});

const NODE_LABEL = '@pastiche/node';
const PASTICHE_WEB = '@pastiche/web defaults, isolated page';
const CONTENDERS: readonly Contender[] = [
  { label: NODE_LABEL },
  { label: PASTICHE_WEB, page: { isolated: true, config: pageConfig('pastiche') } },
  { label: '@pastiche/web, isolated page, numThreads 1', page: { isolated: true, config: pageConfig('pastiche', 1) } },
  { label: '@pastiche/web defaults, page not isolated', page: { isolated: false, config: pageConfig('pastiche') } },
  { label: `onnxruntime-web, isolated page, numThreads ${threads}`, page: { isolated: true, config: pageConfig('onnxruntime-web', threads) } },
  { label: 'onnxruntime-web defaults, isolated page', page: { isolated: true, config: pageConfig('onnxruntime-web') } },
  { label: 'onnxruntime-web defaults, page not isolated', page: { isolated: false, config: pageConfig('onnxruntime-web') } },
  // tfjs-backend-wasm takes at most half of navigator.hardwareConcurrency threads: the page reports twice the cores.
  { label: `TF.js wasm, isolated page, setThreadsCount(${threads}), ${2 * threads} cores reported`, page: { isolated: true, config: pageConfig('tfjs', threads, 2 * threads) } },
  { label: 'TF.js wasm defaults, isolated page', page: { isolated: true, config: pageConfig('tfjs') } },
  { label: 'TF.js wasm defaults, page not isolated', page: { isolated: false, config: pageConfig('tfjs') } },
];

type PageInfo = Record<string, string | number | boolean>;

/** A dependency's version from its package.json (some packages do not export that path). */
function versionOf(name: string): string {
  return (JSON.parse(readFileSync(resolve(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
}

/** Warm-up goes on until three runs in a row are within 10% (Chromium tiers wasm up while it runs), at most 20 runs. */
const WARM_UP = flags.quick ? {} : { stableWithin: 1.1, maxWarmup: 20 };
const logWarm = (label: string, times: readonly number[]) => log(`  ${label}: warm-up ${times.map(ms).join(', ')}`);
const logRun = (label: string, s: { ms: number; load: number }) =>
  log(`  ${label}: ${ms(s.ms)}${s.load > MAX_FOREIGN_LOAD ? ` (other processes at ${pct(s.load)}: redo)` : ''}`);

interface SizeResult {
  size: number;
  timings: Timing[];
}

function report(args: {
  results: SizeResult[];
  infos: Map<string, PageInfo>;
  agreements: Agreement[];
  startLoad: number;
  endLoad: number;
  started: Date;
}): string {
  const machine = machineFacts();
  const { results, infos, agreements } = args;
  const byLabel = (r: SizeResult, label: string) => r.timings.find((t) => t.label === label)!;
  const rows = CONTENDERS.map((c) => {
    const info = infos.get(c.label);
    const cells = [c.label, info ? String(info.threads) : `${threads} (intraOpNumThreads)`];
    for (const r of results) {
      const t = byLabel(r, c.label);
      const node = byLabel(r, NODE_LABEL);
      cells.push(`${ms(t.medianMs)} (${ms(t.p90Ms)})`, c.label === NODE_LABEL ? '1×' : ratio(t.medianMs / node.medianMs));
    }
    cells.push(results.map((r) => `${byLabel(r, c.label).runs}/${redone(byLabel(r, c.label))}/${pct(byLabel(r, c.label).foreignLoad)}`).join(', '));
    return cells;
  });
  const header = ['contender', 'wasm threads'];
  for (const r of results) header.push(`${r.size}² median (p90)`, `${r.size}² vs node`);
  header.push('runs/redone/other load per size');

  const verdicts = results.map((r) => {
    const x = byLabel(r, PASTICHE_WEB).medianMs / byLabel(r, NODE_LABEL).medianMs;
    return `${r.size}² ${ratio(x)} ${x <= 2 ? '(met)' : '(not met)'}`;
  });
  const stockOrt = CONTENDERS.find((c) => c.page?.config.peer === 'onnxruntime-web' && c.page.config.threads === threads)!.label;
  const tfjs = CONTENDERS.find((c) => c.page?.config.peer === 'tfjs' && c.page.config.threads === threads)!.label;
  const speedups = results.map((r) => `${r.size}² ${ratio(byLabel(r, stockOrt).medianMs / byLabel(r, PASTICHE_WEB).medianMs)} faster than stock onnxruntime-web, ${ratio(byLabel(r, tfjs).medianMs / byLabel(r, PASTICHE_WEB).medianMs)} faster than TF.js`);
  const sample = [...infos.values()];
  const pastiche = infos.get(PASTICHE_WEB);
  return [
    `Generated by \`npm run bench:web\` on ${args.started.toISOString().slice(0, 16).replace('T', ' ')} UTC.`,
    '',
    `**Target: @pastiche/web within 2× of @pastiche/node at 256² and 512²: ${verdicts.join(', ')}.** @pastiche/web with its defaults: ${speedups.join('; ')}.`,
    '',
    '### Machine and peers',
    '',
    markdownTable(['what', 'value'], [
      ['CPU', `${machine.cores} × ${machine.cpuModel}, ${machine.memoryGiB} GiB, ${machine.os}`],
      ['browser', `${chromiumVersion()} (/usr/bin/chromium, headless, driven by playwright-core ${versionOf('playwright-core')})`],
      ['Node / onnxruntime-node', `${machine.node} / ${machine.onnxruntimeNode}`],
      ['onnxruntime-web', versionOf('onnxruntime-web')],
      ['TensorFlow.js', `@tensorflow/tfjs-core ${versionOf('@tensorflow/tfjs-core')}, @tensorflow/tfjs-backend-wasm ${versionOf('@tensorflow/tfjs-backend-wasm')}`],
      ['model', '`models/onnx/ml5-wave.onnx` (`npm run models`, from ../shared/assets/weights/transform/ml5-deeplearnjs/wave); TF.js builds the same network from the same checkpoint (`scripts/bench/web/page/tfjs-transform-net.ts`, ml5\'s ops)'],
      ['@pastiche/web defaults', pastiche ? `${pastiche.threads} wasm threads, graph rewrites: ${pastiche.rewrites ?? 'none'}` : '–'],
      ['load', `1-minute load average ${args.startLoad.toFixed(2)} at the start, ${args.endLoad.toFixed(2)} at the end; other processes' share of the CPUs during the counted runs in the table`],
    ]),
    '',
    '### Median time per image (p90), and the ratio to @pastiche/node',
    '',
    markdownTable(header, rows),
    '',
    `### Agreement with onnxruntime-node (CPU) on the same ${agreementSize}² input, 0..255 scale`,
    '',
    markdownTable(['contender', 'max |Δ|', 'mean |Δ|'], agreements.map((a) => [a.label, a.maxAbs.toExponential(1), a.meanAbs.toExponential(1)])),
    '',
    '### Method',
    '',
    `- One page per browser contender (wasm thread settings are global to a page), in one Chromium; the isolated origin sends COOP \`same-origin\` + COEP \`require-corp\`, the other neither (then \`SharedArrayBuffer\` and wasm threads are unavailable). @pastiche/node is scripts/bench/fast/pastiche-worker.ts (the \`bench:fast\` worker: onnxruntime-node CPU, \`intraOpNumThreads ${threads}\`), a fresh process per size.`,
    '- Each run is timed where it happens (`performance.now()` in the page): pixels → input tensor → network → output read back into JavaScript. @pastiche/web and @pastiche/node run `StyleModel.run` (planar float pixels in and out, as the fast method does); stock onnxruntime-web gets an `ort.Tensor` of the same pixels; TF.js gets `tf.tensor3d` (NHWC) and reads `y.data()`. Inputs are uniform random 0..255.',
    `- Per size: ${PLAN.map((p) => `${p.size}²: ${p.warmup} warm-up + ${p.runs} timed runs`).join('; ')} of every contender, interleaved run by run in rotating order, 150 ms idle before each. Warm-up goes on until three runs in a row are within 10% of each other (at most 20): Chromium compiles wasm with its baseline compiler first and tiers hot functions up as they run, and onnxruntime-web needs about ten runs of this network to reach its steady speed (2.3 s → 0.27 s at 256², 2 threads). A run during which other processes used more than ${pct(MAX_FOREIGN_LOAD)} of the CPUs (/proc/stat, minus Chromium's and the worker's own processes) is redone once the machine is quiet again ("redone"); medians and p90 of the counted runs.`,
    `- "defaults" means what the library picks on its own: onnxruntime-web \`min(4, ceil(cores / 2))\` threads on an isolated page, 1 otherwise; TF.js wasm half of \`navigator.hardwareConcurrency\` (its backend caps \`setThreadsCount\` there too, so for ${threads} threads that page reports ${2 * threads} cores); @pastiche/web its \`runtime.ts\` defaults. Thread counts in the table are what each peer reported after it started (${sample.length} pages).`,
  ].join('\n');
}

async function main(): Promise<void> {
  const started = new Date();
  const startLoad = loadAverage();
  const deadline = Date.now() + Number(flags['max-minutes']) * 60_000;
  const pages = await BrowserPages.open(fileURLToPath(new URL('./page', import.meta.url)), {
    '/models/': resolve(ROOT, 'models/onnx'),
    '/checkpoint/': CHECKPOINT,
    '/tfjs-core/': resolve(ROOT, 'node_modules/@tensorflow/tfjs-core/dist'),
    '/tfjs-wasm/': resolve(ROOT, 'node_modules/@tensorflow/tfjs-backend-wasm/dist'),
  });
  const runners = new Map<string, Runner & { page?: import('playwright-core').Page }>();
  const infos = new Map<string, PageInfo>();
  try {
    for (const c of CONTENDERS) {
      if (!c.page) continue;
      const { page, info } = await pages.page<PageInfo>(c.page.isolated, c.page.config);
      log(`${c.label}: ${JSON.stringify(info)}`);
      infos.set(c.label, info);
      runners.set(c.label, Object.assign(pages.runner(c.label, page), { page }));
    }
    const reference = await referenceOutput(MODEL, agreementSize, SEED);
    const agreements: Agreement[] = [];
    for (const [label, r] of runners) {
      await r.page!.evaluate(([n, seed]) => (globalThis as any).bench.setInput(n, seed), [agreementSize, SEED] as const);
      await r.run();
      agreements.push(compare(label, fromBase64(await r.page!.evaluate(() => (globalThis as any).bench.output() as string)), reference));
    }
    for (const a of agreements) log(`agreement ${a.label}: max |Δ| ${a.maxAbs.toExponential(2)}`);

    const results: SizeResult[] = [];
    for (const p of PLAN) {
      log(`${p.size}²:`);
      const node = await pasticheNodeRunner(NODE_LABEL, { model: MODEL, size: p.size, sessionOptions: { intraOpNumThreads: threads } });
      pages.exclude(node.worker.pid);
      try {
        for (const r of runners.values()) await r.page!.evaluate(([n, seed]) => (globalThis as any).bench.setInput(n, seed), [p.size, SEED + p.size] as const);
        if (quietWaitS > 0) await waitForQuiet(quietWaitS, MAX_FOREIGN_LOAD);
        const policy: RunPolicy = { ...p, ...WARM_UP, maxForeignLoad: MAX_FOREIGN_LOAD, maxExtraRounds: flags.quick ? 0 : 3 * p.runs, pauseMs: 150, quietWaitS: quietWaitS / 2, deadline };
        const ordered = CONTENDERS.map((c) => (c.page ? runners.get(c.label)! : node));
        results.push({ size: p.size, timings: await interleaveRunners(ordered, policy, logRun, logWarm) });
      } finally {
        await node.close();
      }
    }
    const errors = pages.console.filter((m) => m.startsWith('pageerror') || m.startsWith('error'));
    if (errors.length) log(`page errors:\n${errors.join('\n')}`);
    const text = report({ results, infos, agreements, startLoad, endLoad: loadAverage(), started });
    console.log(`\n${text}\n`);
    if (!flags['no-write'] && !flags.quick) {
      writeSection(resolve(ROOT, 'BENCHMARKS.md'), SECTION_TITLE, text);
      log('wrote BENCHMARKS.md');
    }
  } finally {
    for (const r of runners.values()) await r.close().catch(() => undefined);
    await pages.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
