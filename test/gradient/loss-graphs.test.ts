import * as ort from 'onnxruntime-node';
import { afterAll, describe, expect, it } from 'vitest';
import { attr, decodeModel, PasticheError, type ModelProto } from '@pastiche/core';
import {
  buildLossGraphs,
  exportLossGraphs,
  importLossGraphs,
  LOSS_GRAPH_NAMES as N,
  lossWeights,
} from '../../packages/core/src/gradient/index.js';
import { expectGradient, printReport } from './helpers/expect-gradient.js';
import { createSession, imageTensor, referenceGram } from './helpers/gradient-check.js';
import { NetBuilder } from './helpers/nets.js';
import { Random } from './helpers/random.js';

afterAll(printReport);

/** A small VGG-like net: conv-relu ×2, max pool, conv-relu, pool, conv-relu; layers relu1…relu4. */
function vggLike(seed: number, pool: 'MaxPool' | 'AveragePool' = 'MaxPool'): ModelProto {
  const b = new NetBuilder(seed);
  const r1 = b.layer(b.op('Relu', [b.conv(b.preprocess(), 3, 4, { pads: [1, 1, 1, 1] })], {}, 'relu1'));
  const r2 = b.layer(b.op('Relu', [b.conv(r1, 4, 4, { pads: [1, 1, 1, 1] })], {}, 'relu2'));
  const p1 = b.op(pool, [r2], { kernel_shape: attr.ints([2, 2]), strides: attr.ints([2, 2]) }, 'pool1');
  const r3 = b.layer(b.op('Relu', [b.conv(p1, 4, 6, { pads: [1, 1, 1, 1] })], {}, 'relu3'));
  const p2 = b.op(pool, [r3], { kernel_shape: attr.ints([3, 3]), strides: attr.ints([2, 2]), ceil_mode: attr.int(1) }, 'pool2');
  b.layer(b.op('Relu', [b.conv(p2, 6, 8, { pads: [1, 1, 1, 1] })], {}, 'relu4'));
  return b.build();
}

const opTypes = (m: ModelProto) => m.graph.nodes.map((n) => n.opType);
const count = (m: ModelProto, op: string) => opTypes(m).filter((t) => t === op).length;

describe('loss terms and their gradients', () => {
  it('content + style on several layers (one layer in both) + TV, per element', async () => {
    const spec = {
      content: [{ layer: 'relu3', weight: 1 }],
      style: [{ layer: 'relu1', weight: 1 }, { layer: 'relu3', weight: 1 }, { layer: 'relu4', weight: 1 }],
      tvWeight: 1e-4,
    };
    await expectGradient('content+style+tv (VGG-like)', vggLike(1), spec, { weights: lossWeights(spec), sizes: [[12, 14], [13, 11]] });
  });

  it('TV alone (content weight 0) on the 0..255 image', async () => {
    const spec = { content: [{ layer: 'relu1', weight: 0 }], style: [], tvWeight: 1 };
    await expectGradient('tv only', vggLike(2), spec, { weights: lossWeights(spec) });
  });

  it('the weights input scales each term without rebuilding', async () => {
    const graphs = buildLossGraphs(vggLike(3), { content: [{ layer: 'relu2', weight: 1 }], style: [{ layer: 'relu4', weight: 1 }], tvWeight: 1 });
    expect(graphs.termNames).toEqual(['content_loss.relu2', 'style_loss.relu4', 'tv_loss']);
    const features = await createSession(graphs.features);
    const lossGrad = await createSession(graphs.lossGrad);
    const random = new Random(5);
    const [h, w] = [16, 12];
    const targetsOut = await features.run({ image: imageTensor(random.uniforms(3 * h * w, 0, 255), h, w) });
    const feeds = {
      image: imageTensor(random.uniforms(3 * h * w, 0, 255), h, w),
      [N.targetContent('relu2')]: targetsOut[N.content('relu2')],
      [N.targetGram('relu4')]: targetsOut[N.gram('relu4')],
    };
    const run = (weights: number[]) => lossGrad.run({ ...feeds, weights: new ort.Tensor('float32', Float32Array.from(weights), [3]) });
    const ones = await run([1, 1, 1]);
    const scaled = await run([2, 0.5, 0]);
    const scalar = (out: ort.InferenceSession.OnnxValueMapType, name: string) => (out[name].data as Float32Array)[0];
    expect(scalar(scaled, 'content_loss.relu2')).toBeCloseTo(2 * scalar(ones, 'content_loss.relu2'), 4);
    expect(scalar(scaled, 'style_loss.relu4') / scalar(ones, 'style_loss.relu4')).toBeCloseTo(0.5, 6);
    expect(scalar(scaled, 'tv_loss')).toBe(0);
    const terms = ['content_loss.relu2', 'style_loss.relu4', 'tv_loss'].map((t) => scalar(ones, t));
    const sum = terms.reduce((a, b) => a + b);
    expect(Math.abs(scalar(ones, 'loss') - sum) / sum).toBeLessThan(1e-6);
  });
});

