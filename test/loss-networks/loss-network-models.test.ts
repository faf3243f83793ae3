import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { METADATA_KEYS } from '../../packages/core/src/models/metadata-keys.js';
import { decodeModel, encodeModel, TensorDataType, type ModelProto } from '../../packages/core/src/onnx/index.js';
import { BUILD_STAMP_KEY, buildStamp } from '../../packages/core/src/converters/index.js';
import { PREPROCESSED } from '../../packages/core/src/converters/loss-network.js';
import { parseNcnnParam } from '../../packages/core/src/converters/ncnn-param.js';
import { importSqueezeNetNcnn } from '../../packages/core/src/converters/squeezenet-ncnn.js';
import { builtModel } from '../helpers/assets.js';
import { catalogLossNetwork, importSqueezeNet, importVgg19Partial, lossInfo, session, squeezeNetFiles } from './loss-assets.js';

const networks: Record<string, () => ModelProto> = { 'squeezenet1.1': importSqueezeNet, 'vgg19-partial': importVgg19Partial };
const DEFAULTS: Record<string, { content: string; style: string }> = {
  'squeezenet1.1': { content: 'fire2', style: 'conv1,fire3,fire4,fire5' },
  'vgg19-partial': { content: 'relu3_2', style: 'relu1_1,relu2_1,relu3_1' },
};

/** A deterministic pseudo-random image [1, 3, h, w] on 0..255. */
function noiseImage(width: number, height: number, seed = 1): ort.Tensor {
  const data = new Float32Array(3 * width * height);
  let s = seed;
  for (let i = 0; i < data.length; i++) {
    s = (s * 1103515245 + 12345) % 2 ** 31;
    data[i] = (s / 2 ** 31) * 255;
  }
  return new ort.Tensor('float32', data, [1, 3, height, width]);
}

describe.each(Object.keys(networks))('loss network %s', (name) => {
  const net = catalogLossNetwork(name);
  const model = networks[name]();

  it('takes image [1, 3, height, width] and names its catalog layers in pastiche.* metadata', () => {
    expect(model.graph.inputs).toEqual([{ name: 'image', elemType: TensorDataType.FLOAT, shape: [1, 3, 'height', 'width'] }]);
    expect(model.opsetImports).toEqual([{ domain: '', version: 17 }]);
    const k = METADATA_KEYS;
    expect(model.metadataProps).toEqual({
      [k.name]: name,
      [k.title]: net.title,
      [k.source]: net.source.repository,
      [k.license]: net.license,
      [k.kind]: 'loss-network',
      [k.inputLayout]: 'NCHW',
      [k.inputRange]: '0-255',
      [k.inputChannelOrder]: 'RGB',
      [k.layers]: net.layers.join(','),
      [k.defaultContentLayers]: DEFAULTS[name].content,
      [k.defaultStyleLayers]: DEFAULTS[name].style,
    });
    const outputs = model.graph.outputs.map((o) => o.name);
    expect(outputs.slice(0, net.layers.length)).toEqual(net.layers);
    const made = new Set(model.graph.nodes.flatMap((n) => n.outputs));
    for (const layer of net.layers) expect(made.has(layer), layer).toBe(true);
  });

  it('folds RGB→BGR and the mean subtraction into the first Conv', async () => {
    const first = model.graph.nodes[0];
    expect(first.opType).toBe('Conv');
    expect(first.inputs[0]).toBe('image');
    expect(first.outputs).toEqual([PREPROCESSED]);
    const probe: ModelProto = { ...model, graph: { ...model.graph, outputs: [{ name: PREPROCESSED, elemType: TensorDataType.FLOAT, shape: [1, 3, 'height', 'width'] }] } };
    const s = await session(probe);
    const image = noiseImage(32, 32); // big enough for the rest of the graph, which ORT still checks
    const { [PREPROCESSED]: y } = await s.run({ image });
    await s.release();
    const mean = name === 'squeezenet1.1' ? [104, 117, 123] : [103.939, 116.779, 123.68];
    const x = image.data as Float32Array;
    const got = y.data as Float32Array;
    const plane = 32 * 32;
    for (const p of [0, 17, plane - 1]) {
      for (let c = 0; c < 3; c++) expect(got[c * plane + p]).toBeCloseTo(x[(2 - c) * plane + p] - mean[c], 3);
    }
  });

  it('is the model `npm run models` wrote, stamped with its sources', async () => {
    const built = decodeModel(new Uint8Array(readFileSync(builtModel(net.file))));
    expect(built.metadataProps[BUILD_STAMP_KEY]).toBe(await buildStamp(net));
    expect(built.metadataProps[METADATA_KEYS.layers]).toBe(net.layers.join(','));
    expect(built.graph.initializers.map((t) => t.name)).toEqual(model.graph.initializers.map((t) => t.name));
    expect(built.graph.outputs).toEqual(model.graph.outputs);
  });
});

