import { PasticheError } from '../../errors.js';

/** E_ABORTED once the caller's signal has fired; the method checks between network runs. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new PasticheError('E_ABORTED', 'Stylization was aborted.', { cause: signal.reason });
}