describe('features graph', () => {
  it('outputs the layer feature maps as the network computes them, and G = F Fᵀ / (H·W)', async () => {
    const model = vggLike(4);
    const graphs = buildLossGraphs(model, {
      content: [{ layer: 'relu2', weight: 1 }, { layer: 'relu4', weight: 1 }],
      style: [{ layer: 'relu2', weight: 1 }, { layer: 'relu3', weight: 1 }],
      tvWeight: 0,
    });
    expect(graphs.features.graph.outputs.map((o) => o.name)).toEqual(['content.relu2', 'content.relu4', 'gram.relu2', 'gram.relu3']);
    const original = await createSession(model);
    const features = await createSession(graphs.features);
    // relu4 comes after the ceil-mode pool, which the graphs run as a floor-mode pool with more end padding.
    for (const [h, w] of [[11, 13], [12, 14]]) {
      const image = imageTensor(new Random(6).uniforms(3 * h * w, 0, 255), h, w);
      const want = await original.run({ image });
      const got = await features.run({ image });
      for (const layer of ['relu2', 'relu4']) {
        expect(got[`content.${layer}`].dims).toEqual(want[layer].dims);
        expect(Array.from(got[`content.${layer}`].data as Float32Array)).toEqual(Array.from(want[layer].data as Float32Array));
      }
    }
    const [h, w] = [11, 13];
    const image = imageTensor(new Random(6).uniforms(3 * h * w, 0, 255), h, w);
    const out = await features.run({ image });
    const original3 = (await original.run({ image })).relu3;
    const relu3 = original3;
    expect(out['gram.relu3'].dims).toEqual([6, 6]);
    const expected = referenceGram(relu3.data as Float32Array, relu3.dims);
    const got = out['gram.relu3'].data as Float32Array;
    for (let i = 0; i < expected.length; i++) expect(Math.abs(got[i] - expected[i])).toBeLessThan(1e-5 * (1 + Math.abs(expected[i])));
  });
});

