import { readFileSync } from 'node:fs';
import type { Timing } from './interleaved-runs.js';

export const ms = (v: number) => (Number.isNaN(v) ? '–' : v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${v.toFixed(0)} ms`);
export const pct = (v: number) => `${Math.round(v * 100)}%`;
export const ratio = (v: number) => `${v.toFixed(2)}×`;

export function markdownTable(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** "2 (1 kept)": runs redone because another process was busy, and how many of those still count. */
export const redone = (t: Timing) => (t.kept ? `${t.disturbed} (${t.kept} kept)` : `${t.disturbed}`);

/** The 1-minute load average from /proc/loadavg. */
export function loadAverage(): number {
  return Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
}
