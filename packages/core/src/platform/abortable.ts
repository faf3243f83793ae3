import { PasticheError } from '../errors.js';

/** E_ABORTED for `what`, with the signal's reason as cause. */
export function abortedError(what: string, signal: AbortSignal): PasticheError {
  return new PasticheError('E_ABORTED', `${what} was aborted.`, { cause: signal.reason });
}

export function throwIfAborted(what: string, signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw abortedError(what, signal);
}

/**
 * Waits for `work` unless `signal` aborts first. Work that cannot be cancelled (creating a session) goes on;
 * when it finishes after the abort, `discard` releases what it made.
 */
export function abortable<T>(what: string, work: Promise<T>, signal: AbortSignal | undefined, discard: (value: T) => unknown): Promise<T> {
  if (!signal) return work;
  if (signal.aborted) {
    work.then(discard, () => undefined);
    return Promise.reject(abortedError(what, signal));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      reject(abortedError(what, signal));
      work.then(discard, () => undefined);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        if (signal.aborted) return;
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
