import { StylePredictorModel, StyleTransferModel, applySpeedRewrites, type PlanarImage } from '@pastiche/core';
import { WEB_DEVICES } from '../../../../packages/web/src/devices.js';
import { configureRuntime, webRuntime } from '../../../../packages/web/src/runtime.js';
import { seededPixels } from '../../web/page/seeded-input.js';
import { NETWORKS, type NetworkId } from '../networks.js';
import type { ArbitraryPeer, ArbitraryPeerConfig } from './peer.js';

/**
 * @pastiche/web's arbitrary-style networks on the wasm device, opened as its loader opens them (the transfer networks
 * through core's exact speed rewrites, then @pastiche/web's runtime with its defaults) and run as the method runs
 * them (`StylePredictorModel.predict`, `StyleTransferModel.transfer`: planar pixels in, planar pixels out).
 */
export async function pastichePeer(config: ArbitraryPeerConfig): Promise<ArbitraryPeer> {
  if (config.threads !== undefined) configureRuntime({ numThreads: config.threads });
  const sessionOptions = { executionProviders: [...WEB_DEVICES.providers.wasm] };
  const predictors = new Map<NetworkId, StylePredictorModel>();
  const transfers = new Map<NetworkId, StyleTransferModel>();
  for (const network of NETWORKS) {
    const bytes = new Uint8Array(await (await fetch(config.urls[network.id])).arrayBuffer());
    if (network.role === 'predictor') predictors.set(network.id, await StylePredictorModel.load(bytes, webRuntime, { sessionOptions }));
    else transfers.set(network.id, await StyleTransferModel.load(applySpeedRewrites(bytes).bytes, webRuntime, { sessionOptions }));
  }
  const ort = await import('onnxruntime-web');
  const style = Float32Array.from(config.styleVector);
  const inputs = new Map<NetworkId, PlanarImage>();
  const outputs = new Map<NetworkId, Float32Array>();
  return {
    info: { runtime: `@pastiche/web (onnxruntime-web ${ort.env.versions.web})`, threads: ort.env.wasm.numThreads as number, crossOriginIsolated },
    setInput(network, size, seed) {
      inputs.set(network, { data: seededPixels(size, seed, 'planar'), width: size, height: size });
    },
    async run(network) {
      const image = inputs.get(network)!;
      const start = performance.now();
      const predictor = predictors.get(network);
      outputs.set(network, predictor ? await predictor.predict(image) : (await transfers.get(network)!.transfer(image, style)).data);
      return performance.now() - start;
    },
    output: (network) => outputs.get(network)!,
  };
}
