/**
 * One side of `npm run bench:tiles`: a built-in style loaded once in a fresh process (so peak RSS is this
 * configuration's), stylizing an image file to a file through @pastiche/node as an app would.
 * Usage: tiles-worker.ts '<TilesWorkerConfig JSON>'. Prints {ready…} after loading, then answers stdin lines:
 * `run` → {"ms", "passes", "tiles"}, `end` → {"peakRssMiB"} and exits.
 */
import { createInterface } from 'node:readline';
import { loadStyle, type Stylizer } from '../../../packages/node/src/index.js';

export interface TilesWorkerConfig {
  style: string;
  input: string;
  /** Where each result is written (JPEG), as the CLI would. */
  output: string;
  /** Run options as JSON (tileMode, tile, tileOverlap, memoryBudget, maxPixels). */
  options: { tileMode?: 'exact' | 'fast'; tile?: number | false; tileOverlap?: number; memoryBudget?: number; maxPixels?: number };
  threads: number;
}

const MiB = 1024 * 1024;
const print = (value: object) => process.stdout.write(`${JSON.stringify(value)}\n`);

async function run(stylizer: Stylizer, config: TilesWorkerConfig): Promise<object> {
  let passes = 1;
  let total = 1;
  const start = performance.now();
  const options = { ...config.options, maxPixels: config.options.maxPixels ?? Infinity, onProgress: (p: { total: number; passes: number }) => ((passes = p.passes), (total = p.total)) };
  const result = await stylizer.stylize(config.input, options);
  await result.toFile(config.output);
  return { ms: performance.now() - start, passes, tiles: total / passes };
}

async function main(config: TilesWorkerConfig): Promise<void> {
  const baseRssMiB = process.memoryUsage().rss / MiB;
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
