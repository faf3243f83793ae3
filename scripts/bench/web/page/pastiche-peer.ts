import { StyleModel, applyWasmRewrites, type PlanarImage } from '@pastiche/core';
import { WEB_DEVICES } from '../../../../packages/web/src/devices.js';
import { configureRuntime, runtimeSettings, webRuntime } from '../../../../packages/web/src/runtime.js';
import type { Peer, PeerConfig } from './peer.js';
import { seededPixels } from './seeded-input.js';

/**
 * @pastiche/web on the wasm device: its runtime settings (threads, graph rewrites) and the session `loadStyle`
 * opens for `device: 'wasm'`, run as the fast method runs it (`StyleModel.run`: planar pixels → tensor →
 * network → planar), like the Node side of the benchmark.
 */
export async function pasticheWebPeer(config: PeerConfig): Promise<Peer> {
  if (config.threads !== undefined) configureRuntime({ numThreads: config.threads });
  const bytes = new Uint8Array(await (await fetch(config.modelUrl!)).arrayBuffer());
  const model = await StyleModel.load(bytes, webRuntime, { sessionOptions: { executionProviders: [...WEB_DEVICES.providers.wasm] } });
  const ort = await import('onnxruntime-web');
  let image: PlanarImage = { data: new Float32Array(0), width: 0, height: 0 };
  let last: Float32Array = new Float32Array(0);
  const settings = runtimeSettings();
  // What the runtime's createSession did to the model on the wasm kernels (counted again here: not timed).
  const rewrites = applyWasmRewrites(bytes, { imagesOnly: true });
  return {
    info: {
      runtime: `@pastiche/web (onnxruntime-web ${ort.env.versions.web})`,
      threads: ort.env.wasm.numThreads as number,
      crossOriginIsolated,
      rewrites: `${rewrites.winogradConvolutions} Winograd F(4×4, 3×3), ${rewrites.largeKernelConvolutions} large-kernel split`,
      ...(settings.numThreads === undefined ? { defaults: true } : {}),
    },
    setInput(size, seed) {
      image = { data: seededPixels(size, seed, 'planar'), width: size, height: size };
    },
    async run() {
      const start = performance.now();
      last = (await model.run(image)).data;
      return performance.now() - start;
    },
    output: () => last,
  };
}
