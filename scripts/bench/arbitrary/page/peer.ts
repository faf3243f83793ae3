import type { NetworkId } from '../networks.js';

/** One contender of the arbitrary-style benchmark in a page: it holds the three networks, each on its own input. */
export interface ArbitraryPeer {
  readonly info: Readonly<Record<string, string | number | boolean>>;
  /** Makes the seeded input of `size`² for one network (not timed). */
  setInput(network: NetworkId, size: number, seed: number): void;
  /** One timed run of one network, in ms: input tensors made, the network, its output read back into JavaScript. */
  run(network: NetworkId): Promise<number>;
  /** The last output of a network: planar RGB 0..255 (transfer networks) or the style vector (predictor). */
  output(network: NetworkId): Float32Array;
}

export interface ArbitraryPeerConfig {
  peer: 'pastiche' | 'litert';
  /** wasm threads; undefined: the peer's default (LiteRT.js: its single-threaded build). */
  threads?: number;
  /** URL of each network's file: .onnx for Pastiche, .tflite for LiteRT.js. */
  urls: Record<NetworkId, string>;
  /** LiteRT.js' wasm folder, ending in `/`. */
  liteRtWasmUrl?: string;
  /** The style vector the transfer networks get. */
  styleVector: number[];
}
