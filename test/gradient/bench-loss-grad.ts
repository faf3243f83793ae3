/**
 * ms per loss+gradient evaluation (and per features run; fastest and median of --runs) of the real loss networks and of a VGG19 to relu5_1
 * with random weights (time depends on the architecture only), on onnxruntime-node's CPU provider.
 *
 *   npx tsx test/gradient/bench-loss-grad.ts [--sizes 256,512] [--runs 5] [--profile]
 *
 * --profile prints the share of each op type in one loss+gradient run (onnxruntime's profiler).
 */
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { attr, decodeModel, encodeModel, METADATA_KEYS, type ModelProto } from '@pastiche/core';
import { buildLossGraphs, LOSS_GRAPH_NAMES as N, type LossSpec } from '../../packages/core/src/gradient/index.js';
import { MODELS_DIR } from '../helpers/assets.js';
import { NetBuilder } from './helpers/nets.js';
import { Random } from './helpers/random.js';

const args = process.argv.slice(2);
const option = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const sizes = option('sizes', '256,512').split(',').map(Number);
const runs = Number(option('runs', '5'));
const profile = args.includes('--profile');

/** VGG19 conv1_1 … relu5_1 (3×3 convs, 2×2 max pools), random weights; preprocessing as a 1×1 conv. */
function vgg19ToRelu51(): ModelProto {
  const b = new NetBuilder(1);
  let x = b.conv(b.image, 3, 3, { k: [1, 1], name: 'preprocessed' });
  const blocks = [[64, 2], [128, 2], [256, 4], [512, 4], [512, 1]] as const;
  let cin = 3;
  blocks.forEach(([cout, convs], i) => {
    if (i > 0) x = b.op('MaxPool', [x], { kernel_shape: attr.ints([2, 2]), strides: attr.ints([2, 2]) }, `pool${i}`);
    for (let j = 1; j <= convs; j++) {
      x = b.layer(b.op('Relu', [b.conv(x, cin, cout, { pads: [1, 1, 1, 1] })], {}, `relu${i + 1}_${j}`));
      cin = cout;
    }
  });
  return b.build();
}

function networks(): { name: string; model: ModelProto; spec: LossSpec }[] {
  const out: { name: string; model: ModelProto; spec: LossSpec }[] = [];
  const list = (m: ModelProto, key: string) => (m.metadataProps[key] ?? '').split(',').filter(Boolean);
  const weightsOf = (layers: string[]) => layers.map((layer) => ({ layer, weight: 1 }));
  for (const file of ['squeezenet1.1.onnx', 'vgg19-partial.onnx']) {
    const path = `${MODELS_DIR}/${file}`;
    if (!existsSync(path)) {
      console.log(`(${file} missing: run npm run models)`);
      continue;
    }
    const model = decodeModel(readFileSync(path));
    out.push({
      name: `${file} (default layers)`,
      model,
      spec: { content: weightsOf(list(model, METADATA_KEYS.defaultContentLayers)), style: weightsOf(list(model, METADATA_KEYS.defaultStyleLayers)), tvWeight: 1 },
    });
  }
  out.push({
    name: 'VGG19 to relu5_1 (Gatys layers, random weights)',
    model: vgg19ToRelu51(),
    spec: { content: weightsOf(['relu4_2']), style: weightsOf(['relu1_1', 'relu2_1', 'relu3_1', 'relu4_1', 'relu5_1']), tvWeight: 1 },
  });
  return out;
}

/** Fastest and median of `runs` runs after a warm-up; on a shared machine the fastest is the better estimate. */
async function time(session: ort.InferenceSession, feeds: Record<string, ort.Tensor>): Promise<{ min: number; median: number }> {
  await session.run(feeds);
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await session.run(feeds);
    ms.push(performance.now() - t);
  }
  ms.sort((a, b) => a - b);
  return { min: ms[0], median: ms[Math.floor(ms.length / 2)] };
}

async function opShares(bytes: Uint8Array, feeds: Record<string, ort.Tensor>): Promise<string> {
  const session = await ort.InferenceSession.create(bytes, { enableProfiling: true, profileFilePrefix: '/tmp/pastiche-grad-profile' });
  await session.run(feeds);
  await session.run(feeds);
  session.endProfiling();
  const file = `/tmp/${readdirSync('/tmp').find((f) => f.startsWith('pastiche-grad-profile'))}`;
  const events = JSON.parse(readFileSync(file, 'utf8')) as { cat: string; name: string; dur: number; args?: { op_name?: string } }[];
  rmSync(file);
  const byOp = new Map<string, number>();
  for (const e of events) if (e.cat === 'Node' && e.name.endsWith('_kernel_time')) byOp.set(e.args!.op_name!, (byOp.get(e.args!.op_name!) ?? 0) + e.dur);
  const total = [...byOp.values()].reduce((a, b) => a + b, 0);
  return [...byOp.entries()].sort((a, b) => b[1] - a[1]).slice(0, 8).map(([op, us]) => `${op} ${((100 * us) / total).toFixed(0)}%`).join(', ');
}

for (const { name, model, spec } of networks()) {
  const graphs = buildLossGraphs(model, spec);
  const featuresBytes = encodeModel(graphs.features);
  const lossGradBytes = encodeModel(graphs.lossGrad);
  const features = await ort.InferenceSession.create(featuresBytes);
  const opened = performance.now();
  const lossGrad = await ort.InferenceSession.create(lossGradBytes);
  const openMs = performance.now() - opened;
  console.log(`${name}: ${graphs.lossGrad.graph.nodes.length} nodes in the loss+gradient graph, session opened in ${openMs.toFixed(0)} ms`);
  for (const size of sizes) {
    const image = new ort.Tensor('float32', new Random(size).uniforms(3 * size * size, 0, 255), [1, 3, size, size]);
    const targets = await features.run({ image });
    const feeds = {
      image,
      weights: new ort.Tensor('float32', Float32Array.from(graphs.termNames, () => 1), [graphs.termNames.length]),
      ...Object.fromEntries(graphs.contentLayers.map((l) => [N.targetContent(l), targets[N.content(l)]])),
      ...Object.fromEntries(graphs.styleLayers.map((l) => [N.targetGram(l), targets[N.gram(l)]])),
    };
    const f = await time(features, { image });
    const lg = await time(lossGrad, feeds);
    const show = (t: { min: number; median: number }) => `${t.min.toFixed(0)} ms (median ${t.median.toFixed(0)})`;
    console.log(`  ${size}²: features ${show(f)}, loss+grad ${show(lg)}; fastest loss+grad = ${(lg.min / f.min).toFixed(2)}× fastest features`);
    if (profile) console.log(`    ${await opShares(lossGradBytes, feeds)}`);
  }
}
