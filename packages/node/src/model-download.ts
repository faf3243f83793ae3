import { createHash } from 'node:crypto';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { PasticheError } from '@pastiche/core';
import { temporarySibling } from './atomic-write.js';

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Cache file for a URL: a hash of the URL keeps different URLs with the same file name apart. */
export function cachedModelPath(cacheDir: string, url: string): string {
  const name = basename(new URL(url).pathname) || 'model.onnx';
  return join(cacheDir, 'models', 'url', `${sha256Hex(new TextEncoder().encode(url)).slice(0, 16)}-${name}`);
}

function checksumError(url: string, expected: string, actual: string): PasticheError {
  return new PasticheError(
    'E_MODEL_CHECKSUM',
    `Model downloaded from ${url} has sha256 ${actual} but ${expected} was expected; the file was discarded. ` +
      'Check the URL, or the sha256 you passed.',
  );
}

/**
 * Returns the model at `url` from the cache, downloading it first when missing. The download goes to a
 * temporary file that is checked against `sha256` (when known) and renamed into place, so the cache never
 * holds a partial or corrupted model.
 */
export async function fetchModel(url: string, cacheDir: string, sha256?: string): Promise<Uint8Array> {
  const path = cachedModelPath(cacheDir, url);
  const expected = sha256?.toLowerCase();
  if (existsSync(path)) {
    const cached = await readFile(path);
    if (!expected || sha256Hex(cached) === expected) return cached;
    await rm(path, { force: true });
  }
  await mkdir(join(cacheDir, 'models', 'url'), { recursive: true });
  let response: Response;
  try {
    response = await fetch(url);
  } catch (cause) {
    throw new PasticheError('E_MODEL_DOWNLOAD', `Could not download ${url}: ${(cause as Error).message}. Check the network and the URL.`, {
      cause,
    });
  }
  if (!response.ok || !response.body) {
    throw new PasticheError('E_MODEL_DOWNLOAD', `Could not download ${url}: HTTP ${response.status} ${response.statusText}.`);
  }
  const tmp = temporarySibling(path);
  const hash = createHash('sha256');
  try {
    const body = Readable.fromWeb(response.body as import('node:stream/web').ReadableStream<Uint8Array>);
    body.on('data', (chunk: Buffer) => hash.update(chunk));
    await pipeline(body, createWriteStream(tmp));
    const actual = hash.digest('hex');
    if (expected && actual !== expected) throw checksumError(url, expected, actual);
    await rename(tmp, path);
  } catch (error) {
    await rm(tmp, { force: true });
    if (error instanceof PasticheError) throw error;
    throw new PasticheError('E_MODEL_DOWNLOAD', `Could not download ${url}: ${(error as Error).message}.`, { cause: error });
  }
  return readFile(path);
}
