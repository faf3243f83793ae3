/**
 * The arbitrary-style benchmark page: `window.bench` loads one peer (Pastiche or LiteRT.js, with its thread setting:
 * wasm settings are global to a page) holding the three networks, and times single runs of one network at a time.
 */
import type { NetworkId } from '../networks.js';
import type { ArbitraryPeer, ArbitraryPeerConfig } from './peer.js';

let peer: ArbitraryPeer | undefined;

function loaded(): ArbitraryPeer {
  if (!peer) throw new Error('bench.setup() first');
  return peer;
}

function toBase64(data: Float32Array): string {
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  let text = '';
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}

const bench = {
  async setup(config: ArbitraryPeerConfig) {
    if (peer) throw new Error('one peer per page');
    peer = config.peer === 'pastiche' ? await (await import('./pastiche-peer.js')).pastichePeer(config) : await (await import('./litert-peer.js')).liteRtPeer(config);
    return peer.info;
  },
  setInput: (network: NetworkId, size: number, seed: number) => loaded().setInput(network, size, seed),
  run: (network: NetworkId) => loaded().run(network),
  output: (network: NetworkId) => toBase64(loaded().output(network)),
};

export type ArbitraryBenchPage = typeof bench;
(globalThis as unknown as { bench: ArbitraryBenchPage }).bench = bench;
document.getElementById('status')!.textContent = 'ready';
