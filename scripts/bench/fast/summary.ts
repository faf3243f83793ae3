import type { MachineFacts } from '../machine.js';
import { machineLines, resultsTable, speedup, sweepTable, type SizeRow, type SweepRow } from './report.js';
import type { TorchInfo } from './torch-peer.js';

const TARGET = { size: 512, speedup: 1.4 };
/** The PyTorch peer must reproduce the golden output this closely to count as the same network. */
const GOLDEN_TOLERANCE = 0.5;
/** A session option must beat the baseline by this much to be worth a new default (run-to-run noise is a few %). */
const MEANINGFUL_GAIN = 0.05;

export interface SummaryInput {
  machine: MachineFacts;
  torch?: TorchInfo;
  rows: SizeRow[];
  sweep?: SweepRow[];
  threads: number;
  plan: { size: number; warmup: number; runs: number }[];
  sweepPlan: { size: number; warmup: number; runs: number };
  maxForeignLoad: number;
  modelPath: string;
}

function verdict(rows: SizeRow[], peerValid: boolean): string {
  const row = rows.find((r) => r.size === TARGET.size);
  const ratio = row && peerValid ? speedup(row) : undefined;
  const goal = `Target: Pastiche ≥ ${TARGET.speedup}× faster than PyTorch CPU at ${TARGET.size}²`;
  if (ratio === undefined) return `${goal}: not checked (PyTorch peer unavailable or not the same network).`;
  const kept = row!.pastiche.kept + row!.torch!.kept;
  const caveat = kept ? ` — unreliable: ${kept} of the runs it rests on were slowed by other processes` : '';
  return `${goal}: ${ratio >= TARGET.speedup ? 'MET' : 'NOT MET'} (${ratio.toFixed(2)}×)${caveat}.`;
}

/**
 * The fastest generic candidate if it clearly beats the baseline (first row): median lower by the
 * meaningful margin, and even its p90 below the baseline's median, so that noise alone cannot explain it.
 */
export function recommendation(sweep: SweepRow[]): SweepRow | undefined {
  const [baseline, ...others] = sweep;
  const best = others.filter((r) => r.generic).sort((a, b) => a.medianMs - b.medianMs)[0];
  const clear = best && best.medianMs < baseline.medianMs * (1 - MEANINGFUL_GAIN) && best.p90Ms < baseline.medianMs;
  return clear ? best : undefined;
}

function sweepLines(sweep: SweepRow[], input: SummaryInput): string[] {
  const { size, warmup, runs } = input.sweepPlan;
  const best = recommendation(sweep);
  const gain = best && Math.round((1 - best.medianMs / sweep[0].medianMs) * 100);
  return [
    '',
    `Session options, one change at a time from the baseline \`{ intraOpNumThreads: ${input.threads} }\` (all other options at onnxruntime's defaults, which is what \`loadStyle\` passes today); each in its own process, all interleaved, ${warmup} warm-up + ${runs} timed runs at ${size}². \\* = fixes the input size, so not usable as an adapter default:`,
    '',
    sweepTable(sweep, size),
    '',
    best
      ? `Fastest generic option: **${best.label}**, ${gain}% faster than the baseline at ${size}².`
      : `No generic option clearly beat the baseline at ${size}² (median ≥ ${MEANINGFUL_GAIN * 100}% lower and p90 below the baseline's median): onnxruntime's defaults with \`intraOpNumThreads\` = cores are the best fair configuration found.`,
  ];
}

/** The markdown printed at the end and written into BENCHMARKS.md. */
export function summary(input: SummaryInput): string {
  const { machine, torch, rows, plan, threads } = input;
  const golden = torch?.goldenMaxAbsDiff;
  const peerValid = golden !== undefined && golden <= GOLDEN_TOLERANCE;
  const blas = torch?.blas.find((b) => b.includes('openblas')) ?? torch?.blas[0];
  const lines = [
    `Measured ${new Date().toISOString().slice(0, 10)} on:`,
    '',
    ...machineLines(machine, torch?.torch, blas),
    `- Model: \`${input.modelPath}\` (\`npm run models\`). PyTorch peer: \`scripts/bench/fast/torch_transformer_net.py\`, the same TransformerNet from the same candy.bin weights` +
      (golden === undefined ? '' : `; max |Δ| to the golden output ${golden.toExponential(1)} (${peerValid ? 'same network' : 'NOT the same network'})`),
    '',
    resultsTable(rows),
    '',
    `**${verdict(rows, peerValid)}**`,
    '',
    'Command: `npm run bench:fast` (`-- --no-sweep` skips the session-option sweep, `-- --no-write` leaves this file alone).',
    '',
    'Methodology:',
    `- Pastiche: \`StyleModel.load(bytes, nodePlatform.runtime, { sessionOptions: { intraOpNumThreads: ${threads}, executionProviders: ['cpu'] } })\` (the session \`loadStyle(path, { device: 'cpu', sessionOptions })\` opens), then \`model.run()\` on uniform random 0..255 pixels (includes the planar↔tensor copies). PyTorch: \`torch.set_num_threads(${threads})\`, \`torch.inference_mode()\`, input \`torch.rand(1, 3, n, n) * 255\`.`,
    `- Per size, one fresh Pastiche process and one fresh PyTorch process take turns run by run (150 ms idle before each run); ${plan.map((p) => `${p.warmup}+${p.runs}`).join(', ')} warm-up+timed runs at ${plan.map((p) => `${p.size}²`).join(', ')}. Median and p90 of the timed runs.`,
    `- The machine is shared: a run during which other processes used more than ${input.maxForeignLoad * 100}% of the CPUs (from /proc/stat) is redone once the machine is quiet again ("redone" column); "kept" ones had to count anyway (time limit). "other load": mean CPU share other processes took during the counted runs.`,
    '- Peak RSS is the whole process (`process.resourceUsage().maxRSS`, Python `ru_maxrss`): Node + tsx + onnxruntime take ~100 MiB before the model loads.',
  ];
  if (input.sweep) lines.push(...sweepLines(input.sweep, input));
  return lines.join('\n');
}
