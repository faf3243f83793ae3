/** A one-line progress bar on a TTY stream; does nothing elsewhere (pipes, CI logs). */
export class ProgressBar {
  private readonly width = 24;
  private active = false;

  constructor(
    private readonly stream: NodeJS.WriteStream,
    private readonly total: number,
  ) {}

  get enabled(): boolean {
    return Boolean(this.stream.isTTY) && this.total > 1;
  }

  update(done: number, label: string): void {
    if (!this.enabled) return;
    const filled = Math.round((done / this.total) * this.width);
    const bar = '█'.repeat(filled) + '░'.repeat(this.width - filled);
    const columns = this.stream.columns ?? 80;
    const line = `${bar} ${done}/${this.total} ${label}`.slice(0, columns - 1);
    this.stream.write(`\r\x1b[2K${line}`);
    this.active = true;
  }

  /** Clears the bar so that a message can be printed on a clean line. */
  clear(): void {
    if (this.active) this.stream.write('\r\x1b[2K');
    this.active = false;
  }
}
