/**
 * Pastiche side of the benchmark, one model and one size per process (so peak RSS is per size).
 * Usage: pastiche-worker.ts '<WorkerConfig JSON>'. Prints {ready…} after loading, then answers
 * stdin lines: `run` → {"ms"}, `end` → {"peakRssMiB"} and exits.
 */
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import * as ort from 'onnxruntime-node';
import { StyleModel, applySpeedRewrites } from '../../../packages/core/src/index.js';
import { NODE_DEVICES } from '../../../packages/node/src/devices.js';
import { nodePlatform } from '../../../packages/node/src/node-platform.js';

export interface WorkerConfig {
  model: string;
  size: number;
  sessionOptions: ort.InferenceSession.SessionOptions;
  /** Pastiche's load-time graph rewrites (its default); false runs the model as it is. @default true */
  rewrites?: boolean;
  /** Any network with one [1,3,size,size] input, run by onnxruntime as it is (the conv-limit reference). */
  raw?: boolean;
}

/** One timed call: a StyleModel run, or a raw session run. */
type Runner = () => Promise<unknown>;

async function loadRunner(config: WorkerConfig): Promise<Runner> {
  const bytes = new Uint8Array(await readFile(config.model));
  const sessionOptions = { ...config.sessionOptions, executionProviders: [...NODE_DEVICES.providers.cpu] };
  if (config.raw) {
    const session = await ort.InferenceSession.create(bytes, sessionOptions);
    const input = new ort.Tensor('float32', randomImage(config.size).data, [1, 3, config.size, config.size]);
    return () => session.run({ [session.inputNames[0]!]: input });
  }
  // The network alone (model.run, no resizing or conversion), on the CPU as loadStyle's `device: 'cpu'` opens it.
  const model = await StyleModel.load(config.rewrites === false ? bytes : applySpeedRewrites(bytes).bytes, nodePlatform.runtime, { sessionOptions });
  const image = randomImage(config.size);
  return () => model.run(image);
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
  const run = await loadRunner(config);
  print({ ready: true, baseRssMiB, loadMs: performance.now() - t0 });
  for await (const line of createInterface({ input: process.stdin })) {
    if (line === 'run') {
      const start = performance.now();
      await run();
      print({ ms: performance.now() - start });
    } else if (line === 'end') {
      break;
    }
  }
  // maxRSS is in KiB.
  print({ peakRssMiB: (process.resourceUsage().maxRSS * 1024) / MiB });
  process.exit(0); // stdin would keep the process alive
}

main(JSON.parse(process.argv[2]) as WorkerConfig).catch((error) => {
  console.error(error);
  process.exit(1);
});
