/** The part of a stream the CLI writes to (process.stdout / process.stderr, or a test's fake). */
export interface CliStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

/**
 * One redrawn line on a terminal (stderr): a bar when the fraction done is known, else just the label. Does
 * nothing when the stream is no TTY (a pipe, a file, a CI log), so redirected output holds results only.
 */
export class ProgressBar {
  private readonly width = 24;
  private shown = false;
  private drawnAt = 0;

  constructor(
    private readonly stream: CliStream,
    /** Least time between two redraws, in milliseconds (forced updates ignore it). */
    private readonly interval = 50,
  ) {}

  get enabled(): boolean {
    return Boolean(this.stream.isTTY);
  }

  /** Draws `label` after a bar `fraction` (0..1) full, or without a bar when `fraction` is undefined. */
  update(fraction: number | undefined, label: string, force = false): void {
    if (!this.enabled) return;
    const now = Date.now();
    if (!force && this.shown && now - this.drawnAt < this.interval) return;
    this.drawnAt = now;
    let line = label;
    if (fraction !== undefined) {
      const filled = Math.round(Math.min(1, Math.max(0, fraction)) * this.width);
      line = `${'█'.repeat(filled)}${'░'.repeat(this.width - filled)} ${String(Math.floor(fraction * 100)).padStart(3)}% ${label}`;
    }
    this.stream.write(`\r\x1b[2K${line.slice(0, (this.stream.columns || 80) - 1)}`);
    this.shown = true;
  }

  /** Clears the line, so that a message can be printed (the next update draws it again). */
  clear(): void {
    if (this.shown) this.stream.write('\r\x1b[2K');
    this.shown = false;
  }
}