describe('graph structure', () => {
  it('cuts off everything after the deepest used layer', () => {
    const graphs = buildLossGraphs(vggLike(7), { content: [{ layer: 'relu2', weight: 1 }], style: [{ layer: 'relu1', weight: 1 }], tvWeight: 0 });
    for (const model of [graphs.features, graphs.lossGrad]) {
      const values = new Set(model.graph.nodes.flatMap((n) => n.outputs));
      expect(values.has('relu2')).toBe(model === graphs.lossGrad);
      expect(values.has('pool1')).toBe(false);
      expect(values.has('relu3')).toBe(false);
      expect(count(model, 'MaxPool')).toBe(0);
      // Only the two convs' weights and biases are kept.
      expect(model.graph.initializers.filter((t) => t.dims.length === 4 && t.dims[0] !== 1).length).toBe(2);
    }
  });

  it('is lean: every forward node once, one backward conv per conv, two MatMuls per style layer', () => {
    const graphs = buildLossGraphs(vggLike(8), { content: [{ layer: 'relu4', weight: 1 }], style: [{ layer: 'relu1', weight: 1 }, { layer: 'relu3', weight: 1 }], tvWeight: 1 });
    const g = graphs.lossGrad;
    expect(g.graph.nodes.filter((n) => n.outputs.includes('relu4')).length).toBe(1);
    expect(count(g, 'Relu')).toBe(4);
    expect(count(g, 'MaxPool')).toBe(2);
    // 4 forward convs + 4 input-gradient convs (stride 1 → flipped Conv); each max pool reads its windows with
    // one Conv and scatters with one ConvTranspose.
    expect(count(g, 'Conv')).toBe(8 + 2);
    expect(count(g, 'ConvTranspose')).toBe(2);
    expect(count(g, 'MatMul')).toBe(2 * 2);
    expect(count(g, 'MaxUnpool')).toBe(0);
    // The features graph runs the forward and the Gram matrices only.
    expect(count(graphs.features, 'Conv')).toBe(4);
    expect(count(graphs.features, 'ConvTranspose')).toBe(0);
    expect(count(graphs.features, 'MatMul')).toBe(2);
  });

  it("pooling: 'average' replaces every MaxPool with an AveragePool of the same window, in both graphs", async () => {
    const spec = { content: [{ layer: 'relu4', weight: 1 }], style: [{ layer: 'relu3', weight: 1 }], tvWeight: 0 };
    const graphs = buildLossGraphs(vggLike(9), spec, { pooling: 'average' });
    for (const model of [graphs.features, graphs.lossGrad]) {
      expect(count(model, 'MaxPool')).toBe(0);
      const pools = model.graph.nodes.filter((n) => n.opType === 'AveragePool' && (n.name === 'pool1' || n.name === 'pool2'));
      expect(pools.map((n) => n.name)).toEqual(['pool1', 'pool2']);
      expect(pools[1].attributes.map((a) => [a.name, a.ints ?? a.i])).toEqual([
        ['kernel_shape', [3, 3]],
        ['strides', [2, 2]],
        ['pads', [0, 0, 1, 1]],
      ]);
    }
    expect(graphs.lossGrad.metadataProps['pastiche.loss.pooling']).toBe('average');
    await expectGradient('VGG-like with average pooling', vggLike(9), spec, { build: { pooling: 'average' }, sizes: [[12, 14], [13, 11]] });
  });

  it('runs ceil-mode pools as floor-mode pools with s−1 more end padding (onnxruntime-web WebGPU lacks ceil_mode)', () => {
    const pools = (m: ModelProto) => m.graph.nodes.filter((n) => n.name === 'pool2').map((n) => Object.fromEntries(n.attributes.map((a) => [a.name, a.ints ?? a.i])));
    for (const pooling of ['max', 'average'] as const) {
      const graphs = buildLossGraphs(vggLike(20), { content: [{ layer: 'relu4', weight: 1 }], style: [], tvWeight: 0 }, { pooling });
      for (const model of [graphs.features, graphs.lossGrad]) expect(pools(model)).toEqual([{ kernel_shape: [3, 3], strides: [2, 2], pads: [0, 0, 1, 1] }]);
    }
    // count_include_pad = 1 would count the new padding: such a pool keeps ceil_mode.
    const b = new NetBuilder(21);
    const attrs = { kernel_shape: attr.ints([3, 3]), strides: attr.ints([2, 2]), ceil_mode: attr.int(1), count_include_pad: attr.int(1) };
    b.layer(b.op('AveragePool', [b.conv(b.preprocess(), 3, 4)], attrs, 'pool2'));
    expect(pools(buildLossGraphs(b.build(), { content: [{ layer: 'pool2', weight: 1 }], style: [], tvWeight: 0 }).lossGrad)[0].ceil_mode).toBe(1);
  });

  it('avoids what onnxruntime-web WebGPU gets wrong: Concat of 8+ inputs, floats cast from Shape slices', () => {
    // Casts only of sizes (Size), masks (Equal) and window indices (ArgMax).
    const castable = new Set(['Size', 'Equal', 'ArgMax']);
    for (const pooling of ['max', 'average'] as const) {
      const graphs = buildLossGraphs(vggLike(22), { content: [{ layer: 'relu4', weight: 1 }], style: [{ layer: 'relu1', weight: 1 }, { layer: 'relu3', weight: 1 }], tvWeight: 1 }, { pooling });
      for (const model of [graphs.features, graphs.lossGrad]) {
        const producer = new Map(model.graph.nodes.flatMap((n) => n.outputs.map((o) => [o, n.opType] as const)));
        const concats = model.graph.nodes.filter((n) => n.opType === 'Concat');
        expect(Math.max(...concats.map((n) => n.inputs.length))).toBeLessThanOrEqual(7);
        const casts = model.graph.nodes.filter((n) => n.opType === 'Cast');
        expect(casts.length).toBeGreaterThan(0);
        for (const cast of casts) expect(castable).toContain(producer.get(cast.inputs[0]));
        expect(count(model, 'MaxUnpool') + count(model, 'ReduceProd')).toBe(0);
      }
    }
  });

  it('one pair of graphs serves different image sizes', async () => {
    const graphs = buildLossGraphs(vggLike(10), { content: [{ layer: 'relu4', weight: 1 }], style: [{ layer: 'relu2', weight: 1 }], tvWeight: 1 });
    const features = await createSession(graphs.features);
    const lossGrad = await createSession(graphs.lossGrad);
    const random = new Random(11);
    for (const [h, w] of [[32, 24], [45, 61]]) {
      const image = imageTensor(random.uniforms(3 * h * w, 0, 255), h, w);
      const targets = await features.run({ image });
      const out = await lossGrad.run({
        image,
        weights: new ort.Tensor('float32', Float32Array.from([1, 1, 1]), [3]),
        [N.targetContent('relu4')]: targets['content.relu4'],
        [N.targetGram('relu2')]: targets['gram.relu2'],
      });
      expect(out.grad.dims).toEqual([1, 3, h, w]);
      // The image's own targets: content and style terms are zero, only TV is left.
      expect((out['content_loss.relu4'].data as Float32Array)[0]).toBe(0);
      expect(Math.abs((out['style_loss.relu2'].data as Float32Array)[0])).toBeLessThan(1e-6);
      expect((out.loss.data as Float32Array)[0]).toBeGreaterThan(0);
    }
  });

  it('keeps working when forward values are named like the graph inputs and outputs', async () => {
    const b = new NetBuilder(12);
    const a = b.op('Relu', [b.conv(b.preprocess(), 3, 4, { pads: [1, 1, 1, 1] })], {}, 'grad');
    const c = b.op('Relu', [b.conv(a, 4, 4, { pads: [1, 1, 1, 1] })], {}, 'loss');
    b.layer(b.op('Identity', [b.op('Mul', [a, c], {}, 'weights')], {}, 'content.out'));
    b.layer(b.op('Identity', ['content.out'], {}, 'out'));
    await expectGradient('reserved names', b.build(), { content: [{ layer: 'out', weight: 1 }], style: [{ layer: 'content.out', weight: 1 }], tvWeight: 0 });
  });
});

