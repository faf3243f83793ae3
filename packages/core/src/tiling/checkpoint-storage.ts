import type { Tensor } from 'onnxruntime-common';

/**
 * What keeping a value in memory costs per byte, in multiply-adds: onnxruntime hands each output back as a new JS
 * array (inputs are passed without a copy), and tiles then stitch theirs. Measured with onnxruntime-node on 2 cores:
 * about 1.5 ms per MB of output against about 80 G multiply-adds a second in convolutions, so caching a 3×3
 * convolution's 128-channel output costs about what computing it again does, and caching a 9×9 convolution of the
 * image costs more.
 */
export const MEMORY_MACS_PER_BYTE = 100;

/** Where exact tiling keeps the values it caches between passes, as its run uses them. */
export interface CheckpointStore {
  /** After tile `t` of a pass that makes checkpoint `next`: keeps the values it emitted, from its outputs. */
  keep(t: number, outputs: Readonly<Record<string, Tensor>>, emit: readonly string[], next: readonly string[]): void;
  /** After every tile of that pass. */
  endPass(emit: readonly string[], next: readonly string[]): void;
  /** The cached value over tile `t`'s window, as a pass reads it. */
  read(t: number, value: string): Tensor | undefined;
  /** After tile `t`'s last run: what only it holds can go. */
  tileDone(t: number): void;
  /** Frees everything (temporary files included). */
  close(): void;
}

/**
 * Floats of one cached value in a platform's spill storage, written in parts and read back in parts. The arrays it
 * hands out are valid until its next call.
 */
export interface StoredBlock {
  /** The `length` floats from `offset` on, to read. */
  read(offset: number, length: number): Float32Array;
  /** An array for the `length` floats from `offset` on, to fill and then pass to `write`. */
  writable(offset: number, length: number): Float32Array;
  /** Stores an array from `writable` once filled. */
  write(offset: number, data: Float32Array): void;
  /** Frees what the block holds. */
  release(): void;
}

/** A platform's storage for the activations exact tiling caches between passes (a folder of scratch files). */
export interface CheckpointStorage {
  /** A block of `length` floats for the value `name`; E_IO when it cannot be made. */
  allocate(name: string, length: number): StoredBlock;
  /** Frees every block (temporary files included). */
  close(): void;
}

/** What the checkpoint planner weighs about a storage. */
export interface StorageTerms {
  /**
   * How a value on a grid is kept: per tile, its whole window; or once for the image, as the tiles' cores (each tile
   * then reads its window back from the cores it meets).
   */
  keeps: 'tile windows' | 'image cores';
  /** Most bytes it may hold at once. */
  capacity: number;
  /** What keeping one byte costs, in multiply-adds: copying it out of onnxruntime's output, storing it and reading it back. */
  macsPerByte: number;
}

/**
 * Storage a platform offers beside memory, for images whose cached activations do not fit the memory budget: files
 * in a scratch folder on Node. Exact tiling uses it when the plan it allows does less work than memory's.
 */
export interface CheckpointSpill {
  /** Its capacity and cost now (the free space of a disk changes); it keeps values as image cores. */
  terms(): Omit<StorageTerms, 'keeps'>;
  /** Opens a fresh storage (a temporary folder); E_IO when it cannot. */
  open(): CheckpointStorage;
}
