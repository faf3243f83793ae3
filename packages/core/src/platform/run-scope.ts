import { PasticheError, type ErrorCode } from '../errors.js';

/** E_DISPOSED for `what` (a stylizer, an optimizer, the one-shot API), with what the run was doing as cause. */
export function disposedError(what: string, remedy = 'load it again', cause?: unknown): PasticheError {
  return new PasticheError('E_DISPOSED', `${what} was disposed; ${remedy}.`, cause === undefined ? undefined : { cause });
}

/** An argument error from the argument module's checks (`Expected … for … but received …`), raised on purpose. */
const isArgumentError = (error: unknown) => (error instanceof TypeError || error instanceof RangeError) && /^Expected /.test(error.message);

/**
 * `error` as the public API may throw it: a PasticheError as it is, an argument error as it is where `arguments` may
 * still be wrong (decoding raw pixels, say), anything else (a runtime's or a decoder's own error, a bug's TypeError
 * or RangeError) as a PasticheError with `code`, saying what failed and keeping the original as `cause`.
 */
export function typedError(error: unknown, code: ErrorCode, what: string, argumentsChecked = false): PasticheError | TypeError | RangeError {
  if (error instanceof PasticheError || (!argumentsChecked && isArgumentError(error))) return error as PasticheError | TypeError | RangeError;
  const reason = error instanceof Error ? error.message : String(error);
  return new PasticheError(code, `${what} failed: ${reason.split('\n')[0]}`, { cause: error });
}

/**
 * Awaits `work`, turning whatever it throws into a {@link typedError}. `argumentsChecked`: every argument `work`
 * uses was resolved already (a method's run), so an argument error from inside it is a fault, wrapped too.
 */
export async function typed<T>(code: ErrorCode, what: string, work: () => Promise<T>, argumentsChecked = false): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw typedError(error, code, what, argumentsChecked);
  }
}

/**
 * The runs of one stylizer or optimizer (a child scope) or of one platform's whole API (the root). Disposing a
 * scope aborts its runs and its children's through the signal each run gets, and waits for them to settle, so
 * that no session is released while it runs; a run that fails once its scope is disposed fails with E_DISPOSED.
 */
export class RunScope {
  private readonly controller = new AbortController();
  private readonly running = new Set<Promise<unknown>>();

  constructor(
    /** For messages: `This stylizer of 'candy'`. */
    readonly what: string,
    /** What to do, for messages: `load the style again`. */
    private readonly remedy = 'load it again',
    private readonly parent?: RunScope,
  ) {}

  /** True once this scope or one above it is disposed. */
  get disposed(): boolean {
    return this.controller.signal.aborted || (this.parent?.disposed ?? false);
  }

  throwIfDisposed(): void {
    if (this.disposed) throw disposedError(this.what, this.remedy);
  }

  /** A scope whose runs this one's disposal also ends. */
  child(what: string, remedy?: string): RunScope {
    return new RunScope(what, remedy, this);
  }

  /**
   * Runs `work` with a signal that aborts when `signal` (the caller's) does or when this scope is disposed. An
   * error after this scope's disposal is E_DISPOSED (the caller's own abort stays E_ABORTED); a run that finished
   * before it noticed keeps its result.
   */
  async run<T>(signal: AbortSignal | undefined, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
    this.throwIfDisposed();
    const combined = new AbortController();
    const sources: AbortSignal[] = [];
    for (let scope: RunScope | undefined = this; scope; scope = scope.parent) sources.push(scope.controller.signal);
    if (signal) sources.push(signal);
    const forwards = sources.map((source) => {
      const forward = () => combined.abort(source.reason);
      if (source.aborted) forward();
      else source.addEventListener('abort', forward, { once: true });
      return () => source.removeEventListener('abort', forward);
    });
    const promise = (async () => work(combined.signal))();
    const tracked = promise.catch(() => undefined);
    for (let scope: RunScope | undefined = this; scope; scope = scope.parent) scope.running.add(tracked);
    try {
      return await promise;
    } catch (error) {
      if (this.disposed && !signal?.aborted) throw disposedError(this.what, this.remedy, error);
      throw error;
    } finally {
      // The caller's signal may outlive many runs: no listener is left on it.
      for (const remove of forwards) remove();
      for (let scope: RunScope | undefined = this; scope; scope = scope.parent) scope.running.delete(tracked);
    }
  }

  /** Aborts the runs of this scope and of its children with E_DISPOSED and waits until they have settled. */
  async dispose(): Promise<void> {
    if (!this.controller.signal.aborted) this.controller.abort(disposedError(this.what, this.remedy));
    await Promise.allSettled([...this.running]);
  }
}
