/**
 * `npm run bench:tiles`: tiled stylization of large photos through @pastiche/node (file in, JPEG file out), on the CPU.
 * - Speed: 'exact' against 'fast' tiling and against one whole-image run, at sizes where every pass's activations can be
 *   cached (and the whole-image run fits in memory), 256-pixel tiles with 32 pixels of overlap; medians of timed runs
 *   after a warm-up, the configurations' runs interleaved.
 * - Memory: one run each, in a fresh process (peak RSS is the process's): a 6000×4000 photo with default options, and
 *   an 8192×8192 photo (defaults, maxPixels raised), exact and fast; exact tiling spills the activations it caches to
 *   scratch files there (a folder in the temp folder, watched for its peak size).
 * Flags: --style NAME (candy), --threads N (2), --quick (small sizes, writes nothing), --no-write (leave
 * BENCHMARKS.md alone), --no-huge (skip 8192×8192), --max-minutes M (for redoing disturbed runs).
 */
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import sharp from 'sharp';
import { interleave, type Measured } from './fast/interleave.js';
import { LineWorker } from './fast/line-worker.js';
import { writeSection } from './benchmarks-file.js';
import { LoadProbe, machineFacts, waitForQuiet, type MachineFacts } from './machine.js';
import type { TilesWorkerConfig } from './tiles/tiles-worker.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PHOTO = resolve(ROOT, '../shared/assets/images/content/kite.jpg');
const SECTION_TITLE = '## Exact tiling (npm run bench:tiles)';
const MAX_FOREIGN_LOAD = 0.1;

const { values: flags } = parseArgs({
  options: {
    style: { type: 'string', default: 'candy' },
    threads: { type: 'string', default: '2' },
    quick: { type: 'boolean', default: false },
    'no-write': { type: 'boolean', default: false },
    'no-huge': { type: 'boolean', default: false },
    'max-minutes': { type: 'string', default: '30' },
  },
});
const threads = Number(flags.threads);
const log = (...a: unknown[]) => console.error(...a);
const MiB = 1024 * 1024;

/** Speed sizes (square), and the memory cases. */
const PLAN = flags.quick
  ? { speed: [{ size: 384, warmup: 1, runs: 2 }], memory: [{ width: 1000, height: 700, limitMiB: Infinity }], tile: 128 }
  : {
      speed: [
        { size: 1024, warmup: 1, runs: 5 },
        { size: 2048, warmup: 1, runs: 3 },
      ],
      memory: [
        { width: 6000, height: 4000, limitMiB: 1.5 * 1024 },
        ...(flags['no-huge'] ? [] : [{ width: 8192, height: 8192, limitMiB: 2 * 1024 }]),
      ],
      tile: 256,
    };

/** The photo resized (cover) to a JPEG of this size, made once in the temp folder. */
async function photo(width: number, height: number): Promise<string> {
  const dir = join(os.tmpdir(), 'pastiche-bench-tiles');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `kite-${width}x${height}.jpg`);
  if (!existsSync(path)) await sharp(PHOTO, { limitInputPixels: false }).resize(width, height, { fit: 'cover' }).jpeg({ quality: 90 }).toFile(path);
  return path;
}

