import { existsSync } from 'node:fs';
import { glob, isDynamicPattern } from 'tinyglobby';
import { UsageError } from './usage-error.js';

/** Expands glob patterns (a literal file that exists is kept as it is, even with glob characters). */
export async function expandInputs(patterns: string[]): Promise<string[]> {
  const files: string[] = [];
  for (const pattern of patterns) {
    if (existsSync(pattern) || !isDynamicPattern(pattern)) {
      files.push(pattern);
      continue;
    }
    const matches = await glob(pattern, { onlyFiles: true, expandDirectories: false });
    if (matches.length === 0) throw new UsageError(`no files match '${pattern}'`);
    files.push(...matches.sort());
  }
  return [...new Set(files)];
}
