/**
 * @pastiche/node side of `npm run bench:arbitrary`: one network at one size per process, opened as the arbitrary
 * method's loader opens it (transfer networks through core's exact speed rewrites) on onnxruntime-node's CPU
 * provider, run as the method runs it. Usage: pastiche-node-worker.ts '<NodeWorkerConfig JSON>'. Prints {ready}
 * once loaded, then answers stdin lines: `run` → {"ms"}, `output` → {"base64"} (float32), `end` → {"peakRssMiB"}.
 */
import { readFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { StylePredictorModel, StyleTransferModel, applySpeedRewrites } from '../../../packages/core/src/index.js';
import { NODE_DEVICES } from '../../../packages/node/src/devices.js';
import { nodePlatform } from '../../../packages/node/src/node-platform.js';
import { seededPixels } from '../web/page/seeded-input.js';

export interface NodeWorkerConfig {
  model: string;
  role: 'predictor' | 'transfer';
  size: number;
  seed: number;
  threads: number;
  styleVector: number[];
}

const MiB = 1024 * 1024;
const print = (value: object) => process.stdout.write(`${JSON.stringify(value)}\n`);

async function main(config: NodeWorkerConfig): Promise<void> {
  const bytes = new Uint8Array(await readFile(config.model));
  const sessionOptions = { executionProviders: [...NODE_DEVICES.providers.cpu], intraOpNumThreads: config.threads };
  const image = { data: seededPixels(config.size, config.seed, 'planar'), width: config.size, height: config.size };
  const style = Float32Array.from(config.styleVector);
  let run: () => Promise<Float32Array>;
  if (config.role === 'predictor') {
    const model = await StylePredictorModel.load(bytes, nodePlatform.runtime, { sessionOptions });
    run = () => model.predict(image);
  } else {
    const model = await StyleTransferModel.load(applySpeedRewrites(bytes).bytes, nodePlatform.runtime, { sessionOptions });
    run = async () => (await model.transfer(image, style)).data;
  }
  print({ ready: true });
  let last: Float32Array = new Float32Array(0);
  for await (const line of createInterface({ input: process.stdin })) {
    if (line === 'run') {
      const start = performance.now();
      last = await run();
      print({ ms: performance.now() - start });
    } else if (line === 'output') {
      print({ base64: Buffer.from(last.buffer, last.byteOffset, last.byteLength).toString('base64') });
    } else if (line === 'end') {
      break;
    }
  }
  print({ peakRssMiB: (process.resourceUsage().maxRSS * 1024) / MiB });
  process.exit(0); // stdin would keep the process alive
}

main(JSON.parse(process.argv[2]!) as NodeWorkerConfig).catch((error) => {
  console.error(error);
  process.exit(1);
});
