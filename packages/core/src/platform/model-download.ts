import { modelTooLarge, PasticheError } from '../errors.js';
import type { LoadProgressCallback } from './load-progress.js';
import type { ModelCache } from './platform.js';

/** A download that sends nothing for this long is abandoned. */
export const DEFAULT_DOWNLOAD_STALL_MS = 30_000;
/** Larger model files are refused unless `maxModelBytes` allows them (the largest built-in one is under 10 MB). */
export const DEFAULT_MAX_MODEL_BYTES = 1 << 30;

export interface DownloadOptions {
  /** Name for progress events (the style or file name). */
  name: string;
  /** Expected hex SHA-256; a mismatch discards the bytes (and a cached copy is fetched again). */
  sha256: string | undefined;
  cache: ModelCache | undefined;
  hash: (bytes: Uint8Array) => Promise<string | undefined>;
  signal: AbortSignal | undefined;
  onProgress: LoadProgressCallback | undefined;
  stallMs?: number;
  maxBytes?: number;
}

function aborted(url: string, signal: AbortSignal): PasticheError {
  return new PasticheError('E_ABORTED', `Loading ${url} was aborted.`, { cause: signal.reason });
}

async function request(url: string, options: DownloadOptions, stall: AbortController): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(url, { signal: stall.signal });
  } catch (cause) {
    if (options.signal?.aborted) throw aborted(url, options.signal);
    throw new PasticheError('E_MODEL_DOWNLOAD', `Could not download ${url}: ${(cause as Error).message}. Check the network, the URL and its CORS headers.`, {
      cause,
    });
  }
  if (response.status === 404) {
    throw new PasticheError('E_MODEL_NOT_FOUND', `Model '${options.name}' is not at ${url} (HTTP 404). Check the URL, or where built-in models are served from.`);
  }
  if (!response.ok) throw new PasticheError('E_MODEL_DOWNLOAD', `Could not download ${url}: HTTP ${response.status} ${response.statusText}.`);
  return response;
}

/** Reads the body with progress events, a stall timeout and a size cap. */
async function readBody(url: string, response: Response, options: DownloadOptions, stall: AbortController): Promise<Uint8Array> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_MODEL_BYTES;
  const header = Number(response.headers.get('content-length'));
  // Content-Length counts encoded bytes; with Content-Encoding the decoded length is unknown.
  const total = Number.isFinite(header) && header > 0 && !response.headers.get('content-encoding') ? header : undefined;
  if (total !== undefined && total > maxBytes) throw modelTooLarge(`the model at ${url}`, total, maxBytes);
  const report = (loaded: number) =>
    options.onProgress?.({ status: 'progress', name: options.name, url, loaded, total, progress: total ? Math.min(100, (loaded / total) * 100) : undefined });
  const reader = response.body!.getReader();
  const chunks: Uint8Array[] = [];
  let loaded = 0;
  const stallMs = options.stallMs ?? DEFAULT_DOWNLOAD_STALL_MS;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const arm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => stall.abort(new Error(`no data for ${stallMs} ms`)), stallMs);
  };
  try {
    for (arm(); ; arm()) {
      const { done, value } = await reader.read();
      if (done) break;
      loaded += value.length;
      if (loaded > maxBytes) throw modelTooLarge(`the model at ${url}`, loaded, maxBytes, true);
      chunks.push(value);
      report(loaded);
    }
  } catch (cause) {
    if (cause instanceof PasticheError) throw cause;
    if (options.signal?.aborted) throw aborted(url, options.signal);
    const reason = stall.signal.aborted ? `no data for ${stallMs} ms` : (cause as Error).message;
    throw new PasticheError('E_MODEL_DOWNLOAD', `Downloading ${url} failed after ${loaded} bytes: ${reason}. Nothing was cached; try again.`, { cause });
  } finally {
    clearTimeout(timer);
  }
  if (total !== undefined && loaded !== total) {
    throw new PasticheError('E_MODEL_DOWNLOAD', `Downloading ${url} stopped after ${loaded} of ${total} bytes. Nothing was cached; try again.`);
  }
  const bytes = new Uint8Array(loaded);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  return bytes;
}

async function checksumOf(url: string, bytes: Uint8Array, options: DownloadOptions): Promise<string | undefined> {
  if (!options.sha256) return undefined;
  const actual = await options.hash(bytes);
  if (actual === undefined) {
    throw new PasticheError('E_MODEL_CHECKSUM', `Cannot check the sha256 of ${url}: this platform cannot hash (a page needs a secure context for Web Crypto).`);
  }
  return actual;
}

/**
 * The model at `url`: from the platform's cache when it holds a copy that passes the checksum, else from the
 * network (with progress, a stall timeout and a size cap), checked, then cached. Nothing that failed its
 * checksum or was cut short reaches the cache; a cached copy that fails it is dropped and fetched again.
 */
export async function downloadModel(url: string, options: DownloadOptions): Promise<Uint8Array> {
  const { name, onProgress, cache, signal } = options;
  const expected = options.sha256?.toLowerCase();
  if (signal?.aborted) throw aborted(url, signal);
  onProgress?.({ status: 'initiate', name, url });
  const cached = await cache?.get(url).catch(() => undefined);
  if (cached) {
    const actual = await checksumOf(url, cached, options);
    if (!expected || actual === expected) {
      onProgress?.({ status: 'download', name, url, cached: true });
      onProgress?.({ status: 'progress', name, url, loaded: cached.length, total: cached.length, progress: 100 });
      onProgress?.({ status: 'done', name, url, bytes: cached.length });
      return cached;
    }
    await cache!.delete(url);
  }
  const stall = new AbortController();
  const onAbort = () => stall.abort(signal!.reason);
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const response = await request(url, options, stall);
    onProgress?.({ status: 'download', name, url, cached: false });
    const bytes = await readBody(url, response, options, stall);
    const actual = await checksumOf(url, bytes, options);
    if (expected && actual !== expected) {
      throw new PasticheError(
        'E_MODEL_CHECKSUM',
        `Model downloaded from ${url} has sha256 ${actual} but ${expected} was expected; it was discarded. Check the URL, or the sha256 you passed.`,
      );
    }
    await cache?.put(url, bytes);
    onProgress?.({ status: 'done', name, url, bytes: bytes.length });
    return bytes;
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}
