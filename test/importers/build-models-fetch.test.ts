import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeModel } from '../../packages/core/src/onnx/index.js';
import { BUILD_STAMP_KEY, buildStamp } from '../../scripts/build/build-style.js';
import { sourceUrl } from '../../scripts/build/model-sources.js';
import { loadCatalog, REPO_ROOT } from '../../scripts/catalog.js';
import { asset } from '../helpers/assets.js';

/**
 * `npm run models --fetch BASE` against a local server that serves ../shared/assets at GitHub's raw-file
 * paths (BASE/OWNER/REPO/REF/PATH/FILE), as raw.githubusercontent.com would.
 */

const run = promisify(execFile);
const TSX = join(REPO_ROOT, 'node_modules', '.bin', 'tsx');

/** URL path → asset file, for every source file of the catalog. */
const routes = new Map<string, string>();
for (const style of loadCatalog().styles) {
  for (const file of style.source.files) routes.set(sourceUrl('', style, file), asset(join(style.source.assets, file.name)));
}

let server: Server;
let base = '';
const requests: string[] = [];
/** Paths whose bytes the server flips, to play a corrupted download. */
const corrupted = new Set<string>();

beforeAll(async () => {
  server = createServer((req, res) => {
    const path = req.url ?? '';
    requests.push(path);
    const file = routes.get(path);
    if (!file) return void res.writeHead(404).end();
    const bytes = readFileSync(file);
    if (corrupted.has(path)) bytes[bytes.length >> 1] ^= 0xff;
    res.writeHead(200, { 'content-length': bytes.length }).end(bytes);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

async function buildModels(out: string, only: string) {
  const env = { ...process.env, PASTICHE_FETCH_BASE: '', PASTICHE_ASSETS: '' };
  return run(TSX, ['scripts/build-models.ts', '--fetch', base, '--only', only, '--out', out], { cwd: REPO_ROOT, env }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (err: { code: number; stdout: string; stderr: string }) => ({ code: err.code, stdout: err.stdout, stderr: err.stderr }),
  );
}

describe('npm run models over HTTP', () => {
  it('downloads, verifies and converts, then finds the models up to date', async () => {
    const out = mkdtempSync(join(tmpdir(), 'pastiche-models-'));
    try {
      requests.length = 0;
      const first = await buildModels(out, 'candy,ml5-wave');
      expect(first.stderr).toBe('');
      expect(first.code).toBe(0);
      expect(first.stdout).toMatch(/candy\.onnx: built from http:\/\/127\.0\.0\.1:\d+, 6\.7 MB/);
      expect(first.stdout).toMatch(/ml5-wave\.onnx: built from http/);
      expect(requests).toContain('/nihui/ncnn-android-styletransfer/master/app/src/main/assets/candy.bin');
      expect(requests).toContain('/ml5js/ml5-data-and-models/main/models/style-transfer/wave/Variable_47');
      expect(requests).toHaveLength(1 + 49);
      expect(readdirSync(out).sort()).toEqual(['candy.onnx', 'ml5-wave.onnx']);
      const candy = decodeModel(new Uint8Array(readFileSync(join(out, 'candy.onnx'))));
      expect(candy.metadataProps[BUILD_STAMP_KEY]).toBe(buildStamp(loadCatalog().styles.find((s) => s.name === 'candy')!));

      requests.length = 0;
      const second = await buildModels(out, 'candy,ml5-wave');
      expect(second.code).toBe(0);
      expect(second.stdout).toMatch(/candy\.onnx: up to date/);
      expect(second.stdout).toMatch(/0 built, 2 up to date/);
      expect(requests).toEqual([]);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it('rejects a corrupted download with a one-line reason and writes nothing', async () => {
    const out = mkdtempSync(join(tmpdir(), 'pastiche-models-'));
    const path = '/nihui/ncnn-android-styletransfer/master/app/src/main/assets/udnie.bin';
    corrupted.add(path);
    try {
      const result = await buildModels(out, 'udnie');
      expect(result.code).toBe(1);
      const lines = result.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(
        new RegExp(`^build-models: udnie: Checksum mismatch for ${base}${path}: expected sha256 [0-9a-f]{64} \\(models/onnx/catalog\\.json\\) but got [0-9a-f]{64}$`),
      );
      expect(existsSync(join(out, 'udnie.onnx'))).toBe(false);
      expect(readdirSync(out)).toEqual([]);
    } finally {
      corrupted.delete(path);
      rmSync(out, { recursive: true, force: true });
    }
  });

  it('reports a missing file with its URL and HTTP status', async () => {
    const out = mkdtempSync(join(tmpdir(), 'pastiche-models-'));
    const key = '/nihui/ncnn-android-styletransfer/master/app/src/main/assets/mosaic.bin';
    const file = routes.get(key)!;
    routes.delete(key);
    try {
      const result = await buildModels(out, 'mosaic');
      expect(result.code).toBe(1);
      expect(result.stderr.trim()).toBe(`build-models: mosaic: Could not download ${base}${key}: HTTP 404 Not Found`);
      expect(readdirSync(out)).toEqual([]);
    } finally {
      routes.set(key, file);
      rmSync(out, { recursive: true, force: true });
    }
  });
});
