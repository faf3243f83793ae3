import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as ort from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import { METADATA_KEYS } from '../../packages/core/src/models/metadata-keys.js';
import { decodeModel, TensorDataType } from '../../packages/core/src/onnx/index.js';
import { REPO_ROOT } from '../../scripts/catalog.js';
import { PREPROCESSED } from '../../packages/core/src/converters/loss-network.js';

/**
 * scripts/export-torchvision-vgg19.py with random weights (no download): the ONNX file it writes loads in
 * onnxruntime-node with the loss-network signature and computes what PyTorch computed.
 */

const PYTHON = '/usr/bin/python3';
const SCRIPT = join(REPO_ROOT, 'scripts', 'export-torchvision-vgg19.py');
const LAYERS = ['relu1_1', 'relu1_2', 'relu2_1', 'relu2_2', 'relu3_1', 'relu3_2', 'relu3_3', 'relu3_4', 'relu4_1', 'relu4_2', 'relu4_3', 'relu4_4', 'relu5_1'];
const CHANNELS = [64, 64, 128, 128, 256, 256, 256, 256, 512, 512, 512, 512, 512];
/** Max |ORT - PyTorch| over max |PyTorch| per layer: float32 on both sides, different summation order. */
const TOLERANCE = 1e-4;

const probe = spawnSync(PYTHON, ['-c', 'import torch, torchvision, onnx'], { encoding: 'utf8' });
const missing = probe.status === 0 ? '' : `${PYTHON} cannot import torch, torchvision and onnx: ${(probe.error?.message ?? probe.stderr).trim().split('\n').pop()}`;
if (missing) console.warn(`Skipping the torchvision export test: ${missing} (apt-get install python3-torch python3-torchvision python3-onnx)`);

const work = mkdtempSync(join(tmpdir(), 'pastiche-vgg19-export-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const readF32 = (path: string) => {
  const bytes = readFileSync(path);
  return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
};

describe('scripts/export-torchvision-vgg19.py', () => {
  it.skipIf(missing !== '')(
    `exports relu1_1 … relu5_1 with dynamic size and folded preprocessing, matching PyTorch${missing ? ` (skipped: ${missing})` : ''}`,
    async () => {
      const out = join(work, 'vgg19.onnx');
      const reference = join(work, 'reference');
      const { stdout } = await promisify(execFile)(PYTHON, [SCRIPT, '--random-weights', '--seed', '3', '--out', out, '--reference', reference, '--reference-size', '40x56'], {
        cwd: REPO_ROOT,
      });
      expect(stdout).toMatch(/vgg19\.onnx: VGG19 relu1_1\.\.relu5_1, random weights, \d+\.\d MB/);

      const bytes = new Uint8Array(readFileSync(out));
      const model = decodeModel(bytes);
      expect(model.opsetImports.find((o) => o.domain === '')?.version).toBe(17);
      expect(model.graph.inputs).toEqual([{ name: 'image', elemType: TensorDataType.FLOAT, shape: [1, 3, 'height', 'width'] }]);
      expect(model.graph.outputs.map((o) => o.name)).toEqual(LAYERS);
      expect(model.graph.outputs[12].shape).toEqual([1, 512, 'relu5_1_height', 'relu5_1_width']);
      expect(model.graph.nodes[0].opType).toBe('Conv');
      expect(model.graph.nodes[0].outputs).toEqual([PREPROCESSED]);
      const made = model.graph.nodes.map((n) => n.outputs[0]);
      for (const name of ['conv1_1', 'conv5_1', 'pool1', 'pool4']) expect(made).toContain(name);
      expect(new Set(model.graph.nodes.map((n) => n.opType))).toEqual(new Set(['Conv', 'Relu', 'MaxPool']));
      const k = METADATA_KEYS;
      expect(model.metadataProps).toMatchObject({
        [k.name]: 'vgg19',
        [k.kind]: 'loss-network',
        [k.inputLayout]: 'NCHW',
        [k.inputRange]: '0-255',
        [k.inputChannelOrder]: 'RGB',
        [k.layers]: LAYERS.join(','),
        [k.defaultContentLayers]: 'relu4_2',
        [k.defaultStyleLayers]: 'relu1_1,relu2_1,relu3_1,relu4_1,relu5_1',
      });

      const shapes = (JSON.parse(readFileSync(join(reference, 'reference.json'), 'utf8')) as { shapes: Record<string, number[]> }).shapes;
      const session = await ort.InferenceSession.create(bytes);
      try {
        const image = new ort.Tensor('float32', readF32(join(reference, 'input.f32')), shapes.input);
        const got = await session.run({ image });
        LAYERS.forEach((layer, i) => {
          expect(got[layer].dims, layer).toEqual(shapes[layer]);
          expect(got[layer].dims[1]).toBe(CHANNELS[i]);
          const want = readF32(join(reference, `${layer}.f32`));
          const data = got[layer].data as Float32Array;
          let diff = 0;
          let scale = 0;
          for (let j = 0; j < want.length; j++) {
            diff = Math.max(diff, Math.abs(data[j] - want[j]));
            scale = Math.max(scale, Math.abs(want[j]));
          }
          expect(scale, `${layer} is not all zero`).toBeGreaterThan(0);
          expect(diff / scale, layer).toBeLessThan(TOLERANCE);
        });
        expect(got.relu5_1.dims).toEqual([1, 512, 2, 3]); // 40×56 floored through four 2×2 pools

        // Another size through the same session: height and width are free.
        const other = await session.run({ image: new ort.Tensor('float32', new Float32Array(3 * 33 * 70).fill(100), [1, 3, 33, 70]) });
        expect(other.relu1_1.dims).toEqual([1, 64, 33, 70]);
        expect(other.relu5_1.dims).toEqual([1, 512, 2, 4]);
      } finally {
        await session.release();
      }
    },
    180_000,
  );
});
