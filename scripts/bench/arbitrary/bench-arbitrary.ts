/**
 * `npm run bench:arbitrary`: Magenta's arbitrary-style networks — the int8 style predictor and the fp16 and int8
 * transfer networks — converted to ONNX by core's TFLite converter (`npm run models`), on @pastiche/node
 * (onnxruntime-node, CPU) and @pastiche/web (onnxruntime-web wasm, in Chromium), against LiteRT.js running the
 * original .tflite files in the same browser. The predictor at its 256² input, the transfer networks at 384² and
 * 1024² (LiteRT.js cannot resize the files' fixed 384² input, so it has no 1024² figures).
 * Flags: --quick (smoke test: small sizes, few runs, writes nothing), --no-write (leave BENCHMARKS.md alone),
 * --threads N (default: the machine's cores), --max-minutes M (stop redoing disturbed runs after M minutes).
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Page } from 'playwright-core';
import { machineFacts, waitForQuiet } from '../machine.js';
import { fromBase64 } from '../web/agreement.js';
import { BrowserPages, chromiumVersion } from '../web/browser-pages.js';
import { interleaveRunners, type RunPolicy, type Timing } from '../web/interleaved-runs.js';
import { writeSection } from '../benchmarks-file.js';
import { loadAverage, markdownTable, ms, pct, ratio, redone } from '../web/report.js';
import { lineWorkerRunner, type Runner } from '../web/runner.js';
import { NETWORKS, STYLE_LENGTH, type NetworkId, type NetworkSpec } from './networks.js';
import type { ArbitraryPeerConfig } from './page/peer.js';
import type { NodeWorkerConfig } from './pastiche-node-worker.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const ASSETS = resolve(ROOT, '../shared/assets');
const TFLITE_DIR = resolve(ASSETS, 'weights/arbitrary/magenta-tflite');
/** Magenta's style vector of starry_night (LiteRT's own output, ../shared/assets/golden/magenta): a real style. */
const STYLE_VECTOR_FILE = resolve(ASSETS, 'golden/magenta/bottlenecks/sp256__starry_night.f32');
const SECTION_TITLE = '## Arbitrary style: Magenta networks against LiteRT.js (npm run bench:arbitrary)';
const SEED = 20261207;

const { values: flags } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    'no-write': { type: 'boolean', default: false },
    threads: { type: 'string', default: String(os.cpus().length) },
    'max-minutes': { type: 'string', default: '40' },
  },
});
const threads = Number(flags.threads);
const MAX_FOREIGN_LOAD = 0.1;
const quietWaitS = flags.quick ? 0 : 60;
const log = (...a: unknown[]) => console.error(...a);

interface Step {
  network: NetworkId;
  size: number;
  warmup: number;
  runs: number;
}

/** What is timed, in order. LiteRT.js joins where the size is its file's. */
const PLAN: readonly Step[] = flags.quick
  ? [
      { network: 'predictor', size: 256, warmup: 1, runs: 2 },
      { network: 'transfer-f16', size: 384, warmup: 1, runs: 2 },
      { network: 'transfer-int8', size: 384, warmup: 1, runs: 2 },
      { network: 'transfer-f16', size: 128, warmup: 1, runs: 2 },
    ]
  : [
      { network: 'predictor', size: 256, warmup: 2, runs: 9 },
      { network: 'transfer-f16', size: 384, warmup: 2, runs: 9 },
      { network: 'transfer-int8', size: 384, warmup: 2, runs: 7 },
      { network: 'transfer-f16', size: 1024, warmup: 1, runs: 5 },
      { network: 'transfer-int8', size: 1024, warmup: 1, runs: 5 },
    ];

interface PageContender {
  label: string;
  isolated: boolean;
  config: Omit<ArbitraryPeerConfig, 'urls' | 'styleVector' | 'liteRtWasmUrl'>;
}

const NODE_LABEL = '@pastiche/node';
const PASTICHE_WEB = '@pastiche/web defaults';
const LITERT_THREADED = `LiteRT.js threaded build, numThreads ${threads}`;
const PAGES: readonly PageContender[] = [
  { label: PASTICHE_WEB, isolated: true, config: { peer: 'pastiche' } },
  { label: '@pastiche/web, numThreads 1', isolated: true, config: { peer: 'pastiche', threads: 1 } },
  { label: LITERT_THREADED, isolated: true, config: { peer: 'litert', threads } },
  { label: 'LiteRT.js defaults (single-threaded build)', isolated: true, config: { peer: 'litert' } },
];
const LABELS = [NODE_LABEL, ...PAGES.map((p) => p.label)];

