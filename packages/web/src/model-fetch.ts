import { PasticheError } from '@pastiche/core';
import type { LoadProgressCallback } from './load-progress.js';

/** The Cache API cache that holds downloaded models. */
export const MODEL_CACHE_NAME = 'pastiche-models';

export interface FetchModelOptions {
  /** Name for progress events (the style name or file name). */
  name: string;
  /** Expected sha256 (hex); a mismatch discards the file. */
  sha256?: string;
  /** Keep models in the Cache API. @default true (where the Cache API exists) */
  cache?: boolean;
  onLoadProgress?: LoadProgressCallback;
}

let warnedCacheWrite = false;

async function openCache(url: string, wanted: boolean | undefined): Promise<Cache | undefined> {
  // The Cache API exists in secure contexts only and stores http(s) requests only.
  if (wanted === false || typeof caches === 'undefined' || !/^https?:/i.test(url)) return undefined;
  try {
    return await caches.open(MODEL_CACHE_NAME);
  } catch {
    return undefined; // e.g. an opaque origin or storage blocked by the user: work without a cache
  }
}

/** Hex sha256 of bytes; undefined where Web Crypto is unavailable (insecure contexts). */
export async function sha256Hex(bytes: Uint8Array): Promise<string | undefined> {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) return undefined;
  const digest = new Uint8Array(await subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

async function readWithProgress(response: Response, url: string, options: FetchModelOptions): Promise<Uint8Array> {
  const header = Number(response.headers.get('content-length'));
  // Content-Length counts encoded bytes; with Content-Encoding the decoded length is unknown.
  const total = Number.isFinite(header) && header > 0 && !response.headers.get('content-encoding') ? header : undefined;
  const report = (loaded: number) =>
    options.onLoadProgress?.({
      status: 'progress',
      name: options.name,
      url,
      loaded,
      total,
      progress: total ? Math.min(100, (loaded / total) * 100) : undefined,
    });
  if (!response.body) {
    const bytes = new Uint8Array(await response.arrayBuffer());
    report(bytes.length);
    return bytes;
  }
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let loaded = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    loaded += value.length;
    report(loaded);
  }
  const bytes = new Uint8Array(loaded);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  return bytes;
}

async function download(url: string, options: FetchModelOptions): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(url);
  } catch (cause) {
    throw new PasticheError('E_MODEL_DOWNLOAD', `Could not download ${url}: ${(cause as Error).message}. Check the network, the URL and its CORS headers.`, {
      cause,
    });
  }
  if (response.status === 404) {
    throw new PasticheError('E_MODEL_NOT_FOUND', `Model '${options.name}' is not at ${url} (HTTP 404). Check the URL, or modelBaseUrl for built-in styles.`);
  }
  if (!response.ok) throw new PasticheError('E_MODEL_DOWNLOAD', `Could not download ${url}: HTTP ${response.status} ${response.statusText}.`);
  return response;
}

/**
 * Returns the model at `url`, from the Cache API when it holds it, else from the network with `progress`
 * events (then stores it). A cached copy that fails the checksum is dropped and downloaded again; a
 * download that fails it is never cached.
 */
export async function fetchModel(url: string, options: FetchModelOptions): Promise<Uint8Array> {
  const { name, onLoadProgress } = options;
  const expected = options.sha256?.toLowerCase();
  onLoadProgress?.({ status: 'initiate', name, url });
  const cache = await openCache(url, options.cache);
  let cached = await cache?.match(url).catch(() => undefined);
  for (;;) {
    const response = cached ?? (await download(url, options));
    onLoadProgress?.({ status: 'download', name, url, cached: Boolean(cached) });
    const bytes = await readWithProgress(response, url, options);
    if (expected) {
      const actual = await sha256Hex(bytes);
      if (actual === undefined) {
        throw new PasticheError('E_MODEL_CHECKSUM', `Cannot check the sha256 of ${url}: Web Crypto is unavailable (the page is not a secure context).`);
      }
      if (actual !== expected) {
        if (cached) {
          await cache?.delete(url);
          cached = undefined;
          continue;
        }
        throw new PasticheError(
          'E_MODEL_CHECKSUM',
          `Model downloaded from ${url} has sha256 ${actual} but ${expected} was expected; it was discarded. Check the URL, or the sha256 you passed.`,
        );
      }
    }
    if (cache && !cached) {
      const stored = new Response(bytes as Uint8Array<ArrayBuffer>, { headers: { 'content-type': 'application/octet-stream', 'content-length': String(bytes.length) } });
      await cache.put(url, stored).catch((error: unknown) => {
        if (warnedCacheWrite) return;
        warnedCacheWrite = true;
        console.warn(`Pastiche could not keep ${url} in the Cache API (${(error as Error).message}); models will be downloaded again next time.`);
      });
    }
    onLoadProgress?.({ status: 'done', name, url, bytes: bytes.length });
    return bytes;
  }
}

/** Deletes every model Pastiche kept in the Cache API. Resolves to false where there was nothing to delete. */
export async function clearModelCache(): Promise<boolean> {
  if (typeof caches === 'undefined') return false;
  return caches.delete(MODEL_CACHE_NAME);
}