/** A fresh, empty folder for one worker's scratch files. */
function scratchDir(label: string): string {
  const dir = join(os.tmpdir(), 'pastiche-bench-tiles', `scratch-${label.replace(/[^a-z0-9]+/gi, '-')}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return dir;
}

async function startWorker(label: string, config: Omit<TilesWorkerConfig, 'scratchDir'>): Promise<LineWorker> {
  const script = fileURLToPath(new URL('./tiles/tiles-worker.ts', import.meta.url));
  const worker = new LineWorker(label, process.execPath, [...process.execArgv, script, JSON.stringify({ ...config, scratchDir: scratchDir(label) })]);
  await worker.ready();
  return worker;
}

interface SpeedRow {
  size: number;
  fast: Measured;
  exact: Measured;
  whole: Measured | undefined;
  passes: number;
  tiles: number;
  /** Peak size of exact tiling's scratch files in its first run (0: its cached activations fit in memory). */
  scratchPeakMiB: number;
}

interface MemoryRow {
  width: number;
  height: number;
  limitMiB: number;
  mode: 'exact' | 'fast';
  ms: number;
  peakRssMiB: number;
  passes: number;
  tiles: number;
  scratchPeakMiB: number;
  foreignLoad: number;
}

/** Peak working memory of one whole-image run (candy: about 1.4 kB per pixel), to see whether it fits this machine. */
const wholeRunFits = (size: number) => size * size * 1536 + 1024 * MiB < os.totalmem() / 2;

async function measureSpeed(deadline: number): Promise<SpeedRow[]> {
  const rows: SpeedRow[] = [];
  for (const p of PLAN.speed) {
    const input = await photo(p.size, p.size);
    const output = join(os.tmpdir(), 'pastiche-bench-tiles', `out-${p.size}.jpg`);
    const base = { style: flags.style!, input, output, threads };
    const configs: [string, TilesWorkerConfig['options']][] = [
      ['fast', { tile: PLAN.tile, tileOverlap: 32, tileMode: 'fast' }],
      ['exact', { tile: PLAN.tile, tileOverlap: 32, tileMode: 'exact' }],
    ];
    if (wholeRunFits(p.size)) configs.push(['whole', { tile: false }]);
    log(`${p.size}²: ${configs.map((c) => c[0]).join(', ')}`);
    const workers: LineWorker[] = [];
    for (const [label, options] of configs) workers.push(await startWorker(`${label} ${p.size}²`, { ...base, options }));
    // The first run of each, one after the other, is its warm-up and tells the plan (passes, tiles).
    const first: { passes: number; tiles: number; scratchPeakMiB: number }[] = [];
    for (const w of workers) first.push(await w.request<{ passes: number; tiles: number; scratchPeakMiB: number }>('run'));
    await waitForQuiet(flags.quick ? 0 : 30, MAX_FOREIGN_LOAD);
    const measured = await interleave(
      workers,
      // --quick is a smoke test of the script: nothing is redone.
      { warmup: p.warmup - 1, runs: p.runs, maxForeignLoad: MAX_FOREIGN_LOAD, maxExtraRounds: flags.quick ? 0 : p.runs, quietWaitS: flags.quick ? 0 : 30, deadline, pauseMs: 150 },
      (label, s) => log(`  ${label}: ${(s.ms / 1000).toFixed(2)} s${s.load > MAX_FOREIGN_LOAD ? ` (other processes ${Math.round(s.load * 100)}%)` : ''}`),
    );
    rows.push({ size: p.size, fast: measured[0], exact: measured[1], whole: measured[2], passes: first[1].passes, tiles: first[1].tiles, scratchPeakMiB: first[1].scratchPeakMiB });
  }
  return rows;
}

async function measureMemory(): Promise<MemoryRow[]> {
  const rows: MemoryRow[] = [];
  for (const m of PLAN.memory) {
    const input = await photo(m.width, m.height);
    for (const mode of ['exact', 'fast'] as const) {
      const label = `${mode} ${m.width}×${m.height}`;
      log(`${label} (defaults${m.width * m.height > 40e6 ? ', maxPixels: Infinity' : ''}) …`);
      const worker = await startWorker(label, {
        style: flags.style!,
        input,
        output: join(os.tmpdir(), 'pastiche-bench-tiles', `out-${m.width}x${m.height}-${mode}.jpg`),
        threads,
        options: { tileMode: mode, maxPixels: Infinity },
      });
      await waitForQuiet(flags.quick ? 0 : 30, MAX_FOREIGN_LOAD);
      const probe = new LoadProbe([worker.pid]);
      const run = await worker.request<{ ms: number; passes: number; tiles: number; scratchPeakMiB: number }>('run');
      const foreignLoad = probe.foreignLoad();
      const { peakRssMiB } = await worker.request<{ peakRssMiB: number }>('end');
      worker.close();
      log(`  ${(run.ms / 1000).toFixed(1)} s, peak RSS ${peakRssMiB.toFixed(0)} MiB, scratch ${run.scratchPeakMiB.toFixed(0)} MiB, ${run.passes} passes over ${run.tiles} tiles`);
      rows.push({ ...m, mode, ms: run.ms, peakRssMiB, passes: run.passes, tiles: run.tiles, scratchPeakMiB: run.scratchPeakMiB, foreignLoad });
    }
  }
  return rows;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
const pct = (v: number) => `${Math.round(v * 100)}%`;
const table = (header: string[], rows: string[][]) =>
  [header, header.map(() => '---'), ...rows].map((cells) => `| ${cells.join(' | ')} |`).join('\n');

function report(machine: MachineFacts, speed: SpeedRow[], memory: MemoryRow[]): string {
  const when = new Date().toISOString().slice(0, 16).replace('T', ' ');
  const ratio = (a: Measured, b: Measured) => a.medianMs / b.medianMs;
  const lines = [
    `Generated by \`npm run bench:tiles\` on ${when} UTC: ${machine.cores} × ${machine.cpuModel}, ${machine.memoryGiB} GiB, ${machine.os}, ` +
      `Node ${machine.node}, onnxruntime-node ${machine.onnxruntimeNode}; style \`${flags.style}\`, intraOpNumThreads ${threads}, CPU.`,
    '',
    `Speed: ${PLAN.tile}-pixel tiles with 32 pixels of overlap, the default memory budget (exact tiling caches activations ` +
      `between passes in memory, or in scratch files where that plan does less work); median of timed runs after a warm-up, the ` +
      `configurations' runs interleaved, each in its own process. A file is read, stylized and written as JPEG in each run.`,
    '',
    table(
      ['size', 'fast median', 'exact median', 'exact / fast', 'whole image', 'exact / whole', 'passes × tiles', 'peak RSS fast / exact / whole', 'scratch files', 'runs', 'other load'],
      speed.map((r) => [
        `${r.size}²`,
        seconds(r.fast.medianMs),
        seconds(r.exact.medianMs),
        `**${ratio(r.exact, r.fast).toFixed(2)}×**`,
        r.whole ? seconds(r.whole.medianMs) : 'does not fit',
        r.whole ? `${ratio(r.exact, r.whole).toFixed(2)}×` : '–',
        `${r.passes} × ${r.tiles}`,
        [r.fast, r.exact, r.whole].map((m) => (m ? `${m.peakRssMiB.toFixed(0)}` : '–')).join(' / ') + ' MiB',
        `${r.scratchPeakMiB.toFixed(0)} MiB`,
        `${r.exact.runs}`,
        [r.fast, r.exact].map((m) => pct(m.foreignLoad)).join(' / '),
      ]),
    ),
    '',
    `Memory: default options (\`maxPixels: Infinity\` for the 67 MP image), one run each in a fresh process; peak RSS of the whole ` +
      'process (`process.resourceUsage().maxRSS`: Node, tsx, sharp decoding and encoding, onnxruntime); scratch: the peak size ' +
      'of the files exact tiling kept its cached activations in (`env.scratchDir`, the temp folder by default).',
    '',
    table(
      ['image', 'mode', 'time', 'exact / fast', 'passes × tiles', 'peak RSS', 'scratch files', 'target', 'other load'],
      memory.map((r) => [
        `${r.width}×${r.height}`,
        r.mode,
        seconds(r.ms),
        r.mode === 'exact' ? `**${(r.ms / memory.find((f) => f.mode === 'fast' && f.width === r.width && f.height === r.height)!.ms).toFixed(2)}×**` : '',
        `${r.passes} × ${r.tiles}`,
        `${r.peakRssMiB.toFixed(0)} MiB`,
        `${r.scratchPeakMiB.toFixed(0)} MiB`,
        // The targets are for the default options, which tile exactly; 'fast' is there to compare with.
        !Number.isFinite(r.limitMiB) ? '–' : r.mode === 'exact' ? `≤ ${(r.limitMiB / 1024).toFixed(1)} GiB: **${r.peakRssMiB <= r.limitMiB ? 'met' : 'missed'}**` : 'none (not the default)',
        pct(r.foreignLoad),
      ]),
    ),
  ];
  return lines.join('\n');
}

async function main(): Promise<void> {
  const machine = machineFacts();
  log(`${machine.cores} × ${machine.cpuModel}, ${machine.memoryGiB} GiB; ${flags.style}, ${threads} threads`);
  const deadline = Date.now() + Number(flags['max-minutes']) * 60_000;
  const speed = await measureSpeed(deadline);
  const memory = await measureMemory();
  const body = report(machine, speed, memory);
  console.log(`\n${SECTION_TITLE}\n\n${body}\n`);
  if (!flags.quick && !flags['no-write']) {
    writeSection(resolve(ROOT, 'BENCHMARKS.md'), SECTION_TITLE, body);
    log('wrote BENCHMARKS.md');
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
