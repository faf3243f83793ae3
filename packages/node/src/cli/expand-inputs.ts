import { existsSync, statSync } from 'node:fs';
import { glob, isDynamicPattern } from 'tinyglobby';
import { UsageError } from './usage-error.js';

/**
 * Expands glob patterns (a literal file that exists is kept as it is, even with glob characters). A file named that
 * does not exist, or a folder, is a usage error before any work, as a pattern that matches nothing is.
 */
export async function expandInputs(patterns: string[]): Promise<string[]> {
  const files: string[] = [];
  for (const pattern of patterns) {
    if (existsSync(pattern)) {
      if (statSync(pattern).isDirectory()) throw new UsageError(`input '${pattern}' is a folder: name its images, e.g. '${pattern.replace(/\/+$/, '')}/*.jpg'`);
      files.push(pattern);
      continue;
    }
    if (!isDynamicPattern(pattern)) throw new UsageError(`input '${pattern}' does not exist`);
    const matches = await glob(pattern, { onlyFiles: true, expandDirectories: false });
    if (matches.length === 0) throw new UsageError(`no files match '${pattern}'`);
    files.push(...matches.sort());
  }
  return [...new Set(files)];
}