const spec = (id: NetworkId): NetworkSpec => NETWORKS.find((n) => n.id === id)!;
const seedOf = (step: Pick<Step, 'network' | 'size'>) => SEED + step.size + NETWORKS.findIndex((n) => n.id === step.network);

function versionOf(name: string): string {
  return (JSON.parse(readFileSync(resolve(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
}

function readStyleVector(): number[] {
  const bytes = Uint8Array.from(readFileSync(STYLE_VECTOR_FILE));
  const vector = Array.from(new Float32Array(bytes.buffer));
  if (vector.length !== STYLE_LENGTH) throw new Error(`${STYLE_VECTOR_FILE}: ${vector.length} numbers, expected ${STYLE_LENGTH}`);
  return vector;
}

/** How far each contender's output is from LiteRT.js' (the original file on the TFLite runtime), per network. */
interface Agreement {
  label: string;
  network: NetworkId;
  size: number;
  /** Transfer networks: max |Δ| on 0..255; predictor: relative L2 error of the style vector. */
  value: number;
}

function difference(role: NetworkSpec['role'], output: Float32Array, reference: Float32Array): number {
  if (output.length !== reference.length) throw new Error(`${output.length} output values, expected ${reference.length}`);
  if (role === 'transfer') return output.reduce((m, v, i) => Math.max(m, Math.abs(v - reference[i]!)), 0);
  let diff = 0;
  let norm = 0;
  for (let i = 0; i < output.length; i++) {
    diff += (output[i]! - reference[i]!) ** 2;
    norm += reference[i]! ** 2;
  }
  return Math.sqrt(diff / norm);
}

/** Warm-up goes on until three runs in a row are within 10% (Chromium tiers wasm up while it runs), at most 20 runs. */
const WARM_UP = flags.quick ? {} : { stableWithin: 1.1, maxWarmup: 20 };
const logWarm = (label: string, times: readonly number[]) => log(`  ${label}: warm-up ${times.map(ms).join(', ')}`);
const logRun = (label: string, s: { ms: number; load: number }) =>
  log(`  ${label}: ${ms(s.ms)}${s.load > MAX_FOREIGN_LOAD ? ` (other processes at ${pct(s.load)}: redo)` : ''}`);

interface StepResult extends Step {
  timings: Timing[];
}

function report(args: { results: StepResult[]; infos: Map<string, Record<string, unknown>>; agreements: Agreement[]; startLoad: number; endLoad: number; started: Date }): string {
  const { results, infos, agreements } = args;
  const machine = machineFacts();
  const timing = (r: StepResult, label: string) => r.timings.find((t) => t.label === label);
  const header = ['network', 'size', ...LABELS.map((l) => `${l} (${infos.get(l)?.threads ?? threads} thr.)`), 'LiteRT.js best / @pastiche/web', '@pastiche/web / @pastiche/node', 'runs/redone/other load'];
  const rows = results.map((r) => {
    const web = timing(r, PASTICHE_WEB)!;
    const liteRt = PAGES.filter((p) => p.config.peer === 'litert').map((p) => timing(r, p.label)).filter((t): t is Timing => t !== undefined);
    const bestLiteRt = liteRt.length ? Math.min(...liteRt.map((t) => t.medianMs)) : NaN;
    return [
      spec(r.network).title,
      `${r.size}²`,
      ...LABELS.map((l) => {
        const t = timing(r, l);
        return t ? `${ms(t.medianMs)} (${ms(t.p90Ms)})` : 'n/a';
      }),
      Number.isNaN(bestLiteRt) ? 'n/a (fixed 384² input)' : `**${ratio(bestLiteRt / web.medianMs)}**`,
      ratio(web.medianMs / timing(r, NODE_LABEL)!.medianMs),
      r.timings.map((t) => `${t.runs}/${redone(t)}/${pct(t.foreignLoad)}`).join(', '),
    ];
  });
  const f16 = results.find((r) => r.network === 'transfer-f16' && r.size === spec('transfer-f16').tfliteSize);
  const verdict = f16
    ? (() => {
        const web = timing(f16, PASTICHE_WEB)!.medianMs;
        const liteRt = timing(f16, LITERT_THREADED)!.medianMs;
        const single = Math.min(...PAGES.filter((p) => p.config.peer === 'litert').map((p) => timing(f16, p.label)!.medianMs));
        return `@pastiche/web ${ms(web)} vs LiteRT.js ${ms(liteRt)} with ${threads} threads (${ratio(liteRt / web)}; fastest LiteRT.js configuration ${ms(single)}, ${ratio(single / web)}): ${web <= Math.min(liteRt, single) ? 'met' : 'not met'}`;
      })()
    : 'not measured';
  const agreementRows = agreements.map((a) => [a.label, spec(a.network).title, `${a.size}²`, spec(a.network).role === 'transfer' ? `max |Δ| ${a.value.toExponential(1)} (0..255)` : `relative L2 ${a.value.toExponential(1)}`]);
  return [
    `Generated by \`npm run bench:arbitrary\` on ${args.started.toISOString().slice(0, 16).replace('T', ' ')} UTC.`,
    '',
    `**Target: @pastiche/web at least as fast as LiteRT.js on the fp16 transfer network (384², its file's size): ${verdict}.**`,
    '',
    '### Machine and peers',
    '',
    markdownTable(['what', 'value'], [
      ['CPU', `${machine.cores} × ${machine.cpuModel}, ${machine.memoryGiB} GiB, ${machine.os}`],
      ['browser', `${chromiumVersion()} (/usr/bin/chromium, headless, playwright-core ${versionOf('playwright-core')})`],
      ['Node / onnxruntime-node', `${machine.node} / ${machine.onnxruntimeNode}`],
      ['onnxruntime-web', versionOf('onnxruntime-web')],
      ['LiteRT.js', `@litertjs/core ${versionOf('@litertjs/core')} (CPU accelerator 'wasm', XNNPACK; its wasm files from the package)`],
      ['networks', `../shared/assets/weights/arbitrary/magenta-tflite: ${NETWORKS.map((n) => `\`${n.tflite}\``).join(', ')}; Pastiche runs \`models/onnx/${NETWORKS.map((n) => n.onnx).join('`, `')}\` (\`npm run models\`: core's \`convertTflite\`)`],
      ['load', `1-minute load average ${args.startLoad.toFixed(2)} at the start, ${args.endLoad.toFixed(2)} at the end; other processes' share of the CPUs during the counted runs in the table`],
    ]),
    '',
    '### Median time per run (p90)',
    '',
    markdownTable(header, rows),
    '',
    '### Agreement with LiteRT.js on the same input',
    '',
    markdownTable(['contender', 'network', 'size', 'difference'], agreementRows),
    '',
    '### Method',
    '',
    `- @pastiche/node: scripts/bench/arbitrary/pastiche-node-worker.ts, a fresh process per network and size, onnxruntime-node CPU with \`intraOpNumThreads ${threads}\`. @pastiche/web: one isolated page per thread setting holding all three networks. Both open the networks as the arbitrary method's loader does (the transfer networks through core's exact speed rewrites; on the web, @pastiche/web's runtime with its defaults, which include Winograd F(4×4, 3×3) convolutions for wasm) and run them as the method does (\`StylePredictorModel.predict\`, \`StyleTransferModel.transfer\`: planar pixels in, planar pixels out).`,
    `- LiteRT.js: \`loadLiteRt(wasm folder, { threads })\` then \`loadAndCompile(file, { accelerator: 'wasm', cpuOptions: { numThreads } })\`, one isolated page per setting; each run makes the input \`Tensor\`s (NHWC, 0..1; the style vector [1, 1, 1, ${STYLE_LENGTH}]), runs the model and reads the output with \`toTypedArray()\`.`,
    `- Inputs: uniform random pixels (the same for every contender at a size), the style vector of starry_night from ../shared/assets/golden/magenta. Runs interleaved run by run in rotating order, 150 ms idle before each; ${PLAN.map((p) => `${spec(p.network).title} ${p.size}²: ${p.warmup} + ${p.runs}`).join('; ')} warm-up + timed runs; warm-up goes on until three runs in a row are within 10% (at most 20), since Chromium tiers wasm up as it runs. A run during which other processes used more than ${pct(MAX_FOREIGN_LOAD)} of the CPUs is redone once the machine is quiet again ("redone"); medians and p90 of the counted runs.`,
  ].join('\n');
}

async function main(): Promise<void> {
  const started = new Date();
  const startLoad = loadAverage();
  const deadline = Date.now() + Number(flags['max-minutes']) * 60_000;
  const styleVector = readStyleVector();
  const pages = await BrowserPages.open(fileURLToPath(new URL('./page', import.meta.url)), {
    '/models/': resolve(ROOT, 'models/onnx'),
    '/tflite/': TFLITE_DIR,
    '/litert-wasm/': resolve(ROOT, 'node_modules/@litertjs/core/wasm'),
  });
  const opened = new Map<string, Page>();
  const infos = new Map<string, Record<string, unknown>>();
  try {
    for (const p of PAGES) {
      const urls = Object.fromEntries(NETWORKS.map((n) => [n.id, p.config.peer === 'litert' ? `/tflite/${n.tflite}` : `/models/${n.onnx}`])) as Record<NetworkId, string>;
      const config: ArbitraryPeerConfig = { ...p.config, urls, styleVector, liteRtWasmUrl: '/litert-wasm/' };
      const { page, info } = await pages.page<Record<string, unknown>>(p.isolated, config);
      log(`${p.label}: ${JSON.stringify(info)}`);
      opened.set(p.label, page);
      infos.set(p.label, info);
    }
    const evaluate = <T>(page: Page, fn: string, ...args: unknown[]) =>
      page.evaluate(([f, a]) => (globalThis as unknown as { bench: Record<string, (...x: unknown[]) => unknown> }).bench[f as string]!(...(a as unknown[])), [fn, args] as const) as Promise<T>;

    const results: StepResult[] = [];
    const agreements: Agreement[] = [];
    for (const step of PLAN) {
      const network = spec(step.network);
      const seed = seedOf(step);
      log(`${network.title}, ${step.size}²:`);
      const nodeConfig: NodeWorkerConfig = { model: resolve(ROOT, 'models/onnx', network.onnx), role: network.role, size: step.size, seed, threads, styleVector };
      const node = await lineWorkerRunner(NODE_LABEL, fileURLToPath(new URL('./pastiche-node-worker.ts', import.meta.url)), nodeConfig);
      pages.exclude(node.worker.pid);
      try {
        const runners: Runner[] = [node];
        for (const p of PAGES) {
          if (p.config.peer === 'litert' && step.size !== network.tfliteSize) continue;
          const page = opened.get(p.label)!;
          await evaluate(page, 'setInput', step.network, step.size, seed);
          runners.push(pages.runner(p.label, page, [step.network]));
        }
        // One run each first (a warm-up too): the outputs, against LiteRT.js' where it runs this size.
        const liteRtPage = step.size === network.tfliteSize ? opened.get(LITERT_THREADED) : undefined;
        for (const r of runners) await r.run();
        if (liteRtPage) {
          const reference = fromBase64(await evaluate<string>(liteRtPage, 'output', step.network));
          const outputs: [string, Float32Array][] = [[NODE_LABEL, fromBase64((await node.worker.request<{ base64: string }>('output')).base64)]];
          for (const p of PAGES) if (p.label !== LITERT_THREADED) outputs.push([p.label, fromBase64(await evaluate<string>(opened.get(p.label)!, 'output', step.network))]);
          for (const [label, output] of outputs) agreements.push({ label, network: step.network, size: step.size, value: difference(network.role, output, reference) });
        }
        if (quietWaitS > 0) await waitForQuiet(quietWaitS, MAX_FOREIGN_LOAD);
        const policy: RunPolicy = { ...step, ...WARM_UP, maxForeignLoad: MAX_FOREIGN_LOAD, maxExtraRounds: flags.quick ? 0 : 3 * step.runs, pauseMs: 150, quietWaitS: quietWaitS / 2, deadline };
        results.push({ ...step, timings: await interleaveRunners(runners, policy, logRun, logWarm) });
      } finally {
        await node.close();
      }
    }
    // LiteRT.js logs its INFO and WARNING lines through console.error.
    const errors = pages.console.filter((m) => m.startsWith('pageerror') || (m.startsWith('error') && !/^error: (INFO|WARNING):/.test(m)));
    if (errors.length) log(`page errors:\n${errors.join('\n')}`);
    const text = report({ results, infos, agreements, startLoad, endLoad: loadAverage(), started });
    console.log(`\n${text}\n`);
    if (!flags['no-write'] && !flags.quick) {
      writeSection(resolve(ROOT, 'BENCHMARKS.md'), SECTION_TITLE, text);
      log('wrote BENCHMARKS.md');
    }
  } finally {
    await pages.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
