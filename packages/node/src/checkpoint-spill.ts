import { PasticheError, type CheckpointSpill, type CheckpointStorage, type StoredBlock } from '@pastiche/core';
import { closeSync, mkdtempSync, openSync, readSync, rmSync, statfsSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { env } from './env.js';

/**
 * What keeping one byte in a scratch file costs exact tiling's planner, in multiply-adds: onnxruntime's copy of the
 * output (1.5 ms per MB, as in memory), then writing the core to the page cache, reading the windows back and the copies
 * in between: about 17 s for the 11 GB a 4096² candy run keeps, 1.5 ms per MB, on this project's 2-core machine; about
 * 3 ms per MB in all, against about 80 G multiply-adds a second in convolutions.
 */
const FILE_MACS_PER_BYTE = 300;

/** Disk space left to everything else: the scratch files take at most half the free space, and leave at least this. */
const FREE_SPACE_KEPT = 2 ** 30;

/**
 * Exact tiling's cached activations in files under `env.scratchDir` (PASTICHE_SCRATCH_DIR, default the system's
 * temporary folder; `false` or `off` to keep them in memory only): one folder per run, removed when the run ends, by
 * error or abort too (a process killed outright leaves it behind).
 */
export const fileCheckpointSpill: CheckpointSpill = {
  terms() {
    const dir = env.scratchDir;
    let free = 0;
    if (dir !== false) {
      try {
        const stats = statfsSync(dir);
        free = stats.bavail * stats.bsize;
      } catch {
        // A folder that cannot be read counts as full: activations then stay in memory or are recomputed.
      }
    }
    return { capacity: Math.max(0, Math.min(free / 2, free - FREE_SPACE_KEPT)), macsPerByte: FILE_MACS_PER_BYTE };
  },
  open() {
    const dir = env.scratchDir;
    if (dir === false) throw new Error('internal: scratch files are off');
    const folder = io(dir, 'create a scratch folder in', () => mkdtempSync(join(dir, 'pastiche-tiles-')));
    return fileStorage(folder);
  },
};

interface ScratchFile {
  path: string;
  fd: number;
  /** Floats it was made for. */
  length: number;
}

function fileStorage(folder: string): CheckpointStorage {
  let made = 0;
  const blocks = new Set<StoredBlock>();
  /**
   * Files of released blocks, overwritten by the next block of their length (the passes of a network keep values of
   * the same sizes over and over): rewriting pages already in the page cache costs less than new files. A block of
   * another length lets them go, so that the disk holds no more than the plan counted.
   */
  let free: ScratchFile[] = [];
  const remove = (file: ScratchFile) => {
    closeSync(file.fd);
    rmSync(file.path, { force: true });
  };
  const fileFor = (length: number): ScratchFile => {
    const i = free.findIndex((f) => f.length === length);
    if (i >= 0) return free.splice(i, 1)[0];
    for (const f of free) remove(f);
    free = [];
    const path = join(folder, `${made++}.f32`);
    return { path, fd: io(path, 'create', () => openSync(path, 'w+')), length };
  };
  return {
    allocate(name: string, length: number): StoredBlock {
      const file = fileFor(length);
      const { path, fd } = file;
      // One buffer for what is read or about to be written: callers are done with it before their next call.
      let buffer = new Float32Array(0);
      const part = (length: number) => {
        if (buffer.length < length) buffer = new Float32Array(length);
        return buffer.subarray(0, length);
      };
      const block: StoredBlock = {
        read(offset, length) {
          const into = part(length);
          io(path, `read '${name}' from`, () => {
            const bytes = new Uint8Array(into.buffer, into.byteOffset, into.byteLength);
            for (let done = 0; done < bytes.length; ) {
              const n = readSync(fd, bytes, done, bytes.length - done, offset * 4 + done);
              if (n === 0) throw Object.assign(new Error('the file is shorter than what was written to it'), { code: 'ESHORT' });
              done += n;
            }
          });
          return into;
        },
        writable: (_offset, length) => part(length),
        write(offset, data) {
          io(path, `write ${data.byteLength} bytes of '${name}' to`, () => {
            const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
            for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done, bytes.length - done, offset * 4 + done);
          });
        },
        release() {
          if (blocks.delete(block)) free.push(file);
        },
      };
      blocks.add(block);
      return block;
    },
    close() {
      for (const block of [...blocks]) block.release();
      for (const f of free) remove(f);
      free = [];
      rmSync(folder, { recursive: true, force: true });
    },
  };
}

/** Runs a file operation; a failure is E_IO naming the file and what to do. */
function io<T>(path: string, what: string, operation: () => T): T {
  try {
    return operation();
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    throw new PasticheError(
      'E_IO',
      `Could not ${what} '${path}' (${code ?? (cause as Error).message}) while caching activations for exact tiling. ` +
        'Free disk space there, point PASTICHE_SCRATCH_DIR (env.scratchDir) at another folder, or set it to off to keep them in memory.',
      { cause },
    );
  }
}
