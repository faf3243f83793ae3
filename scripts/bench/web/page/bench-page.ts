/**
 * The browser benchmark page: `window.bench` loads one peer (per page, since onnxruntime-web's and tfjs' wasm
 * settings are global to a page), makes the seeded input and times single runs, which the Node side interleaves
 * with the other pages' and processes' runs.
 */
import type { Peer, PeerConfig } from './peer.js';

let peer: Peer | undefined;

function loaded(): Peer {
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
  async setup(config: PeerConfig) {
    if (peer) throw new Error('one peer per page');
    if (config.peer === 'pastiche') peer = await (await import('./pastiche-peer.js')).pasticheWebPeer(config);
    else if (config.peer === 'onnxruntime-web') peer = await (await import('./ort-peer.js')).ortPeer(config);
    else peer = await (await import('./tfjs-peer.js')).tfjsPeer(config);
    return peer.info;
  },
  setInput: (size: number, seed: number) => loaded().setInput(size, seed),
  run: () => loaded().run(),
  /** The last output as base64 float32 NCHW. */
  output: () => toBase64(loaded().output()),
  endProfiling: () => loaded().endProfiling?.(),
};

export type BenchPage = typeof bench;
(globalThis as unknown as { bench: BenchPage }).bench = bench;
document.getElementById('status')!.textContent = 'ready';
