import type { ParityOutcome } from './parity-cases.js';

/**
 * What the test page (test/browser/pages/harness.ts) offers on `window.harness`, as plain data types, so
 * that Node test files can call it without DOM types and the page can check it implements it.
 */

export interface PageLoadEvent {
  status: 'initiate' | 'download' | 'progress' | 'done' | 'ready';
  name: string;
  url?: string;
  cached?: boolean;
  loaded?: number;
  total?: number;
  progress?: number;
  bytes?: number;
  device?: string;
}

export interface PageInfo {
  model: string;
  device: string;
  ms: number;
}

/** One stylize() call in the page; `rgba` is base64. */
export interface PageResult {
  rgba: string;
  width: number;
  height: number;
  info: PageInfo;
  events: PageLoadEvent[];
}

/** JSON-safe stylize options. */
export interface PageOptions {
  device?: 'auto' | 'webgpu' | 'wasm';
  size?: number;
  strength?: number;
  preserveColors?: boolean;
  numThreads?: number;
}

/** JSON-safe tiling options of the fast method. */
export interface PageTileOptions {
  tile?: number | false;
  tileOverlap?: number;
  tileMode?: 'exact' | 'fast';
}

/** JSON-safe options of the optimisation method. */
export interface PageGatysOptions {
  device?: 'auto' | 'webgpu' | 'wasm';
  size?: number;
  iterations?: number;
  scales?: number;
  optimizer?: 'lbfgs' | 'adam';
  lossNetwork?: string;
  pooling?: 'max' | 'average';
  previewEvery?: number;
  gradientGraphs?: { features: string; lossGrad: string };
}

/** One progress report of the optimisation, with the preview's size instead of its pixels. */
export interface PageGatysProgress {
  scale: number;
  iteration: number;
  width: number;
  height: number;
  loss: number;
  terms: Record<string, number>;
  elapsedMs: number;
  preview?: [number, number];
}

/** One stylize(content, { styleImage }) call in the page. */
export interface PageGatysResult extends PageResult {
  progress: PageGatysProgress[];
}

/** JSON-safe options of the arbitrary method. */
export interface PageArbitraryOptions {
  size?: number;
  strength?: number;
  preserveColors?: boolean;
  transferNetwork?: string;
  predictor?: string;
}

/** The arbitrary method in the page: the painting's vector, the result with the image, and with the vector kept as JSON. */
export interface PageArbitraryResult extends PageResult {
  vector: { predictor: string; values: number[] };
  /** The same call with `{ styleVector: JSON.parse(JSON.stringify(vector)) }`: RGBA, base64. */
  fromVector: string;
  progress: string[];
}

/** One arbitrary-method run on a kept style vector, with tiling options: the result and the last progress report. */
export interface PageArbitraryTiledResult extends PageResult {
  progress: { done: number; total: number };
}

export interface ThrownError {
  name: string;
  code: string | undefined;
  message: string;
}

export interface WorkerResult {
  ok: boolean;
  rgba?: string;
  width?: number;
  height?: number;
  info?: PageInfo;
  pngType?: string;
  pngBytes?: number;
  hasDocument?: boolean;
  error?: ThrownError;
}

export type ErrorCase =
  | 'unknownDevice'
  | 'badInput'
  | 'notAnImage'
  | 'missingImage'
  | 'unknownStyle'
  | 'missingModel'
  | 'badStrength'
  | 'badType'
  | 'changedThreads'
  | 'emptyBlob'
  | 'truncatedPng'
  | 'garbageJpeg'
  | 'nullOptions'
  | 'stringProviders'
  | 'rawMismatch'
  | 'disposedDuringRun'
  | 'runAfterDispose';

export type GatysErrorCase = 'noStyleImage' | 'unknownLossNetwork' | 'bothSources' | 'badPooling' | 'badIterations' | 'layersDiffer';

export interface HarnessApi {
  settings(): Record<string, unknown>;
  probe(): Promise<{ adapter: { vendor: string; architecture: string; device: string; description: string; isFallbackAdapter: boolean } } | { reason: string }>;
  stylizeRgb(rgb: string, width: number, height: number, style: string, options?: PageOptions): Promise<PageResult>;
  stylizeUrl(url: string, style: string, options?: PageOptions): Promise<PageResult>;
  autoTwice(url: string): Promise<string[]>;
  fromOriginals(url: string, style: string, remoteHost: string): Promise<PageResult>;
  runFloat(rgb: string, width: number, height: number, style: string, device: 'webgpu' | 'wasm'): Promise<{ device: string; ms: number; output: number[] }>;
  tiledFloat(rgb: string, width: number, height: number, style: string, options: PageTileOptions): Promise<{ ms: number; passes: number; output: number[] }>;
  decodeAll(url: string): Promise<Record<string, { rgba: string; width: number; height: number; channels: number }>>;
  inWorker(url: string, style: string, options?: PageOptions): Promise<WorkerResult>;
  blobsOf(
    url: string,
    style: string,
    types: string[],
    quality?: number,
  ): Promise<{ blobs: { type: string; bytes: number }[]; canvas: number[]; drawnMatches: boolean }>;
  cachedUrls(): Promise<string[]>;
  dispose(): Promise<void>;
  fresh(): Promise<void>;
  catalog(): Promise<string[]>;
  lossNetworks(): Promise<string[]>;
  gatys(contentUrl: string, styleUrl: string, options?: PageGatysOptions): Promise<PageGatysResult>;
  /** The arbitrary method (loadArbitraryStylizer, predictStyle, stylize) on an image URL with one style image URL. */
  arbitrary(contentUrl: string, styleUrl: string, options?: PageArbitraryOptions): Promise<PageArbitraryResult>;
  /** The arbitrary method on one loaded stylizer with `{ styleVector }`, once per tiling in `tilings` (with `options`). */
  arbitraryTiled(contentUrl: string, vector: number[], options: PageArbitraryOptions, tilings: PageTileOptions[]): Promise<PageArbitraryTiledResult[]>;
  /** The error a gatys() call throws, or undefined when it succeeds. */
  gatysError(contentUrl: string, styleUrl: string, options?: PageGatysOptions): Promise<ThrownError | undefined>;
  gatysErrors(imageUrl: string): Promise<Record<GatysErrorCase, ThrownError | undefined>>;
  errors(imageUrl: string): Promise<Record<ErrorCase, ThrownError | undefined>>;
  /** The shared parity cases (test/helpers/parity-cases.ts) against @pastiche/web. */
  parity(rgb: string, width: number, height: number, gradUrl: string): Promise<Record<string, ParityOutcome>>;
}
