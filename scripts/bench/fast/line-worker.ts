import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';

/**
 * A benchmark worker in its own process that answers one JSON line per command line on stdin.
 * Keeping workers alive lets the orchestrator interleave single runs of several of them, so that
 * load from other processes on a shared machine hits every side alike.
 */
export class LineWorker {
  readonly label: string;
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly pending: Array<{ resolve: (v: unknown) => void; reject: (e: Error) => void }> = [];
  private stderr = '';
  private exited: Error | undefined;

  constructor(label: string, command: string, args: readonly string[]) {
    this.label = label;
    this.child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stderr.on('data', (d) => (this.stderr = (this.stderr + d).slice(-4000)));
    createInterface({ input: this.child.stdout }).on('line', (line) => this.onLine(line));
    this.child.on('close', (code) => this.fail(new Error(`${label} exited with ${code}:\n${this.stderr.trim()}`)));
    this.child.on('error', (e) => this.fail(e));
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  /** The first line a worker prints, once it has loaded its model. */
  ready<T>(): Promise<T> {
    return this.next<T>();
  }

  request<T>(command: string): Promise<T> {
    const reply = this.next<T>();
    this.child.stdin.write(`${command}\n`);
    return reply;
  }

  /** Stops the process if it is still running (after `end`, or on an error). */
  close(): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill();
  }

  private next<T>(): Promise<T> {
    if (this.exited) return Promise.reject(this.exited);
    return new Promise<T>((resolve, reject) => this.pending.push({ resolve: resolve as (v: unknown) => void, reject }));
  }

  private onLine(line: string): void {
    if (!line.trim().startsWith('{')) return; // stray library output
    const waiter = this.pending.shift();
    try {
      waiter?.resolve(JSON.parse(line));
    } catch (e) {
      waiter?.reject(e as Error);
    }
  }

  private fail(error: Error): void {
    this.exited ??= error;
    for (const w of this.pending.splice(0)) w.reject(error);
  }
}
