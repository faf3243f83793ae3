import type { Measured } from './interleave.js';
import type { MachineFacts } from '../machine.js';

export interface SizeRow {
  size: number;
  /** Pastiche as it loads models: with its load-time graph rewrites. */
  pastiche: Measured;
  /** The same model run as it is (graphRewrites: false). */
  asIs: Measured;
  /** The conv-limit reference: a plain VGG forward in onnxruntime at the same size. */
  convLimit: Measured;
  /** Convolution FLOPs of the style network as exported (the useful work) and of the reference, at this size. */
  flops: number;
  referenceFlops: number;
  torch?: Measured;
}

/** Useful GFLOP/s of a measurement. */
export const gflops = (flops: number, m: Measured) => flops / 1e9 / (m.medianMs / 1000);
/** The style network's GFLOP/s as a share of the plain VGG forward's, measured in the same run. */
export const convLimitShare = (row: SizeRow) => gflops(row.flops, row.pastiche) / gflops(row.referenceFlops, row.convLimit);

export interface SweepRow extends Measured {
  /** False for settings an adapter cannot use for every image. */
  generic: boolean;
}

const ms = (v: number) => (v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${v.toFixed(0)} ms`);
const pct = (v: number) => `${Math.round(v * 100)}%`;
const mib = (v: number) => `${v.toFixed(0)} MiB`;

function markdownTable(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** PyTorch median / Pastiche median: above 1 means Pastiche is faster. */
export const speedup = (row: SizeRow): number | undefined => (row.torch ? row.torch.medianMs / row.pastiche.medianMs : undefined);

/** "3 (1 kept)": runs redone because another process was busy, and how many of those still count. */
const disturbed = (m: Measured) => (m.kept ? `${m.disturbed} (${m.kept} kept)` : `${m.disturbed}`);

export function resultsTable(rows: SizeRow[]): string {
  return markdownTable(
    ['size', 'Pastiche median', 'Pastiche p90', 'GFLOP/s', '% of conv limit', 'without rewrites', 'conv limit (VGG)', 'Pastiche peak RSS', 'PyTorch median', 'PyTorch p90', 'PyTorch peak RSS', 'ratio PyTorch / Pastiche', 'runs', 'redone (P / T)', 'other load (P / T)'],
    rows.map((r) => {
      const ratio = speedup(r);
      return [
        `${r.size}²`,
        ms(r.pastiche.medianMs),
        ms(r.pastiche.p90Ms),
        gflops(r.flops, r.pastiche).toFixed(0),
        pct(convLimitShare(r)),
        ms(r.asIs.medianMs),
        `${gflops(r.referenceFlops, r.convLimit).toFixed(0)} GFLOP/s`,
        mib(r.pastiche.peakRssMiB),
        r.torch ? ms(r.torch.medianMs) : 'unavailable',
        r.torch ? ms(r.torch.p90Ms) : '–',
        r.torch ? mib(r.torch.peakRssMiB) : '–',
        ratio ? `**${ratio.toFixed(2)}×**` : '–',
        `${r.pastiche.runs}`,
        r.torch ? `${disturbed(r.pastiche)} / ${disturbed(r.torch)}` : disturbed(r.pastiche),
        r.torch ? `${pct(r.pastiche.foreignLoad)} / ${pct(r.torch.foreignLoad)}` : pct(r.pastiche.foreignLoad),
      ];
    }),
  );
}

export function sweepTable(rows: SweepRow[], size: number): string {
  const baseline = rows[0].medianMs;
  return markdownTable(
    [`session options (${size}², CPU)`, 'median', 'p90', 'vs baseline', 'peak RSS', 'redone'],
    rows.map((r) => [
      r.generic ? r.label : `${r.label} *`,
      ms(r.medianMs),
      ms(r.p90Ms),
      `${r.medianMs >= baseline ? '+' : ''}${((r.medianMs / baseline - 1) * 100).toFixed(1)}%`,
      mib(r.peakRssMiB),
      disturbed(r),
    ]),
  );
}

export function machineLines(m: MachineFacts, torch: string | undefined, blas: string | undefined): string[] {
  return [
    `- CPU: ${m.cpuModel}, ${m.cores} cores (\`os.cpus()\`), ${m.memoryGiB} GiB RAM, ${m.os}`,
    `- Node ${m.node}, onnxruntime-node ${m.onnxruntimeNode}, PyTorch ${torch ?? 'unavailable'}${blas ? ` (BLAS: ${blas})` : ''}`,
  ];
}

export const SECTION_TITLE = '## Fast style transfer (npm run bench:fast)';