describe('errors', () => {
  const expectSignatureError = (fn: () => unknown, ...parts: string[]) => {
    let error: unknown;
    try {
      fn();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PasticheError);
    expect((error as PasticheError).code).toBe('E_MODEL_SIGNATURE');
    for (const part of parts) expect((error as PasticheError).message).toContain(part);
  };
  const spec = (layer: string) => ({ content: [{ layer, weight: 1 }], style: [], tvWeight: 0 });

  it('an op without a backward rule on the path names the op and the node', () => {
    const b = new NetBuilder(13);
    const x = b.conv(b.preprocess(), 3, 4, { pads: [1, 1, 1, 1] });
    b.layer(b.op('Relu', [b.op('Softmax', [x], { axis: attr.int(1) }, 'attention_softmax')], {}, 'out'));
    expectSignatureError(() => buildLossGraphs(b.build(), spec('out')), "Softmax node 'attention_softmax'", 'no backward rule for Softmax', 'Supported ops: Add,');
  });

  it('LSTM on the path is refused too; the same op past the chosen layers is fine', () => {
    const b = new NetBuilder(14);
    const early = b.layer(b.op('Relu', [b.conv(b.preprocess(), 3, 4, { pads: [1, 1, 1, 1] })], {}, 'early'));
    const seq = b.op('Reshape', [early, b.ints([0, 4, -1])]);
    // Never run, only built: the weight dims need not fit.
    b.layer(b.g.node('LSTM', [seq, b.weights([1, 8, 1], 0.1), b.weights([1, 8, 2], 0.1)], ['lstm_y'], { hidden_size: attr.int(2) }, 'lstm1')[0]);
    const model = b.build();
    expectSignatureError(() => buildLossGraphs(model, spec('lstm_y')), "LSTM node 'lstm1'");
    expect(() => buildLossGraphs(model, spec('early'))).not.toThrow();
  });

  it('unusable networks are E_MODEL_SIGNATURE with what to do', () => {
    const b = new NetBuilder(15);
    b.layer(b.op('Relu', [b.conv(b.preprocess(), 3, 4)], {}, 'relu1'));
    const model = b.build();
    const renamed = { ...model, graph: { ...model.graph, inputs: model.graph.inputs.map((i) => ({ ...i, name: 'input' })) } };
    expectSignatureError(() => buildLossGraphs(renamed, spec('relu1')), "input named 'image'", 'input');
    const opset18 = { ...model, opsetImports: [{ domain: '', version: 18 }] };
    expectSignatureError(() => buildLossGraphs(opset18, spec('relu1')), 'opset 13–17', 'opset 18', 'version_converter');
    const sameAuto = { ...model, graph: { ...model.graph, nodes: model.graph.nodes.map((n) => (n.opType === 'Conv' ? { ...n, attributes: [...n.attributes, { name: 'auto_pad', type: 3, s: new TextEncoder().encode('SAME_UPPER') }] } : n)) } };
    expectSignatureError(() => buildLossGraphs(sameAuto, spec('relu1')), 'auto_pad SAME_UPPER');
  });

  it('a layer that does not depend on the image is refused', () => {
    const b = new NetBuilder(16);
    b.layer(b.op('Relu', [b.conv(b.preprocess(), 3, 4)], {}, 'relu1'));
    b.layer(b.op('Relu', [b.constant([1, 2, 2, 2], [1, 2, 3, 4, 5, 6, 7, 8])], {}, 'constant_layer'));
    expectSignatureError(() => buildLossGraphs(b.build(), spec('constant_layer')), "Layer 'constant_layer' does not depend on the input 'image'");
  });

  it('a dangling value is E_ONNX_PARSE', () => {
    const b = new NetBuilder(17);
    b.layer(b.op('Relu', [b.conv(b.preprocess(), 3, 4)], {}, 'relu1'));
    const model = b.build();
    const broken = { ...model, graph: { ...model.graph, initializers: model.graph.initializers.slice(1) } };
    let error: unknown;
    try {
      buildLossGraphs(broken, spec('relu1'));
    } catch (e) {
      error = e;
    }
    expect((error as PasticheError).code).toBe('E_ONNX_PARSE');
  });
});

