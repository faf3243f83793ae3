import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { METADATA_KEYS } from '../../packages/core/src/models/metadata-keys.js';
import { decodeModel, encodeModel } from '../../packages/core/src/onnx/index.js';
import { BUILD_STAMP_KEY, buildStamp } from '../../packages/core/src/converters/index.js';
import { loadCatalog } from '../../scripts/catalog.js';
import { buildModelsFrom, startAssetServer, type AssetServer } from '../helpers/asset-server.js';

/** `npm run models --fetch BASE --only <loss networks>`, against a local stand-in for raw.githubusercontent.com. */

const NETWORKS = loadCatalog().lossNetworks;
let server: AssetServer;
beforeAll(async () => {
  server = await startAssetServer(NETWORKS);
});
afterAll(() => server.close());
const buildModels = (out: string, only: string) => buildModelsFrom(server.base, out, only);
const vgg19 = NETWORKS.find((n) => n.name === 'vgg19-partial')!;
/** A VGG19 file's path on the server, at the catalog's pinned commit. */
const vggPath = (file: string) => `/DavidCai1111/vgg19-tensorflowjs-model/${vgg19.source.ref}/model/${file}`;

describe('npm run models builds the loss networks over HTTP', () => {
  it('downloads only the listed files, verifies and converts them, then finds the models up to date', async () => {
    const out = mkdtempSync(join(tmpdir(), 'pastiche-loss-'));
    try {
      server.requests.length = 0;
      const first = await buildModels(out, 'squeezenet1.1,vgg19-partial');
      expect(first.stderr).toBe('');
      expect(first.code).toBe(0);
      expect(first.stdout).toMatch(/squeezenet1\.1\.onnx: built from http:\/\/127\.0\.0\.1:\d+, 5\.0 MB/);
      expect(first.stdout).toMatch(/vgg19-partial\.onnx: built from http:\/\/127\.0\.0\.1:\d+, 9\.3 MB/);
      expect(server.requests.sort()).toEqual(
        [
          '/Tencent/ncnn/master/examples/squeezenet_v1.1.bin',
          '/Tencent/ncnn/master/examples/squeezenet_v1.1.param',
          vggPath('model.json'),
          ...[1, 2, 3, 4, 5, 6, 7, 8].map((i) => vggPath(`group${i}-shard1of1`)),
        ].sort(),
      );
      expect(readdirSync(out).sort()).toEqual(['catalog.json', 'squeezenet1.1.onnx', 'vgg19-partial.onnx']);
      for (const net of NETWORKS) {
        const model = decodeModel(new Uint8Array(readFileSync(join(out, net.file))));
        expect(model.metadataProps[BUILD_STAMP_KEY]).toBe(await buildStamp(net));
        expect(model.metadataProps[METADATA_KEYS.layers]).toBe(net.layers.join(','));
      }

      server.requests.length = 0;
      const second = await buildModels(out, 'squeezenet1.1,vgg19-partial');
      expect(second.code).toBe(0);
      expect(second.stdout).toMatch(/0 built, 2 up to date/);
      expect(server.requests).toEqual([]);

      // A stale copy: the same build stamp, but metadata the catalog has since changed (as a new source ref does).
      const vgg = join(out, 'vgg19-partial.onnx');
      const stale = decodeModel(new Uint8Array(readFileSync(vgg)));
      stale.metadataProps[METADATA_KEYS.source] = 'https://github.com/DavidCai1111/vgg19-tensorflowjs-model/tree/master/model';
      writeFileSync(vgg, encodeModel(stale));
      const third = await buildModels(out, 'squeezenet1.1,vgg19-partial');
      expect(third.stdout).toMatch(/vgg19-partial\.onnx: built from/);
      expect(third.stdout).toMatch(/1 built, 1 up to date/);
      expect(createHash('sha256').update(readFileSync(vgg)).digest('hex')).toBe(vgg19.onnx.sha256);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it('rejects a corrupted shard with a one-line reason and writes no model', async () => {
    const out = mkdtempSync(join(tmpdir(), 'pastiche-loss-'));
    const path = vggPath('group6-shard1of1');
    server.corrupted.add(path);
    try {
      const result = await buildModels(out, 'vgg19-partial');
      expect(result.code).toBe(1);
      const lines = result.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(new RegExp(`^build-models: vgg19-partial: Checksum mismatch for ${server.base}${path}: expected sha256 [0-9a-f]{64}`));
      expect(readdirSync(out)).toEqual(['catalog.json']);
    } finally {
      server.corrupted.delete(path);
      rmSync(out, { recursive: true, force: true });
    }
  });
});
