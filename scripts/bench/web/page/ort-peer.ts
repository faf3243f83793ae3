import type { Peer, PeerConfig } from './peer.js';
import { seededPixels } from './seeded-input.js';

/** Stock onnxruntime-web on the wasm execution provider: the model as it is, default session options. */
export async function ortPeer(config: PeerConfig): Promise<Peer> {
  // Imported on use: its own chunk, which its wasm threads load as their worker script.
  const ort = await import('onnxruntime-web');
  if (config.threads !== undefined) ort.env.wasm.numThreads = config.threads;
  const bytes = new Uint8Array(await (await fetch(config.modelUrl!)).arrayBuffer());
  const session = await ort.InferenceSession.create(bytes, { ...config.sessionOptions, executionProviders: ['wasm'] });
  let input: Float32Array = new Float32Array(0);
  let size = 0;
  let last: Float32Array = new Float32Array(0);
  return {
    info: { runtime: `onnxruntime-web ${ort.env.versions.web}`, threads: ort.env.wasm.numThreads as number, crossOriginIsolated },
    setInput(n, seed) {
      size = n;
      input = seededPixels(n, seed, 'planar');
    },
    async run() {
      const start = performance.now();
      const feeds = { [session.inputNames[0]!]: new ort.Tensor('float32', input, [1, 3, size, size]) };
      const out = (await session.run(feeds))[session.outputNames[0]!]!;
      last = out.data as Float32Array;
      return performance.now() - start;
    },
    output: () => last,
    endProfiling: () => session.endProfiling(),
  };
}
