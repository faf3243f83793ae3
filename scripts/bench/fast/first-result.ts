import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from './stats.js';

/**
 * Time to the first result in a fresh process (issue 13 item 1): a new Node process imports the built
 * @pastiche/node, loads the style network (session creation, Pastiche's load-time rewrites, onnxruntime's graph
 * optimisations) and stylizes one image — with the defaults, and from onnxruntime's saved optimised model
 * (`sessionOptions.optimizedModelFilePath`, written by an earlier process, then loaded with optimisations and
 * rewrites off).
 */
const WORKER = fileURLToPath(new URL('./first-result-worker.mjs', import.meta.url));

interface Milestones {
  start: number;
  import: number;
  load: number;
  run: number;
  total: number;
}

export interface FirstResultRow {
  variant: string;
  runs: Milestones[];
}

function fresh(model: string, size: number, loadOptions: object): Milestones {
  const line = execFileSync(process.execPath, [WORKER, JSON.stringify({ model, size, loadOptions })], { encoding: 'utf8' });
  return JSON.parse(line.trim().split('\n').pop()!) as Milestones;
}

/** `rounds` fresh processes per variant, the variants taking turns. */
export function measureFirstResult(model: string, size: number, rounds: number, threads: number): FirstResultRow[] {
  const dir = mkdtempSync(join(tmpdir(), 'pastiche-first-result-'));
  try {
    const saved = join(dir, 'optimised.onnx');
    const sessionOptions = { intraOpNumThreads: threads };
    // Writes onnxruntime's optimised graph (with Pastiche's rewrites applied before it) once.
    fresh(model, 64, { device: 'cpu', sessionOptions: { ...sessionOptions, optimizedModelFilePath: saved } });
    const variants = [
      { variant: 'defaults', model, loadOptions: { device: 'cpu', sessionOptions } },
      { variant: 'without Pastiche rewrites', model, loadOptions: { device: 'cpu', graphRewrites: false, sessionOptions } },
      {
        variant: 'saved optimised model (optimizedModelFilePath), optimisations off',
        model: saved,
        loadOptions: { device: 'cpu', graphRewrites: false, sessionOptions: { ...sessionOptions, graphOptimizationLevel: 'disabled' } },
      },
    ];
    const rows: FirstResultRow[] = variants.map((v) => ({ variant: v.variant, runs: [] }));
    fresh(model, size, variants[0].loadOptions); // warms the file cache
    for (let r = 0; r < rounds; r++) {
      for (const [i, v] of variants.entries()) rows[i].runs.push(fresh(v.model, size, v.loadOptions));
    }
    return rows;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function renderFirstResult(rows: FirstResultRow[], size: number): string {
  const ms = (v: number) => `${Math.round(v)} ms`;
  const m = (row: FirstResultRow, key: keyof Milestones) => median(row.runs.map((x) => x[key]));
  return [
    `### Time to the first result in a fresh process (${size}², medians of ${rows[0].runs.length} processes per variant)`,
    '',
    'A new `node` process imports the built `@pastiche/node`, `loadStyle`s candy (session creation included) and stylizes one ' +
      `${size}×${size} image (scripts/bench/fast/first-result-worker.mjs); the variants take turns.`,
    '',
    '| variant | Node start | import | loadStyle | first stylize | total |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows.map((r) => `| ${r.variant} | ${ms(m(r, 'start'))} | ${ms(m(r, 'import'))} | ${ms(m(r, 'load'))} | ${ms(m(r, 'run'))} | **${ms(m(r, 'total'))}** |`),
  ].join('\n');
}
