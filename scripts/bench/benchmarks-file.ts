import { existsSync, readFileSync, writeFileSync } from 'node:fs';

/**
 * Replaces (or appends) the section of a Markdown file that starts with `title` (up to the next '## '), leaving the
 * others as they are: each benchmark writes its own section of BENCHMARKS.md.
 */
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
