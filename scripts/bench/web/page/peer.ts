/** One contender in the browser benchmark, as the page drives it. */
export interface Peer {
  /** What runs: library versions, threads, execution provider, graph rewrites. */
  readonly info: Readonly<Record<string, string | number | boolean>>;
  /** Makes the seeded input image of `size`² in the peer's own layout (not timed). */
  setInput(size: number, seed: number): void;
  /** One timed run, in ms: the input tensor made from the pixels, the network, the output read back into JS. */
  run(): Promise<number>;
  /** The last run's output as planar float32 RGB (NCHW), for the agreement check. */
  output(): Float32Array;
  /** Ends onnxruntime's profiling (session option `enableProfiling`), which prints its events to the console. */
  endProfiling?(): void;
}

/** What the page is asked to load. */
export interface PeerConfig {
  peer: 'pastiche' | 'onnxruntime-web' | 'tfjs';
  /** wasm threads; undefined: the peer's own default. */
  threads?: number;
  /** The ONNX model's URL (pastiche, onnxruntime-web). */
  modelUrl?: string;
  /** onnxruntime-web's session options besides the execution provider (onnxruntime-web), e.g. `enableProfiling`. */
  sessionOptions?: Record<string, unknown>;
  /** The ml5 checkpoint folder's URL, ending in `/` (tfjs). */
  checkpointUrl?: string;
  /** Cores the page reports in `navigator.hardwareConcurrency` (tfjs: its thread pool takes at most half). */
  reportCores?: number;
  /** @tensorflow/tfjs-core's dist folder, ending in `/` (tfjs). */
  tfjsCoreUrl?: string;
  /** @tensorflow/tfjs-backend-wasm's dist folder (its bundle and .wasm files), ending in `/` (tfjs). */
  tfjsWasmUrl?: string;
}
