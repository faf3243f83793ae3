/**
 * The gradient graphs on onnxruntime-web's WebGPU EP (its default bundle) in Debian's Chromium (SwiftShader),
 * against its wasm EP. Guards the workarounds in the graphs for that EP's gaps and bugs: no MaxUnpool
 * (mask-based max-pool backward), no ceil_mode pools (rewritten as end padding), no Concat of more than 7
 * inputs (wrong results from 8 on), no float taken from a Shape slice (stale values; Size is used).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { attr, encodeModel, type ModelProto } from '@pastiche/core';
import { buildLossGraphs, LOSS_GRAPH_NAMES as N, type Pooling } from '../../packages/core/src/gradient/index.js';
import { REPO_ROOT } from '../helpers/assets.js';
import { launchChromium, relativeError, serveStatic, type Browser, type StaticServer } from '../helpers/browser.js';
import { NetBuilder } from './helpers/nets.js';
import { Random } from './helpers/random.js';

const PAGE = `<!doctype html><script type="module">
import * as ort from '/ort/ort.min.mjs';
ort.env.wasm.wasmPaths = '/ort/';
window.runGraph = async (file, feeds, ep) => {
  try {
    const session = await ort.InferenceSession.create(new Uint8Array(await (await fetch(file)).arrayBuffer()), { executionProviders: [ep] });
    const tensors = Object.fromEntries(Object.entries(feeds).map(([k, { data, dims }]) => [k, new ort.Tensor('float32', Float32Array.from(data), dims)]));
    const out = await session.run(tensors);
    await session.release();
    const plain = {};
    for (const [k, t] of Object.entries(out)) plain[k] = { dims: t.dims, data: Array.from(await t.getData()) };
    return { ok: true, out: plain };
  } catch (e) {
    return { ok: false, error: String(e?.message ?? e) };
  }
};
window.ready = true;
</script>`;

type Plain = { dims: number[]; data: number[] };
type RunResult = { ok: true; out: Record<string, Plain> } | { ok: false; error: string };

/** SqueezeNet-like: stride-2 conv, 3×3 stride-2 ceil-mode max pool (9 window offsets), a fire module. */
function fireNet(): ModelProto {
  const b = new NetBuilder(30);
  const c1 = b.layer(b.op('Relu', [b.conv(b.preprocess(), 3, 6, { strides: [2, 2] })], {}, 'conv1'));
  const pool = b.op('MaxPool', [c1], { kernel_shape: attr.ints([3, 3]), strides: attr.ints([2, 2]), ceil_mode: attr.int(1) });
  const squeeze = b.op('Relu', [b.conv(pool, 6, 4, { k: [1, 1] })]);
  const expand1 = b.op('Relu', [b.conv(squeeze, 4, 4, { k: [1, 1] })]);
  const expand3 = b.op('Relu', [b.conv(squeeze, 4, 4, { pads: [1, 1, 1, 1] })]);
  b.layer(b.op('Concat', [expand1, expand3], { axis: attr.int(1) }, 'fire2'));
  return b.build();
}

let dir: string;
let server: StaticServer;
let browser: Browser;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pastiche-grad-webgpu-'));
  await writeFile(join(dir, 'index.html'), PAGE);
  server = await serveStatic({ '/': dir, '/ort/': join(REPO_ROOT, 'node_modules', 'onnxruntime-web', 'dist') });
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

async function run(file: string, feeds: Record<string, Plain>, ep: 'wasm' | 'webgpu'): Promise<Record<string, Plain>> {
  // A fresh page per run: a failed WebGPU kernel leaves onnxruntime-web unusable for the next session.
  // Generous timeouts: software WebGPU on a busy 2-core machine can take a minute to tear a page down.
  await browser.page.goto(`${server.origin}/index.html`, { timeout: 180_000 });
  await browser.page.waitForFunction(() => (globalThis as unknown as { ready?: boolean }).ready === true, undefined, { timeout: 180_000 });
  const result = (await browser.page.evaluate(
    ([f, x, e]) => (globalThis as unknown as { runGraph: (...a: unknown[]) => Promise<unknown> }).runGraph(f, x, e),
    [file, feeds, ep] as const,
  )) as RunResult;
  if (!result.ok) throw new Error(`${file} on ${ep}: ${result.error}`);
  return result.out;
}

describe('gradient graphs on onnxruntime-web WebGPU (SwiftShader)', () => {
  for (const pooling of ['max', 'average'] as Pooling[]) {
    it(`match wasm, ${pooling} pooling`, async () => {
      const graphs = buildLossGraphs(fireNet(), { content: [{ layer: 'fire2', weight: 1 }], style: [{ layer: 'conv1', weight: 1 }, { layer: 'fire2', weight: 1 }], tvWeight: 1 }, { pooling });
      await writeFile(join(dir, `features-${pooling}.onnx`), encodeModel(graphs.features));
      await writeFile(join(dir, `loss-grad-${pooling}.onnx`), encodeModel(graphs.lossGrad));
      const [h, w] = [22, 18];
      const random = new Random(31);
      const image = (): Plain => ({ dims: [1, 3, h, w], data: Array.from(random.uniforms(3 * h * w, 0, 255)) });
      const styleImage = image();
      const targets = await run(`features-${pooling}.onnx`, { image: styleImage }, 'wasm');
      const gpuTargets = await run(`features-${pooling}.onnx`, { image: styleImage }, 'webgpu');
      for (const name of Object.keys(targets)) expect(relativeError(gpuTargets[name].data, targets[name].data), name).toBeLessThan(1e-5);
      const feeds = {
        image: image(),
        weights: { dims: [4], data: [1, 1, 1, 1e-3] },
        [N.targetContent('fire2')]: targets[N.content('fire2')],
        [N.targetGram('conv1')]: targets[N.gram('conv1')],
        [N.targetGram('fire2')]: targets[N.gram('fire2')],
      };
      const cpu = await run(`loss-grad-${pooling}.onnx`, feeds, 'wasm');
      const gpu = await run(`loss-grad-${pooling}.onnx`, feeds, 'webgpu');
      expect(relativeError(gpu.loss.data, cpu.loss.data)).toBeLessThan(1e-5);
      expect(relativeError(gpu.grad.data, cpu.grad.data)).toBeLessThan(1e-5);
    }, 600_000);
  }
});
