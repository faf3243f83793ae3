/**
 * What keeping a value in memory costs per byte, in multiply-adds: onnxruntime hands each output back as a new JS
 * array (inputs are passed without a copy), and tiles then copy their cores out and their windows back. Measured with
 * onnxruntime-node on 2 cores: about 1.5 ms per MB of output against about 80 G multiply-adds a second in convolutions,
 * so caching a 3×3 convolution's 128-channel output costs about what computing it again does, and caching a 9×9
 * convolution of the image costs more.
 */
export const MEMORY_MACS_PER_BYTE = 100;

/**
 * Floats of one cached value, written in parts and read back in parts. The arrays it hands out are views of the block
 * itself where it lives in memory (no copy), else a buffer of its own, valid until the next call.
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

/** Where exact tiling keeps the activations it caches between passes. */
export interface CheckpointStorage {
  /** A block of `length` floats for the value `name`; E_IO when it cannot be made. */
  allocate(name: string, length: number): StoredBlock;
  /** Frees every block (temporary files included). */
  close(): void;
}

/** What the checkpoint planner weighs about a storage. */
export interface StorageTerms {
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
  /** Its capacity and cost now (the free space of a disk changes). */
  terms(): StorageTerms;
  /** Opens a fresh storage (a temporary folder); E_IO when it cannot. */
  open(): CheckpointStorage;
}

/** Blocks as Float32Arrays, read and written in place. */
export const memoryStorage: CheckpointStorage = {
  allocate(_name, length) {
    let data: Float32Array | undefined = new Float32Array(length);
    return {
      read: (offset, n) => data!.subarray(offset, offset + n),
      writable: (offset, n) => data!.subarray(offset, offset + n),
      write: () => {},
      release: () => (data = undefined),
    };
  },
  close() {},
};
