import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeModel } from '../../packages/core/src/onnx/index.js';
import { BUILD_STAMP_KEY, buildStamp } from '../../packages/core/src/converters/index.js';
import { CATALOG_PATH, loadCatalog } from '../../scripts/catalog.js';
import { buildModelsFrom, startAssetServer, type AssetServer } from '../helpers/asset-server.js';

/** `npm run models --fetch BASE` for styles, against a local stand-in for raw.githubusercontent.com. */

let server: AssetServer;
beforeAll(async () => {
  server = await startAssetServer(loadCatalog().styles);
});
afterAll(() => server.close());
const buildModels = (out: string, only: string) => buildModelsFrom(server.base, out, only);

describe('npm run models over HTTP', () => {
  it('downloads, verifies and converts, then finds the models up to date', async () => {
    const out = mkdtempSync(join(tmpdir(), 'pastiche-models-'));
    try {
      server.requests.length = 0;
      const first = await buildModels(out, 'candy,ml5-wave');
      expect(first.stderr).toBe('');
      expect(first.code).toBe(0);
      expect(first.stdout).toMatch(/candy\.onnx: built from http:\/\/127\.0\.0\.1:\d+, 6\.7 MB/);
      expect(first.stdout).toMatch(/ml5-wave\.onnx: built from http/);
      expect(server.requests).toContain('/nihui/ncnn-android-styletransfer/master/app/src/main/assets/candy.bin');
      expect(server.requests).toContain('/ml5js/ml5-data-and-models/main/models/style-transfer/wave/Variable_47');
      expect(server.requests).toHaveLength(1 + 49);
      expect(readdirSync(out).sort()).toEqual(['candy.onnx', 'catalog.json', 'ml5-wave.onnx']);
      expect(readFileSync(join(out, 'catalog.json'))).toEqual(readFileSync(CATALOG_PATH));
      const candy = decodeModel(new Uint8Array(readFileSync(join(out, 'candy.onnx'))));
      expect(candy.metadataProps[BUILD_STAMP_KEY]).toBe(await buildStamp(loadCatalog().styles.find((s) => s.name === 'candy')!));

      server.requests.length = 0;
      const second = await buildModels(out, 'candy,ml5-wave');
      expect(second.code).toBe(0);
      expect(second.stdout).toMatch(/candy\.onnx: up to date/);
      expect(second.stdout).toMatch(/catalog\.json: up to date/);
      expect(second.stdout).toMatch(/0 built, 2 up to date/);
      expect(server.requests).toEqual([]);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it('rejects a corrupted download with a one-line reason and writes no model', async () => {
    const out = mkdtempSync(join(tmpdir(), 'pastiche-models-'));
    const path = '/nihui/ncnn-android-styletransfer/master/app/src/main/assets/udnie.bin';
    server.corrupted.add(path);
    try {
      const result = await buildModels(out, 'udnie');
      expect(result.code).toBe(1);
      const lines = result.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(
        new RegExp(`^build-models: udnie: Checksum mismatch for ${server.base}${path}: expected sha256 [0-9a-f]{64} \\(packages/core/src/catalog/catalog\\.json\\) but got [0-9a-f]{64}$`),
      );
      expect(existsSync(join(out, 'udnie.onnx'))).toBe(false);
      expect(readdirSync(out)).toEqual(['catalog.json']);
    } finally {
      server.corrupted.delete(path);
      rmSync(out, { recursive: true, force: true });
    }
  });

  it('reports a missing file with its URL and HTTP status', async () => {
    const out = mkdtempSync(join(tmpdir(), 'pastiche-models-'));
    const key = '/nihui/ncnn-android-styletransfer/master/app/src/main/assets/mosaic.bin';
    const file = server.routes.get(key)!;
    server.routes.delete(key);
    try {
      const result = await buildModels(out, 'mosaic');
      expect(result.code).toBe(1);
      expect(result.stderr.trim()).toBe(`build-models: mosaic: Could not download ${server.base}${key}: HTTP 404 Not Found`);
      expect(readdirSync(out)).toEqual(['catalog.json']);
    } finally {
      server.routes.set(key, file);
      rmSync(out, { recursive: true, force: true });
    }
  });
});