describe('export', () => {
  it('writes both graphs as ONNX bytes that load and compute the same, and reads them back', async () => {
    const graphs = buildLossGraphs(vggLike(18), { content: [{ layer: 'relu3', weight: 1 }], style: [{ layer: 'relu1', weight: 1 }], tvWeight: 1 });
    const bytes = exportLossGraphs(graphs);
    expect(decodeModel(bytes.lossGrad).graph.outputs.map((o) => o.name)).toEqual(['loss', 'content_loss.relu3', 'style_loss.relu1', 'tv_loss', 'grad']);
    const back = importLossGraphs(bytes.features, bytes.lossGrad);
    expect([back.contentLayers, back.styleLayers, back.termNames]).toEqual([graphs.contentLayers, graphs.styleLayers, graphs.termNames]);
    const session = await ort.InferenceSession.create(bytes.features);
    const image = imageTensor(new Random(19).uniforms(3 * 20 * 18, 0, 255), 20, 18);
    const a = await session.run({ image });
    const b = await (await createSession(back.features)).run({ image });
    expect(Array.from(a['gram.relu1'].data as Float32Array)).toEqual(Array.from(b['gram.relu1'].data as Float32Array));
    expect(() => importLossGraphs(bytes.lossGrad, bytes.features)).toThrow(PasticheError);
  });
});