describe('dynamic image sizes', () => {
  /** ncnn's full-padding pooling: ⌈(n - 3) / 2⌉ + 1 (ONNX ceil_mode). */
  const pool = (n: number) => Math.ceil((n - 3) / 2) + 1;

  it('squeezenet1.1 runs at 61×47 with ncnn’s ceil-mode pooling sizes', async () => {
    const s = await session(importSqueezeNet());
    const out = await s.run({ image: noiseImage(47, 61) });
    await s.release();
    const conv1 = [Math.floor((61 - 3) / 2) + 1, Math.floor((47 - 3) / 2) + 1];
    const fire2 = conv1.map(pool);
    const fire4 = fire2.map(pool);
    const fire6 = fire4.map(pool);
    expect(out.conv1.dims).toEqual([1, 64, ...conv1]);
    expect(out.fire3.dims).toEqual([1, 128, ...fire2]);
    expect(out.fire5.dims).toEqual([1, 256, ...fire4]);
    expect(out.fire9.dims).toEqual([1, 512, ...fire6]);
    expect(out.prob.dims).toEqual([1, 1000]);
    const prob = out.prob.data as Float32Array;
    expect(prob.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
  });

  it('vgg19-partial runs at 37×53, flooring odd sizes at each pool', async () => {
    const s = await session(importVgg19Partial());
    const out = await s.run({ image: noiseImage(53, 37) });
    await s.release();
    expect(out.relu1_2.dims).toEqual([1, 64, 37, 53]);
    expect(out.relu2_2.dims).toEqual([1, 128, 18, 26]);
    expect(out.relu3_4.dims).toEqual([1, 256, 9, 13]);
  });
});

describe('ncnn .param import is generic', () => {
  /** ncnn's original (un-optimised) form of the same graph: separate ReLU layers and a Dropout. */
  function unfused(param: string): string {
    const [magic, , ...lines] = param.trim().split('\n');
    const out: string[] = [];
    for (const line of lines) {
      const [type, name, nb, nt, ...rest] = line.trim().split(/\s+/);
      const bottoms = rest.slice(0, Number(nb));
      const tops = rest.slice(Number(nb), Number(nb) + Number(nt));
      const params = rest.slice(Number(nb) + Number(nt));
      if (type === 'Convolution' && params.includes('9=1')) {
        out.push(`Convolution ${name} 1 1 ${bottoms[0]} ${name} ${params.filter((p) => p !== '9=1').join(' ')}`);
        out.push(`ReLU relu_${name} 1 1 ${name} ${tops[0]} 0=0.000000`);
      } else if (type === 'Concat' && tops[0] === 'fire9/concat_drop9') {
        out.push(`Concat ${name} 2 1 ${bottoms.join(' ')} fire9/concat 0=0`);
        out.push('Dropout drop9 1 1 fire9/concat fire9/concat_drop9');
      } else {
        out.push(line);
      }
    }
    return `${magic}\n${out.length} ${out.length + 10}\n${out.join('\n')}\n`;
  }

  it('the original form (ReLU and Dropout layers) gives the same graph outputs as the optimised one', async () => {
    const files = squeezeNetFiles();
    const original = unfused(new TextDecoder().decode(files.param));
    expect(parseNcnnParam(original).filter((l) => l.type === 'ReLU')).toHaveLength(26);
    const info = lossInfo(catalogLossNetwork('squeezenet1.1'));
    const a = await session(importSqueezeNetNcnn(files, info));
    const b = await session(importSqueezeNetNcnn({ ...files, param: new TextEncoder().encode(original) }, info));
    const image = noiseImage(64, 64);
    const [x, y] = [await a.run({ image }), await b.run({ image })];
    await Promise.all([a.release(), b.release()]);
    expect(Object.keys(y)).toEqual(Object.keys(x));
    for (const key of Object.keys(x)) expect(y[key].data, key).toEqual(x[key].data);
  });

  it('rejects malformed or unsupported networks and weights with the reason', () => {
    const files = squeezeNetFiles();
    const info = lossInfo(catalogLossNetwork('squeezenet1.1'));
    const text = new TextDecoder().decode(files.param);
    const withParam = (param: string) => () => importSqueezeNetNcnn({ ...files, param: new TextEncoder().encode(param) }, info);
    expect(withParam('7767516\n1 1\n')).toThrow(/Expected an ncnn text \.param starting with the magic number 7767517/);
    expect(withParam(text.replace('Softmax ', 'Deconvolution '))).toThrow(/^the ncnn \.param: Unsupported layer type Deconvolution in Deconvolution prob \(line 50\)$/);
    expect(withParam(text.replace('6=1728', '6=1727'))).toThrow('conv1 (line 4): expected 64×3×3×3 = 1728 weights (64 outputs, 3 input channels) but 6= says 1727');
    const bin = files.bin;
    expect(() => importSqueezeNetNcnn({ ...files, bin: bin.subarray(0, bin.length - 4) }, info)).toThrow(/ncnn weights end early/);
    const longer = new Uint8Array(bin.length + 4);
    longer.set(bin);
    expect(() => importSqueezeNetNcnn({ ...files, bin: longer }, info)).toThrow(`Expected the ncnn weights to end at byte ${bin.length} but the file has ${bin.length + 4} bytes`);
  });
});

describe('TF.js import of a partial VGG19', () => {
  it('imports up to the last conv whose shards are present, ignoring the rest of the manifest', () => {
    const model = importVgg19Partial((shard) => shard !== 'group8-shard1of1');
    expect(model.metadataProps[METADATA_KEYS.layers]).toBe('relu1_1,relu1_2,relu2_1,relu2_2,relu3_1,relu3_2,relu3_3');
    expect(model.graph.nodes.filter((n) => n.opType === 'MaxPool').map((n) => n.outputs[0])).toEqual(['pool1', 'pool2']);
    expect(encodeModel(model).byteLength).toBeGreaterThan(6e6);
  });

  it('fails when the default layers are not among the imported ones', () => {
    expect(() => importVgg19Partial((shard) => shard !== 'group5-shard1of1')).toThrow(
      'vgg19-partial: default layer relu3_2 is not one of relu1_1, relu1_2, relu2_1, relu2_2',
    );
  });
});
