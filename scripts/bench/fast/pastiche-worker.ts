/**
 * Pastiche side of the benchmark, one model and one size per process (so peak RSS is per size).
 * Usage: pastiche-worker.ts '<WorkerConfig JSON>'. Prints {ready…} after loading, then answers
 * stdin lines: `run` → {"ms"}, `end` → {"peakRssMiB"} and exits.
 */
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { InferenceSession } from 'onnxruntime-node';
import { StyleModel } from '../../../packages/core/src/index.js';
import { NODE_DEVICES } from '../../../packages/node/src/devices.js';
import { nodePlatform } from '../../../packages/node/src/node-platform.js';

export interface WorkerConfig {
  model: string;
  size: number;
  sessionOptions: InferenceSession.SessionOptions;
}

const MiB = 1024 * 1024;
const print = (value: object) => process.stdout.write(`${JSON.stringify(value)}\n`);

/** Uniform 0..255 planar RGB, the same distribution the PyTorch peer feeds. */
function randomImage(size: number) {
  const data = new Float32Array(3 * size * size);
  for (let i = 0; i < data.length; i++) data[i] = Math.random() * 255;
  return { data, width: size, height: size };
}

async function main(config: WorkerConfig): Promise<void> {
  // Node + tsx + onnxruntime before the model loads, to put peak RSS in perspective.
  const baseRssMiB = process.memoryUsage().rss / MiB;
  const t0 = performance.now();
  // The raw network (model.run, no resizing or conversion), with a session on the CPU as loadStyle's `device: 'cpu'` opens it.
  const bytes = await readFile(config.model);
  const model = await StyleModel.load(bytes, nodePlatform.runtime, {
    sessionOptions: { ...config.sessionOptions, executionProviders: [...NODE_DEVICES.providers.cpu] },
  });
  print({ ready: true, baseRssMiB, loadMs: performance.now() - t0 });
  const image = randomImage(config.size);
  for await (const line of createInterface({ input: process.stdin })) {
    if (line === 'run') {
      const start = performance.now();
      await model.run(image);
      print({ ms: performance.now() - start });
    } else if (line === 'end') {
      break;
    }
  }
  // maxRSS is in KiB.
  print({ peakRssMiB: (process.resourceUsage().maxRSS * 1024) / MiB });
  await model.dispose();
  process.exit(0); // stdin would keep the process alive
}

main(JSON.parse(process.argv[2]) as WorkerConfig).catch((error) => {
  console.error(error);
  process.exit(1);
});
