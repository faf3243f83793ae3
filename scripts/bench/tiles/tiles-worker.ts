/**
 * One side of `npm run bench:tiles`: a built-in style loaded once in a fresh process (so peak RSS is this
 * configuration's), stylizing an image file to a file through @pastiche/node as an app would.
 * Usage: tiles-worker.ts '<TilesWorkerConfig JSON>'. Prints {ready…} after loading, then answers stdin lines:
 * `run` → {"ms", "passes", "tiles", "scratchPeakMiB"}, `end` → {"peakRssMiB"} and exits.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { env, loadStyle, type Stylizer } from '../../../packages/node/src/index.js';

export interface TilesWorkerConfig {
  style: string;
  input: string;
  /** Where each result is written (JPEG), as the CLI would. */
  output: string;
  /** Run options as JSON (tileMode, tile, tileOverlap, memoryBudget, maxPixels). */
  options: { tileMode?: 'exact' | 'fast'; tile?: number | false; tileOverlap?: number; memoryBudget?: number; maxPixels?: number };
  threads: number;
  /** Folder for the activations exact tiling spills (env.scratchDir), watched for its peak size. */
  scratchDir: string;
}

const MiB = 1024 * 1024;
const print = (value: object) => process.stdout.write(`${JSON.stringify(value)}\n`);

async function run(stylizer: Stylizer, config: TilesWorkerConfig): Promise<object> {
  let passes = 1;
  let total = 1;
  let scratchPeak = 0;
  const watch = setInterval(() => (scratchPeak = Math.max(scratchPeak, folderBytes(config.scratchDir))), 250);
  const start = performance.now();
  const options = { ...config.options, maxPixels: config.options.maxPixels ?? Infinity, onProgress: (p: { total: number; passes: number }) => ((passes = p.passes), (total = p.total)) };
  try {
    const result = await stylizer.stylize(config.input, options);
    await result.toFile(config.output);
  } finally {
    clearInterval(watch);
  }
  return { ms: performance.now() - start, passes, tiles: total / passes, scratchPeakMiB: scratchPeak / MiB };
}

/** Bytes of the files under `folder` now (files may go while it looks). */
function folderBytes(folder: string): number {
  let bytes = 0;
  for (const name of readdirSync(folder, { recursive: true })) {
    try {
      bytes += statSync(join(folder, String(name))).size;
    } catch {
      // removed meanwhile
    }
  }
  return bytes;
}

async function main(config: TilesWorkerConfig): Promise<void> {
  const baseRssMiB = process.memoryUsage().rss / MiB;
  env.scratchDir = config.scratchDir;
  const stylizer = await loadStyle(config.style, { device: 'cpu', sessionOptions: { intraOpNumThreads: config.threads } });
  print({ ready: true, baseRssMiB });
  for await (const line of createInterface({ input: process.stdin })) {
    if (line === 'run') print(await run(stylizer, config));
    else if (line === 'end') break;
  }
  await stylizer.dispose();
  // maxRSS is in KiB.
  print({ peakRssMiB: process.resourceUsage().maxRSS / 1024 });
  process.exit(0); // stdin would keep the process alive
}

main(JSON.parse(process.argv[2]!) as TilesWorkerConfig).catch((e: unknown) => {
  process.stderr.write(`${(e as Error)?.stack ?? e}\n`);
  process.exit(1);
});
