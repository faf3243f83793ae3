import { Tensor, loadAndCompile, loadLiteRt, type CompiledModel } from '@litertjs/core';
import { interleavedToPlanar, seededPixels } from '../../web/page/seeded-input.js';
import { NETWORKS, STYLE_LENGTH, type NetworkId } from '../networks.js';
import type { ArbitraryPeer, ArbitraryPeerConfig } from './peer.js';

/**
 * LiteRT.js (@litertjs/core) on its CPU 'wasm' accelerator (XNNPACK), running the original TFLite files: NHWC inputs
 * in 0..1, the style vector as [1, 1, 1, 100]. With `threads` it loads its threaded build (a cross-origin isolated
 * page) and compiles with that many; else its default single-threaded build.
 */
export async function liteRtPeer(config: ArbitraryPeerConfig): Promise<ArbitraryPeer> {
  await loadLiteRt(config.liteRtWasmUrl!, { threads: config.threads !== undefined && config.threads > 1 });
  const models = new Map<NetworkId, CompiledModel>();
  for (const network of NETWORKS) {
    models.set(network.id, await loadAndCompile(config.urls[network.id], { accelerator: 'wasm', ...(config.threads ? { cpuOptions: { numThreads: config.threads } } : {}) }));
  }
  const style = Float32Array.from(config.styleVector);
  const inputs = new Map<NetworkId, { pixels: Float32Array; size: number }>();
  const outputs = new Map<NetworkId, Float32Array>();
  return {
    info: { runtime: 'LiteRT.js (@litertjs/core) wasm', threads: config.threads ?? 1, crossOriginIsolated },
    setInput(network, size, seed) {
      inputs.set(network, { pixels: seededPixels(size, seed, 'interleaved').map((v) => v / 255), size });
    },
    async run(network) {
      const { pixels, size } = inputs.get(network)!;
      const transfer = NETWORKS.find((n) => n.id === network)!.role === 'transfer';
      const start = performance.now();
      const feeds = [new Tensor(pixels, [1, size, size, 3])];
      if (transfer) feeds.push(new Tensor(style, [1, 1, 1, STYLE_LENGTH]));
      const results = await models.get(network)!.run(feeds);
      const data = results[0]!.toTypedArray() as Float32Array;
      const elapsed = performance.now() - start;
      for (const t of [...feeds, ...results]) t.delete();
      outputs.set(network, transfer ? interleavedToPlanar(data.map((v) => v * 255), size * size) : data);
      return elapsed;
    },
    output: (network) => outputs.get(network)!,
  };
}
