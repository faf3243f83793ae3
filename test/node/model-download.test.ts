import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPastiche } from '@pastiche/core';
import { PasticheError, dispose, loadStyle, stylize, type LoadProgress } from '@pastiche/node';
import { nodePlatform } from '../../packages/node/src/node-platform.js';
import { contentImage, thirdPartyModel } from '../helpers/assets.js';

let server: Server;
let base: string;
let modelBytes: Buffer;
let requests = 0;

beforeAll(async () => {
  modelBytes = await readFile(thirdPartyModel('udnie'));
  server = createServer((req, res) => {
    requests++;
    if (req.url === '/models/udnie.onnx') {
      res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': modelBytes.length });
      res.end(modelBytes);
    } else {
      res.writeHead(404).end('not found');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await dispose();
  await new Promise((resolve) => server.close(resolve));
});

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

async function filesIn(dir: string): Promise<string[]> {
  const sub = join(dir, 'models', 'url');
  return existsSync(sub) ? readdir(sub) : [];
}

describe('models given by URL', () => {
  it('download once into the cache, checked against their sha256', async () => {
    const cacheDir = await mkdtemp(join(tmpdir(), 'pastiche-cache-'));
    const url = `${base}/models/udnie.onnx`;
    const before = requests;
    const out = await stylize(contentImage('coffee.png'), url, { cacheDir, sha256: sha256(modelBytes), size: 128 });
    expect(out.info.model).toBe('udnie');
    const files = await filesIn(cacheDir);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/^[0-9a-f]{16}-udnie\.onnx$/);
    expect(sha256(await readFile(join(cacheDir, 'models', 'url', files[0])))).toBe(sha256(modelBytes));
    await dispose();
    await stylize(contentImage('coffee.png'), url, { cacheDir, size: 64 });
    expect(requests - before).toBe(1);
  });

  it('discard a download whose sha256 does not match, leaving nothing in the cache', async () => {
    const cacheDir = await mkdtemp(join(tmpdir(), 'pastiche-cache-'));
    const error = await stylize(contentImage('coffee.png'), `${base}/models/udnie.onnx`, { cacheDir, sha256: '0'.repeat(64) }).catch((e) => e);
    expect(error).toBeInstanceOf(PasticheError);
    expect(error.code).toBe('E_MODEL_CHECKSUM');
    expect(error.message).toContain(sha256(modelBytes));
    expect(await filesIn(cacheDir)).toEqual([]);
  });

  it('report a missing file as E_MODEL_NOT_FOUND, with the URL', async () => {
    const cacheDir = await mkdtemp(join(tmpdir(), 'pastiche-cache-'));
    const error = await stylize(contentImage('coffee.png'), `${base}/models/nope.onnx`, { cacheDir }).catch((e) => e);
    expect(error.code).toBe('E_MODEL_NOT_FOUND');
    expect(error.message).toContain(`${base}/models/nope.onnx (HTTP 404)`);
    expect(await filesIn(cacheDir)).toEqual([]);
  });

  it('are not requested when an option is wrong', async () => {
    const cacheDir = await mkdtemp(join(tmpdir(), 'pastiche-cache-'));
    const before = requests;
    await expect(stylize(contentImage('coffee.png'), `${base}/models/udnie.onnx`, { cacheDir, strength: 2 })).rejects.toThrow(RangeError);
    await expect(stylize(contentImage('coffee.png'), `${base}/models/udnie.onnx`, { cacheDir, sha256: 'abc' })).rejects.toThrow(RangeError);
    expect(requests - before).toBe(0);
  });

  it('report download progress, and only ready once the session is cached', async () => {
    const cacheDir = await mkdtemp(join(tmpdir(), 'pastiche-cache-'));
    const events: LoadProgress[] = [];
    // A kernel of its own: the one-shot calls above keep this URL's session loaded.
    const { loadStyle } = createPastiche(nodePlatform);
    const stylizer = await loadStyle(`${base}/models/udnie.onnx`, { cacheDir, onLoadProgress: (e) => events.push(e) });
    const statuses = events.map((e) => e.status);
    expect(statuses[0]).toBe('initiate');
    expect(statuses.slice(1, 2)).toEqual(['download']);
    expect(statuses.at(-2)).toBe('done');
    expect(events.at(-1)).toEqual({ status: 'ready', name: 'udnie', device: 'cpu' });
    const last = events.filter((e) => e.status === 'progress').at(-1);
    expect(last).toMatchObject({ loaded: modelBytes.length, total: modelBytes.length, progress: 100 });
    await stylizer.dispose();
  });

  it('honour an abort signal', async () => {
    const cacheDir = await mkdtemp(join(tmpdir(), 'pastiche-cache-'));
    const controller = new AbortController();
    controller.abort();
    const error = await loadStyle(`${base}/models/udnie.onnx`, { cacheDir, signal: controller.signal }).catch((e) => e);
    expect(error.code).toBe('E_ABORTED');
    expect(await filesIn(cacheDir)).toEqual([]);
  });

  it('refuse a download over maxModelBytes (E_MODEL_TOO_LARGE), from its Content-Length, caching nothing', async () => {
    // Sessions the calls above opened would answer without a read.
    await dispose();
    const cacheDir = await mkdtemp(join(tmpdir(), 'pastiche-cache-'));
    const url = `${base}/models/udnie.onnx`;
    const error = await loadStyle(url, { cacheDir, maxModelBytes: 1000 }).catch((e) => e);
    expect(error).toBeInstanceOf(PasticheError);
    expect(error.code).toBe('E_MODEL_TOO_LARGE');
    expect(error.message).toBe(
      `The model at ${url} is ${(modelBytes.length / 1e6).toPrecision(3)} MB (${modelBytes.length} bytes), over the 1 kB limit for model files (maxModelBytes, 1000 bytes): ` +
        'the largest style network is under 10 MB and the full VGG19 about 550 MB. Check that this is the model you meant, or pass a larger maxModelBytes to allow it.',
    );
    expect(await filesIn(cacheDir)).toEqual([]);
    const stylizer = await loadStyle(url, { cacheDir, maxModelBytes: modelBytes.length });
    await stylizer.dispose();
  });
});
