import { execFile, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { LineWorker } from './line-worker.js';

/** Debian's interpreter: the `python3` first on PATH cannot see python3-torch (../shared/docs/RECIPES.md). */
export const PYTHON = '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('./torch_transformer_net.py', import.meta.url));

export interface TorchInfo {
  torch: string;
  threads: number;
  /** BLAS libraries the process mapped (Debian's torch finds OpenBLAS through libblas.so.3). */
  blas: string[];
  goldenMaxAbsDiff: number;
}

/** True when Debian's python can `import torch`; otherwise the peer is reported as unavailable. */
export function torchAvailable(): boolean {
  return spawnSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;
}

/** Runs the PyTorch net on the golden content image and returns versions and the max |Δ| to the golden output. */
export async function checkTorchGolden(weights: string, threads: number, golden: [string, string]): Promise<TorchInfo> {
  const { stdout } = await promisify(execFile)(PYTHON, [SCRIPT, weights, '--threads', String(threads), '--golden', ...golden]);
  return JSON.parse(stdout.trim().split('\n').pop()!) as TorchInfo;
}

export function startTorchWorker(weights: string, threads: number, size: number): LineWorker {
  return new LineWorker(`pytorch ${size}²`, PYTHON, [SCRIPT, weights, '--threads', String(threads), '--serve', String(size)]);
}
