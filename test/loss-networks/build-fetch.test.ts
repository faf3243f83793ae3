import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { METADATA_KEYS } from '../../packages/core/src/models/metadata-keys.js';
import { decodeModel } from '../../packages/core/src/onnx/index.js';
import { lossNetworkStamp } from '../../scripts/build/build-loss-network.js';
import { BUILD_STAMP_KEY } from '../../scripts/build/build-style.js';
import { sourceUrl } from '../../scripts/build/model-sources.js';
import { loadCatalog, REPO_ROOT } from '../../scripts/catalog.js';
import { asset } from '../helpers/assets.js';

/**
 * `npm run models --fetch BASE --only <loss networks>` against a local server that serves ../shared/assets
 * at GitHub's raw-file paths, as raw.githubusercontent.com would.
 */

const run = promisify(execFile);
const TSX = join(REPO_ROOT, 'node_modules', '.bin', 'tsx');
const NETWORKS = loadCatalog().lossNetworks;

const routes = new Map<string, string>();
for (const net of NETWORKS) {
  for (const file of net.source.files) routes.set(sourceUrl('', net, file), asset(join(net.source.assets, file.name)));
}

let server: Server;
let base = '';
const requests: string[] = [];
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

describe('npm run models builds the loss networks over HTTP', () => {
  it('downloads only the listed files, verifies and converts them, then finds the models up to date', async () => {
    const out = mkdtempSync(join(tmpdir(), 'pastiche-loss-'));
    try {
      requests.length = 0;
      const first = await buildModels(out, 'squeezenet1.1,vgg19-partial');
      expect(first.stderr).toBe('');
      expect(first.code).toBe(0);
      expect(first.stdout).toMatch(/squeezenet1\.1\.onnx: built from http:\/\/127\.0\.0\.1:\d+, 5\.0 MB/);
      expect(first.stdout).toMatch(/vgg19-partial\.onnx: built from http:\/\/127\.0\.0\.1:\d+, 9\.3 MB/);
      expect(requests.sort()).toEqual(
        [
          '/Tencent/ncnn/master/examples/squeezenet_v1.1.bin',
          '/Tencent/ncnn/master/examples/squeezenet_v1.1.param',
          '/DavidCai1111/vgg19-tensorflowjs-model/master/model/model.json',
          ...[1, 2, 3, 4, 5, 6, 7, 8].map((i) => `/DavidCai1111/vgg19-tensorflowjs-model/master/model/group${i}-shard1of1`),
        ].sort(),
      );
      expect(readdirSync(out).sort()).toEqual(['squeezenet1.1.onnx', 'vgg19-partial.onnx']);
      for (const net of NETWORKS) {
        const model = decodeModel(new Uint8Array(readFileSync(join(out, net.file))));
        expect(model.metadataProps[BUILD_STAMP_KEY]).toBe(lossNetworkStamp(net));
        expect(model.metadataProps[METADATA_KEYS.layers]).toBe(net.layers.join(','));
      }

      requests.length = 0;
      const second = await buildModels(out, 'squeezenet1.1,vgg19-partial');
      expect(second.code).toBe(0);
      expect(second.stdout).toMatch(/0 built, 2 up to date/);
      expect(requests).toEqual([]);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it('rejects a corrupted shard with a one-line reason and writes nothing', async () => {
    const out = mkdtempSync(join(tmpdir(), 'pastiche-loss-'));
    const path = '/DavidCai1111/vgg19-tensorflowjs-model/master/model/group6-shard1of1';
    corrupted.add(path);
    try {
      const result = await buildModels(out, 'vgg19-partial');
      expect(result.code).toBe(1);
      const lines = result.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(new RegExp(`^build-models: vgg19-partial: Checksum mismatch for ${base}${path}: expected sha256 [0-9a-f]{64}`));
      expect(readdirSync(out)).toEqual([]);
    } finally {
      corrupted.delete(path);
      rmSync(out, { recursive: true, force: true });
    }
  });
});
