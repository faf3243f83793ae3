import type { Agreement, Difference } from './agreement.js';
import { TORCH_CONFIGS, pasticheConfigs } from './configs.js';
import { MAX_FOREIGN_LOAD, type EvalRow } from './evaluations.js';
import type { MachineFacts } from '../machine.js';
import type { RacePlan, summarizeRace } from './race.js';
import type { TorchReady } from './torch-worker.js';
import { renderDefaultsRace, type DefaultsRace } from './defaults-race.js';

/** The issue's target: Pastiche at least this much faster than PyTorch per evaluation. */
export const TARGET_SPEEDUP = 1.2;
/** Agreement needed for a fair comparison: loss within 1e-4 relative, gradient within ~1e-3. */
export const AGREEMENT = { loss: 1e-4, grad: 1e-3 };

export interface ResultsInput {
  facts: MachineFacts;
  torch?: TorchReady;
  threads: number;
  rows: EvalRow[];
  race?: ReturnType<typeof summarizeRace>;
  raceSize?: { width: number; height: number };
  racePlan: RacePlan;
  defaultsRace?: DefaultsRace;
  quick: boolean;
}

const ms = (v: number | undefined) => (v === undefined ? '—' : v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${v.toFixed(0)} ms`);
const sci = (v: number) => v.toExponential(1);
const pct = (v: number) => `${Math.round(v * 100)}%`;
const table = (head: string[], rows: string[][]) =>
  [`| ${head.join(' | ')} |`, `|${head.map((h) => (/^(network|optimiser|what|value)$/.test(h) ? '---' : '---:')).join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');

function machineSection({ facts, torch, threads }: ResultsInput): string {
  return table(
    ['what', 'value'],
    [
      ['CPU', `${facts.cores} × ${facts.cpuModel}`],
      ['memory', `${facts.memoryGiB} GiB`],
      ['OS', facts.os],
      ['Node / onnxruntime-node', `${facts.node} / ${facts.onnxruntimeNode}`],
      ['PyTorch (BLAS libraries mapped)', torch ? `${torch.torch} (${torch.blas.join(', ') || 'none'})` : 'unavailable'],
      ['threads', `intraOpNumThreads ${threads}; torch.set_num_threads(${torch?.threads ?? threads})`],
    ],
  );
}

/** Best of each side's configurations (configs.ts), and the defaults-only ratio. */
export function ratios(r: EvalRow): { best?: number; defaults?: number; cpu?: number } {
  const best = (prefix: string) => Math.min(...Object.entries(r.ms).filter(([k]) => k.startsWith(prefix)).map(([, v]) => v));
  if (r.ms['torch.default'] === undefined) return {};
  return {
    best: best('torch.') / best('pastiche.'),
    defaults: r.ms['torch.default'] / r.ms['pastiche.default'],
    // CPU time only means work done when idle threads sleep rather than spin.
    cpu: r.cpuMs['torch.passive'] / r.cpuMs['pastiche.noSpin'],
  };
}

const times = (v?: number) => (v === undefined ? '—' : `${v.toFixed(2)}×`);

function evaluationSection(rows: EvalRow[], threads: number): string {
  const columns = [...pasticheConfigs(threads).map((c) => [`pastiche.${c.key}`, `Pastiche ${c.label}`]), ...TORCH_CONFIGS.map((c) => [`torch.${c.key}`, `PyTorch ${c.label}`])];
  const speed = table(
    ['network', 'size', ...columns.map(([, h]) => h), 'PyTorch / Pastiche (best of each)', `≥ ${TARGET_SPEEDUP}×`, 'defaults only', 'runs', 'disturbed', 'other load'],
    rows.map((r) => {
      const q = ratios(r);
      const met = q.best === undefined ? '—' : q.best >= TARGET_SPEEDUP ? 'yes' : 'no';
      return [r.network, `${r.size}²`, ...columns.map(([k]) => ms(r.ms[k])), times(q.best), met, times(q.defaults), String(r.runs), `${r.disturbed}/${r.runs * columns.length}`, pct(r.foreignLoad)];
    }),
  );
  const cpu = table(
    ['network', 'size', ...columns.map(([, h]) => h), 'PyTorch passive / Pastiche allow_spinning 0'],
    rows.map((r) => [r.network, `${r.size}²`, ...columns.map(([k]) => ms(r.cpuMs[k])), times(ratios(r).cpu)]),
  );
  const pair = (d: Difference) => `${sci(d.gradL2)} / ${sci(d.gradMax)}`;
  const agree = table(
    ['network', 'size', 'loss', 'worst term', 'gradient', 'Pastiche vs float64: loss, gradient', 'PyTorch vs float64: loss, gradient'],
    rows.filter((r) => r.agreement).map((r) => {
      const { pasticheVsTorch: a, pasticheVs64: p, torchVs64: t } = r.agreement!;
      return [r.network, `${r.size}²`, sci(a.loss), sci(a.terms), pair(a), `${sci(p.loss)}, ${pair(p)}`, `${sci(t.loss)}, ${pair(t)}`];
    }),
  );
  return (
    `Wall time:\n\n${speed}\n\n` +
    'CPU time per evaluation (user + system, all threads of the process). With idle threads sleeping it counts the work ' +
    'done, and other processes hardly change it, so on a busy machine its ratio is the steadier estimate of what a quiet ' +
    `machine would show (if both sides use their 2 threads equally well; spinning configurations count their spinning too):\n\n${cpu}` +
    (rows.some((r) => r.agreement)
      ? '\n\nAgreement at the evaluation point, relative differences (gradient: ‖Δ‖₂/‖g‖₂ / max|Δ|/max|g|). First three columns: ' +
        `Pastiche against PyTorch, both float32; then each against PyTorch computing the same loss in float64:\n\n${agree}`
      : '')
  );
}

function raceSection(input: ResultsInput): string {
  const r = input.race!;
  const it = input.racePlan.torchIterations;
  const labels: Record<string, string> = Object.fromEntries([
    ...pasticheConfigs(input.threads).map((c) => [c.key, c.label]),
    ...TORCH_CONFIGS.map((c) => [c.key, c.label]),
  ]);
  const config = (key: string) => labels[key.split('.')[1]];
  const best = r.best.torch.ms;
  const torchRows = r.torch.map((t) => [
    'PyTorch LBFGS (unbounded)',
    config(t.key),
    `${ms(t.ms)} (it ${t.iterations}, ${t.evaluations} evals)`,
    `${ms(t.ms)}, ${t.evaluations} evals, loss ${r.target.toPrecision(5)}`,
    times(best / t.ms),
  ]);
  const pasticheRows = r.pastiche.map((p) => [
    p.key.startsWith('bounded.') ? 'Pastiche L-BFGS, bounds [0, 255]' : 'Pastiche L-BFGS, unbounded',
    config(p.key),
    p.ms === undefined
      ? `not reached in ${input.racePlan.cap} it`
      : `${ms(p.ms)} (it ${p.iterations}, ${p.evaluations} evals${p.reachedRuns < p.runs ? `; ${p.reachedRuns}/${p.runs} runs` : ''})`,
    p.at100 ? `${ms(p.at100.ms)}, ${p.at100.evaluations} evals, loss ${p.at100.loss.toPrecision(5)}` : '—',
    p.ms === undefined ? '—' : times(best / p.ms),
  ]);
  return table(['optimiser', 'configuration', `time to PyTorch's ${it}-iteration loss`, `${it} iterations`, 'fastest PyTorch / this'], [...torchRows, ...pasticheRows]);
}

function verdict({ rows, race }: ResultsInput): string[] {
  const lines: string[] = [];
  const compared = rows.filter((r) => ratios(r).best !== undefined);
  if (compared.length) {
    const met = compared.filter((r) => ratios(r).best! >= TARGET_SPEEDUP);
    lines.push(
      `- Per-evaluation target (Pastiche ≥ ${TARGET_SPEEDUP}× faster than PyTorch, each side in its faster configuration): met in ${met.length} of ${compared.length} cases` +
        (met.length < compared.length ? ` (not met: ${compared.filter((r) => !met.includes(r)).map((r) => `${r.network} ${r.size}² ${ratios(r).best!.toFixed(2)}×`).join(', ')}).` : '.'),
    );
    const atDefaults = compared.filter((r) => ratios(r).defaults! >= TARGET_SPEEDUP).length;
    lines.push(`- The same with both sides at their defaults: met in ${atDefaults} of ${compared.length} cases (${compared.map((r) => `${ratios(r).defaults!.toFixed(2)}×`).join(', ')}).`);
    const cpu = compared.map((r) => `${r.network} ${r.size}² ${ratios(r).cpu!.toFixed(2)}×`).join(', ');
    lines.push(`- CPU time per evaluation, PyTorch / Pastiche (both with sleeping idle threads): ${cpu}.`);
    const worst = (f: (a: Agreement) => number) => Math.max(...compared.map((r) => f(r.agreement!)));
    const loss = worst((a) => a.pasticheVsTorch.loss);
    const grad = worst((a) => a.pasticheVsTorch.gradL2);
    const fair = loss <= AGREEMENT.loss && grad <= AGREEMENT.grad;
    lines.push(
      `- Agreement (loss within ${sci(AGREEMENT.loss)}, gradient within ${sci(AGREEMENT.grad)} relative): ${fair ? 'yes' : 'NO'} — worst loss ${sci(loss)}, ` +
        `worst gradient ‖Δ‖₂/‖g‖₂ ${sci(grad)}; against float64, Pastiche's gradient is off by at most ${sci(worst((a) => a.pasticheVs64.gradL2))} and ` +
        `PyTorch's by ${sci(worst((a) => a.torchVs64.gradL2))}.`,
    );
  }
  if (race) {
    const torch = race.best.torch.ms;
    for (const [name, p] of [['bounded', race.best.bounded], ['unbounded', race.best.unbounded]] as const) {
      lines.push(
        p.ms === undefined
          ? `- L-BFGS race, Pastiche ${name}: did not reach PyTorch's loss within the cap.`
          : `- L-BFGS race, Pastiche ${name} (fastest configuration): reached PyTorch's loss in ${ms(p.ms)} (iteration ${p.iterations}) vs PyTorch's ${ms(torch)} for ${race.best.torch.iterations} iterations (fastest configuration): ${(torch / p.ms).toFixed(2)}×.`,
      );
    }
  }
  return lines;
}

const METHOD = [
  '- **Same problem on both sides.** Pastiche opens `GatysEngine.fromLossNetwork` on `models/onnx/<net>.onnx` with the network\'s default',
  '  layers and computes targets and term weights with `computeStyleTargets` (content 1, style 10, TV 1e-2, as `optimizeStyle`).',
  '  `torch_loss_nets.py` gets x, the targets and the term weights as float32 files and the same ONNX file, from whose initializers',
  '  and Conv attributes it builds ordinary torch modules (folded 1×1 preprocessing conv, Conv+ReLU, ceil-mode MaxPool and Fire',
  '  modules with concat for SqueezeNet, VGG convs and pools), cut after the deepest layer used, as Pastiche\'s graphs are. Same',
  '  loss definitions (loss-terms.ts); gradient by autograd (`loss.backward()`, network parameters frozen).',
  '- **Per evaluation:** content chelsea.png and style starry_night.jpg squashed to size², x = 0.7·content + 0.3·uniform noise',
  '  (seed 1). Pastiche: one `engine.evaluate` (tensor creation, run, outputs); PyTorch: forward + backward. Warm-up runs, then',
  '  single runs alternating Pastiche/PyTorch (order flipping every round) with 200 ms pauses, median. CPU only,',
  '  `intraOpNumThreads` and `torch.set_num_threads` both 2. Each side runs at its defaults and with its idle worker threads',
  '  sleeping instead of spinning (onnxruntime `session.intra_op.allow_spinning = 0`; PyTorch `OMP_WAIT_POLICY=PASSIVE`):',
  '  under CPU contention spinning threads steal the time slices their partners need and both runtimes slow down 3–30×',
  '  (PyTorch\'s OpenMP pool the most), so the target is judged on each side\'s faster configuration; `defaults only` is',
  '  the ratio with both at defaults.',
  '- **L-BFGS:** chelsea at 256 px longest side, style at the same scale, one scale, start = content image. PyTorch:',
  '  `torch.optim.LBFGS(lr=1, history_size=10, line_search_fn=\'strong_wolfe\', max_iter=100, max_eval=1000)`, one `step()`',
  '  (unbounded). Pastiche: `createOptimizer(\'lbfgs\', x0, engine.evaluate, { historySize: 10, learningRate: 1,',
  '  maxIterations: 300, maxEvaluations: 3000 })`, with and without `bounds: [0, 255]`; its clock stops at the first iteration',
  '  whose loss ≤ PyTorch\'s final loss (it runs on to 100 iterations for the middle column). Both clocks cover the optimiser',
  '  and its evaluations, not target computation. Every configuration of both sides races; the order rotates every round.',
  `- **Shared machine.** Other engineers\' tests ran on the same 2 cores. Each measurement waits (up to 60 s) for other processes`,
  `  to drop under ${pct(MAX_FOREIGN_LOAD)} of the CPUs; per-evaluation runs during which they used more are redone (up to half as many again),`,
  '  else the least disturbed are kept (`disturbed` counts those); `other load` is their mean share of the CPUs during the runs that count. Numbers',
  '  measured with a high `other load` are slower than a quiet machine gives, and less certain: rerun for numbers to quote.',
];

/** Everything from this heading to the end of RESULTS.md is written by people and kept when the file is regenerated. */
export const ANALYSIS_HEADING = '## Analysis';
export const DEFAULTS_RACE_HEADING = "## Defaults against PyTorch's L-BFGS at full size (SqueezeNet 1.1, chelsea, starry_night)";

/** `text` with the section under `heading` (up to the next '## ') replaced by `body`, or added before the verdict. */
export function replaceSection(text: string, heading: string, body: string): string {
  const section = `${heading}\n\n${body}\n\n`;
  const at = text.indexOf(`${heading}\n`);
  if (at >= 0) {
    const next = text.indexOf('\n## ', at + heading.length);
    return text.slice(0, at) + section + (next < 0 ? '' : text.slice(next + 1));
  }
  const verdictAt = text.indexOf('## Verdict');
  return verdictAt < 0 ? `${text}\n${section}` : text.slice(0, verdictAt) + section + text.slice(verdictAt);
}

/** The hand-written analysis at the end of an existing RESULTS.md ('' if none). */
export function keptAnalysis(previous: string): string {
  const at = previous.indexOf(`\n${ANALYSIS_HEADING}`);
  return at < 0 ? '' : previous.slice(at);
}

/** RESULTS.md: machine, tables, verdict, command and method. */
export function renderResults(input: ResultsInput): string {
  const sizes = input.raceSize ? `${input.raceSize.width}×${input.raceSize.height}` : '';
  const parts = [
    `# Optimisation benchmark: Pastiche loss+gradient graphs vs PyTorch autograd (issue 3, item 6)`,
    `Generated by \`npm run bench:optimize\`${input.quick ? ' --quick (smoke test: sizes too small to mean anything)' : ''} on ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC.`,
    `## Machine\n\n${machineSection(input)}`,
    `## Loss+gradient evaluation (median per evaluation, default layers)\n\n${evaluationSection(input.rows, input.threads)}`,
  ];
  if (input.race) {
    parts.push(
      `## L-BFGS: wall time to PyTorch's ${input.racePlan.torchIterations}-iteration loss (SqueezeNet 1.1, chelsea ${sizes}, starry_night, one scale)\n\n` +
        `${raceSection(input)}\n\nMedians over ${input.race.rounds} rounds (other processes used ${pct(input.race.foreignLoad)} of the CPUs meanwhile); target loss = PyTorch's final loss in its first run ` +
        `(all PyTorch runs: ${input.race.losses.map((l) => l.toPrecision(6)).join(', ')}). Pastiche capped at ${input.racePlan.cap} iterations.`,
    );
  }
  if (input.defaultsRace) parts.push(`${DEFAULTS_RACE_HEADING}\n\n${renderDefaultsRace(input.defaultsRace)}`);
  parts.push(`## Verdict\n\n${verdict(input).join('\n')}`, `## Method\n\n${METHOD.join('\n')}`);
  return `${parts.join('\n\n')}\n`;
}
