import type * as Tf from '@tensorflow/tfjs-core';
import type * as TfWasm from '@tensorflow/tfjs-backend-wasm';
import type { Peer, PeerConfig } from './peer.js';
import { interleavedToPlanar, seededPixels } from './seeded-input.js';
import { TfjsTransformNet } from './tfjs-transform-net.js';

function addScript(src: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = src;
    script.onload = () => resolve();
    script.onerror = () => reject(new Error(`could not load ${src}`));
    document.head.append(script);
  });
}

/**
 * Stock TensorFlow.js on @tensorflow/tfjs-backend-wasm (XNNPACK), the network ml5 builds, from the same checkpoint,
 * from the packages' own prebuilt bundles (dist/tf-core.min.js, dist/tf-backend-wasm.min.js, as from a CDN).
 * Its thread pool is capped at half of `navigator.hardwareConcurrency` (tfjs-backend-wasm's backend.cc), whatever
 * `setThreadsCount` asks: `config.reportCores` makes the page report more cores, so that it can take more threads.
 */
export async function tfjsPeer(config: PeerConfig): Promise<Peer> {
  if (config.reportCores !== undefined) Object.defineProperty(navigator, 'hardwareConcurrency', { get: () => config.reportCores });
  await addScript(`${config.tfjsCoreUrl!}tf-core.min.js`);
  await addScript(`${config.tfjsWasmUrl!}tf-backend-wasm.min.js`);
  const tf = (globalThis as unknown as { tf: typeof Tf & { wasm: typeof TfWasm } }).tf;
  tf.wasm.setWasmPaths(config.tfjsWasmUrl!);
  if (config.threads !== undefined) tf.wasm.setThreadsCount(config.threads);
  if (!(await tf.setBackend('wasm'))) throw new Error('the tfjs wasm backend did not start');
  const net = await TfjsTransformNet.load(tf, config.checkpointUrl!);
  let pixels: Float32Array = new Float32Array(0);
  let size = 0;
  let last: Float32Array = new Float32Array(0);
  return {
    info: {
      runtime: `TensorFlow.js ${tf.version_core}, tfjs-backend-wasm ${tf.wasm.version_wasm}`,
      threads: tf.wasm.getThreadsCount(),
      crossOriginIsolated,
      ...(config.reportCores !== undefined ? { hardwareConcurrency: navigator.hardwareConcurrency } : {}),
    },
    setInput(n, seed) {
      size = n;
      pixels = seededPixels(n, seed, 'interleaved');
    },
    async run() {
      const start = performance.now();
      const x = tf.tensor3d(pixels, [size, size, 3]);
      const y = net.predict(x);
      last = (await y.data()) as Float32Array;
      x.dispose();
      y.dispose();
      return performance.now() - start;
    },
    output: () => interleavedToPlanar(last, size * size),
  };
}
