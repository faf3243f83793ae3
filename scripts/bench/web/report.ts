import { existsSync, readFileSync, writeFileSync } from 'node:fs';
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

/** Replaces (or appends) the section that starts with `title` in a Markdown file, leaving the others as they are. */
export function writeSection(path: string, title: string, body: string): void {
  const section = `${title}\n\n${body.trim()}\n`;
  const current = existsSync(path) ? readFileSync(path, 'utf8') : '# Benchmarks\n';
  const start = current.indexOf(title);
  if (start < 0) {
    writeFileSync(path, `${current.trimEnd()}\n\n${section}`);
    return;
  }
  const next = current.indexOf('\n## ', start + title.length);
  const rest = next < 0 ? '' : `\n${current.slice(next + 1)}`;
  writeFileSync(path, `${current.slice(0, start)}${section}${rest}`);
}

/** The 1-minute load average from /proc/loadavg. */
export function loadAverage(): number {
  return Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
}
