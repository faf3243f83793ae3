import { PasticheError } from '../errors.js';

/**
 * Lower-case hex SHA-256 with Web Crypto (`globalThis.crypto.subtle`: Node ≥ 20, workers, secure pages), so
 * that the converters run the same everywhere. E_CONVERT where there is none (a page served over plain http).
 */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) throw new PasticheError('E_CONVERT', 'Converting needs Web Crypto (crypto.subtle): Node 20 or later, a worker, or a secure (https or localhost) page');
  const digest = new Uint8Array(await subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}
