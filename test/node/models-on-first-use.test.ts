/**
 * Built-in models on first use: with no model folder, `stylize(photo, 'candy')` downloads the original files
 * from a stand-in for raw.githubusercontent.com (a 127.0.0.1 server over ../shared/assets at the same paths),
 * converts them, checks and caches the result, and makes no request the second time. Failures are typed and
 * leave nothing in the cache.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BUILTIN_CATALOG, createPastiche, sourceFileUrl, type CatalogEntry, type LoadProgress } from '@pastiche/core';
import { nodePlatform } from '../../packages/node/src/node-platform.js';
import { startAssetServer, type AssetServer } from '../helpers/asset-server.js';
import { contentImage } from '../helpers/assets.js';

let server: AssetServer;
let noModels: string;
const entry = (name: string): CatalogEntry => [...BUILTIN_CATALOG.styles, ...BUILTIN_CATALOG.lossNetworks].find((e) => e.name === name)!;
const pathOf = (e: CatalogEntry) => sourceFileUrl('', e, e.source.files[0]);
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

beforeAll(async () => {
  server = await startAssetServer([entry('candy'), entry('mosaic'), entry('squeezenet1.1')]);
  // An empty model folder instead of the repository's models/onnx (this test file runs in a process of its own).
  noModels = await mkdtemp(join(tmpdir(), 'pastiche-no-models-'));
  process.env.PASTICHE_MODELS = noModels;
});

afterAll(() => server.close());

let cacheDir: string;
beforeEach(async () => {
  cacheDir = await mkdtemp(join(tmpdir(), 'pastiche-first-use-'));
  server.requests.length = 0;
  server.corrupted.clear();
  server.truncated.clear();
  server.stalled.clear();
});

async function cached(): Promise<string[]> {
  const dir = join(cacheDir, 'models');
  return existsSync(dir) ? (await readdir(dir)).sort() : [];
}

async function failure(promise: Promise<unknown>): Promise<{ name: string; code?: string; message: string }> {
  const error = (await promise.then(() => undefined, (e: unknown) => e)) as { name: string; code?: string; message: string } | undefined;
  if (!error) throw new Error('expected a failure');
  return error;
}

describe('built-in models on first use', () => {
  it('downloads, converts, checks and caches on the first call, and makes no request on the second', async () => {
    const events: LoadProgress[] = [];
    const pastiche = createPastiche(nodePlatform);
    const first = await pastiche.stylize(contentImage('chelsea_448x300.png'), 'candy', {
      cacheDir,
      remoteHost: server.base,
      size: 64,
      onLoadProgress: (e) => events.push(e),
    });
    expect(first.info.model).toBe('candy');
    expect(server.requests).toEqual([pathOf(entry('candy'))]);
    expect(events.map((e) => e.status).filter((s, i, all) => s !== all[i - 1])).toEqual(['initiate', 'download', 'progress', 'done', 'ready']);
    expect(events[0]).toMatchObject({ status: 'initiate', name: 'candy/candy.bin', url: `${server.base}${pathOf(entry('candy'))}` });
    expect(await cached()).toEqual(['candy.onnx']);
    expect(sha256(await readFile(join(cacheDir, 'models', 'candy.onnx')))).toBe(entry('candy').onnx.sha256);
    await pastiche.dispose();

    const again = createPastiche(nodePlatform);
    const second = await again.stylize(contentImage('chelsea_448x300.png'), 'candy', { cacheDir, remoteHost: server.base, size: 64 });
    expect(Buffer.from(second.data).equals(Buffer.from(first.data))).toBe(true);
    expect(server.requests).toHaveLength(1);
    await again.dispose();
  });

  it('takes the loss network of the optimisation method the same way', async () => {
    const pastiche = createPastiche(nodePlatform);
    const optimizer = await pastiche.loadStyleOptimizer({ lossNetwork: 'squeezenet', cacheDir, remoteHost: server.base });
    expect(optimizer.info.lossNetwork).toBe('squeezenet1.1');
    expect(server.requests.sort()).toEqual(entry('squeezenet1.1').source.files.map((f) => sourceFileUrl('', entry('squeezenet1.1'), f)).sort());
    expect(await cached()).toEqual(['squeezenet1.1.onnx']);
    await pastiche.dispose();
  });

  it('never touches the network with allowRemoteModels: false, and says how to get the model', async () => {
    const error = await failure(createPastiche(nodePlatform).loadStyle('candy', { cacheDir, remoteHost: server.base, allowRemoteModels: false }));
    expect(error).toMatchObject({ name: 'PasticheError', code: 'E_MODEL_NOT_FOUND' });
    expect(error.message).toContain("Built-in model 'candy' (candy.onnx) is not on this machine");
    expect(error.message).toContain('npx pastiche models pull candy');
    expect(error.message).toContain(`its original weights, e.g. ${pathOf(entry('candy')).slice(1)}`);
    expect(server.requests).toEqual([]);
  });

  it('converts original weights kept in a model folder under the mirror\'s paths, with the network off', async () => {
    const weights = await mkdtemp(join(tmpdir(), 'pastiche-weights-'));
    const path = pathOf(entry('candy'));
    await mkdir(join(weights, dirname(path)), { recursive: true });
    await copyFile(server.routes.get(path)!, join(weights, path));
    const events: LoadProgress[] = [];
    const options = { cacheDir, modelDir: weights, allowRemoteModels: false, onLoadProgress: (e: LoadProgress) => events.push(e) };
    const stylizer = await createPastiche(nodePlatform).loadStyle('candy', options);
    expect(stylizer.info.model).toBe('candy');
    expect(server.requests).toEqual([]);
    expect(events.filter((e) => e.status === 'initiate')).toEqual([]);
    expect(sha256(await readFile(join(cacheDir, 'models', 'candy.onnx')))).toBe(entry('candy').onnx.sha256);
    await stylizer.dispose();

    // An altered copy is refused by name, and nothing is kept.
    await writeFile(join(weights, path), 'not the weights');
    const fresh = await mkdtemp(join(tmpdir(), 'pastiche-first-use-'));
    const error = await failure(createPastiche(nodePlatform).loadStyle('candy', { ...options, cacheDir: fresh }));
    expect(error).toMatchObject({ name: 'PasticheError', code: 'E_MODEL_CHECKSUM', message: expect.stringContaining(join(weights, path)) });
    expect(existsSync(join(fresh, 'models', 'candy.onnx'))).toBe(false);
  });

  it('detects an altered cache entry and fetches it again', async () => {
    await createPastiche(nodePlatform).loadStyle('candy', { cacheDir, remoteHost: server.base });
    await writeFile(join(cacheDir, 'models', 'candy.onnx'), 'not the model');
    const stylizer = await createPastiche(nodePlatform).loadStyle('candy', { cacheDir, remoteHost: server.base });
    expect(stylizer.info.model).toBe('candy');
    expect(server.requests).toHaveLength(2);
    expect(sha256(await readFile(join(cacheDir, 'models', 'candy.onnx')))).toBe(entry('candy').onnx.sha256);
    await stylizer.dispose();
  });

  it('fails typed on a 404, a truncated body and a wrong sha256, leaving nothing in the cache', async () => {
    const load = () => createPastiche(nodePlatform).loadStyle('mosaic', { cacheDir, remoteHost: server.base });
    const path = pathOf(entry('mosaic'));
    const file = server.routes.get(path)!;

    server.routes.delete(path);
    expect(await failure(load())).toMatchObject({ code: 'E_MODEL_NOT_FOUND', message: expect.stringContaining(`${server.base}${path} (HTTP 404)`) });
    server.routes.set(path, file);

    server.truncated.add(path);
    expect(await failure(load())).toMatchObject({ code: 'E_MODEL_DOWNLOAD', message: expect.stringContaining(`${server.base}${path}`) });
    server.truncated.clear();

    server.corrupted.add(path);
    expect(await failure(load())).toMatchObject({ code: 'E_MODEL_CHECKSUM', message: expect.stringContaining(entry('mosaic').source.files[0].sha256) });
    server.corrupted.clear();

    expect(await cached()).toEqual([]);
  });

  it('gives up on a stalled download, by abort and by the stall timeout, leaving nothing in the cache', async () => {
    const path = pathOf(entry('mosaic'));
    server.stalled.add(path);
    const controller = new AbortController();
    const aborted = createPastiche(nodePlatform).loadStyle('mosaic', { cacheDir, remoteHost: server.base, signal: controller.signal });
    setTimeout(() => controller.abort(), 300);
    expect(await failure(aborted)).toMatchObject({ code: 'E_ABORTED' });

    const started = performance.now();
    const timedOut = await failure(createPastiche(nodePlatform).loadStyle('mosaic', { cacheDir, remoteHost: server.base, downloadStallTimeout: 500 }));
    expect(timedOut).toMatchObject({ code: 'E_MODEL_DOWNLOAD', message: expect.stringContaining('no data for 500 ms') });
    expect(performance.now() - started).toBeLessThan(5_000);
    expect(await cached()).toEqual([]);
  });
});
