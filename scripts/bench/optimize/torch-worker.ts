import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';

/** Debian's interpreter: the `python3` first on PATH cannot see python3-torch (../shared/docs/RECIPES.md). */
export const PYTHON = '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('./torch_loss_nets.py', import.meta.url));

export interface TorchReady {
  torch: string;
  threads: number;
  blas: string[];
}

export function torchAvailable(): boolean {
  return spawnSync(PYTHON, ['-c', 'import torch, onnx'], { stdio: 'ignore' }).status === 0;
}

/**
 * The PyTorch peer (torch_loss_nets.py) for one case, kept alive so that its runs can be interleaved
 * with Pastiche's: one JSON line back per command line.
 */
export class TorchWorker {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly waiting: Array<{ resolve: (v: unknown) => void; reject: (e: Error) => void }> = [];
  private stderr = '';
  private failed: Error | undefined;

  /** `env` adds to this process's environment (e.g. OMP_WAIT_POLICY). */
  constructor(caseFile: string, threads: number, env: Record<string, string> = {}) {
    this.child = spawn(PYTHON, [SCRIPT, caseFile, '--threads', String(threads)], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    this.child.stderr.on('data', (d) => (this.stderr = (this.stderr + d).slice(-4000)));
    createInterface({ input: this.child.stdout }).on('line', (line) => {
      if (line.startsWith('{')) this.waiting.shift()?.resolve(JSON.parse(line));
    });
    this.child.on('close', (code) => this.fail(new Error(`PyTorch worker exited with ${code}:\n${this.stderr.trim()}`)));
    this.child.on('error', (e) => this.fail(e));
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  ready(): Promise<TorchReady> {
    return this.next();
  }

  request<T>(command: string): Promise<T> {
    const reply = this.next<T>();
    this.child.stdin.write(`${command}\n`);
    return reply;
  }

  close(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.stdin.end('end\n');
  }

  private next<T>(): Promise<T> {
    if (this.failed) return Promise.reject(this.failed);
    return new Promise<T>((resolve, reject) => this.waiting.push({ resolve: resolve as (v: unknown) => void, reject }));
  }

  private fail(error: Error): void {
    this.failed ??= error;
    for (const w of this.waiting.splice(0)) w.reject(error);
  }
}
