import { attr, elementCount, GraphBuilder, readFloat32, type ModelProto } from '../onnx/index.js';
import { PasticheError } from '../errors.js';
import { convertError, isRecord } from './convert-error.js';
import { conv } from './graph-layers.js';
import {
  checkLayers,
  featureOutput,
  foldPreprocessing,
  lossNetworkInput,
  lossNetworkMetadata,
  type LossNetworkInfo,
  type LossNetworkLayers,
} from './loss-network.js';

/**
 * Keras VGG19 (ImageNet) as a loss network, from TF.js layers files: `model.json` (Keras topology and
 * `weightsManifest`) and its weight shards. The conv layers are imported in order up to the last one whose
 * shards are present, so a partial copy (only the first 8 convs, as in ../shared/assets) gives a partial
 * network; the classifier (Flatten, Dense) is never imported.
 */

/** Bump when the generated graph changes, so that `npm run models` rebuilds. */
export const VGG19_TFJS_IMPORTER_VERSION = 'vgg19-tfjs/1';

/** Content relu3_2 as in Gatys et al. (relu2_2, Johnson et al.'s choice, works too); style relu1_1, relu2_1, relu3_1. */
const DEFAULT_CONTENT_LAYERS = ['relu3_2'];
const DEFAULT_STYLE_LAYERS = ['relu1_1', 'relu2_1', 'relu3_1'];

/** Keras "caffe" preprocessing: BGR 0..255 minus the ImageNet mean in B, G, R order. */
const KERAS_CAFFE_MEAN = [103.939, 116.779, 123.68] as const;

interface KerasLayer {
  name: string;
  class_name: string;
  config: Record<string, unknown>;
  inbound_nodes?: unknown[];
}

interface WeightsManifestGroup {
  paths: string[];
  weights: { name: string; shape: number[]; dtype: string; quantization?: unknown }[];
}

/** The parts of a TF.js layers `model.json` this importer reads. */
export interface TfjsLayersModelJson {
  modelTopology: {
    model_config?: { class_name: string; config: { layers: KerasLayer[] } };
    config?: { layers: KerasLayer[] };
    class_name?: string;
  };
  weightsManifest: WeightsManifestGroup[];
}

export interface TfjsLayersFiles {
  /** The parsed `model.json`; checked here, so it may come straight from JSON.parse. */
  model: TfjsLayersModelJson;
  /** The bytes of one shard named in the manifest, or undefined when the copy lacks it. */
  read(path: string): Uint8Array | undefined;
}

/** The model file's name in messages. */
const MODEL_JSON = 'model.json';

const isWeightsGroup = (group: unknown): group is WeightsManifestGroup =>
  isRecord(group) &&
  Array.isArray(group.paths) &&
  group.paths.every((p) => typeof p === 'string') &&
  Array.isArray(group.weights) &&
  group.weights.every((w) => isRecord(w) && typeof w.name === 'string' && Array.isArray(w.shape) && w.shape.every(Number.isInteger));

/** Weight name → values, for every manifest group whose shards are all present. */
function availableWeights(files: TfjsLayersFiles): Map<string, { shape: number[]; data: Float32Array }> {
  const weights = new Map<string, { shape: number[]; data: Float32Array }>();
  const manifest: unknown = isRecord(files.model) ? files.model.weightsManifest : undefined;
  if (!Array.isArray(manifest)) throw convertError(MODEL_JSON, 'Expected a TF.js layers model.json with a weightsManifest array');
  manifest.forEach((group: unknown, g) => {
    if (!isWeightsGroup(group)) throw convertError(MODEL_JSON, `Expected weightsManifest[${g}] to be { paths, weights: [{ name, shape, dtype }] }`);
    const shards = group.paths.map((path) => files.read(path));
    if (shards.some((s) => !s)) return; // a missing shard only makes its layers unavailable
    const bytes = new Uint8Array(shards.reduce((n, s) => n + s!.byteLength, 0));
    let offset = 0;
    for (const s of shards) {
      bytes.set(s!, offset);
      offset += s!.byteLength;
    }
    offset = 0;
    for (const w of group.weights) {
      if (w.dtype !== 'float32' || w.quantization) throw convertError(MODEL_JSON, `Unsupported TF.js weight ${w.name}: only unquantized float32 can be imported`);
      const count = elementCount(w.shape);
      if (offset + count * 4 > bytes.byteLength) {
        throw convertError(group.paths.join(' + '), `TF.js weight group ${g + 1} has ${bytes.byteLength} bytes, too few for ${w.name} at byte ${offset}`);
      }
      weights.set(w.name, { shape: w.shape, data: readFloat32(bytes, count, offset) });
      offset += count * 4;
    }
    if (offset !== bytes.byteLength) throw convertError(group.paths.join(' + '), `TF.js weight group ${g + 1} has ${bytes.byteLength} bytes but its weights take ${offset}`);
  });
  return weights;
}

function kerasLayers(model: TfjsLayersModelJson): KerasLayer[] {
  const topology = (isRecord(model) ? model.modelTopology : undefined) as TfjsLayersModelJson['modelTopology'] | undefined;
  const layers = topology?.model_config?.config?.layers ?? topology?.config?.layers;
  if (!Array.isArray(layers)) throw convertError(MODEL_JSON, 'Expected a TF.js layers model.json with modelTopology.model_config.config.layers');
  return layers;
}

/** The single inbound layer of a layer in a plain chain. */
function inbound(layer: KerasLayer): string | undefined {
  const nodes = layer.inbound_nodes as [string, number, number, unknown][][] | undefined;
  if (!nodes?.length) return undefined;
  if (nodes.length !== 1 || nodes[0].length !== 1) throw convertError(MODEL_JSON, `Expected Keras layer ${layer.name} to have one input (a plain chain of layers)`);
  return nodes[0][0][0];
}

/** `block{b}_conv{c}` → relu{b}_{c} (conv{b}_{c} before the ReLU), `block{b}_pool` → pool{b}. */
function vggName(keras: string, kind: 'conv' | 'relu' | 'pool'): string {
  const match = /^block(\d+)_(conv|pool)(\d*)$/.exec(keras);
  if (!match) return kind === 'relu' ? `${keras}_relu` : keras;
  return kind === 'pool' ? `pool${match[1]}` : `${kind}${match[1]}_${match[3]}`;
}

const pair = (value: unknown, what: string): [number, number] => {
  if (!Array.isArray(value) || value.length !== 2 || !value.every(Number.isInteger)) throw convertError(MODEL_JSON, `Expected two integers for ${what}`);
  return [value[0], value[1]];
};

/**
 * Builds the ONNX model: opset 17, input `image` [1, 3, height, width] RGB 0..255, outputs `relu{b}_{c}`
 * after every imported conv (max pools named `pool{b}` in between).
 * @throws PasticheError `E_CONVERT` naming model.json or the shards at fault.
 */
export function importVgg19Tfjs(files: TfjsLayersFiles, info: LossNetworkInfo): ModelProto {
  const layers = kerasLayers(files.model);
  const weights = availableWeights(files);
  const hasWeights = (layer: KerasLayer) => weights.has(`${layer.name}/kernel`);

  // Import up to the last conv of the unbroken run of convs whose weights are present.
  let end = 0;
  for (let i = 0; i < layers.length; i++) {
    const { class_name: kind } = layers[i];
    if (kind === 'Conv2D' && !hasWeights(layers[i])) break;
    if (kind !== 'InputLayer' && kind !== 'Conv2D' && kind !== 'MaxPooling2D') break;
    if (kind === 'Conv2D') end = i + 1;
  }
  if (end === 0) throw new PasticheError('E_CONVERT', `${info.name}: the TF.js files hold the weights of no conv layer`);

  const g = new GraphBuilder(info.name);
  let x = foldPreprocessing(g, lossNetworkInput(g), { swapRedBlue: true, mean: KERAS_CAFFE_MEAN });
  let channels = 3;
  let previous: string | undefined;
  const relus: { name: string; channels: number }[] = [];
  for (const layer of layers.slice(0, end)) {
    const from = inbound(layer);
    if (previous !== undefined && from !== previous) throw convertError(MODEL_JSON, `Expected Keras layer ${layer.name} to follow ${previous} but it reads ${from}`);
    previous = layer.name;
    const c = layer.config;
    if (c.data_format !== undefined && c.data_format !== 'channels_last') throw convertError(MODEL_JSON, `Unsupported data_format ${String(c.data_format)} in ${layer.name}`);

    if (layer.class_name === 'InputLayer') continue;
    if (layer.class_name === 'MaxPooling2D') {
      const [kh, kw] = pair(c.pool_size, `${layer.name} pool_size`);
      const [sh, sw] = pair(c.strides ?? c.pool_size, `${layer.name} strides`);
      if (c.padding !== 'valid') throw convertError(MODEL_JSON, `Unsupported padding ${String(c.padding)} in ${layer.name}`);
      x = g.node('MaxPool', [x], [vggName(layer.name, 'pool')], { kernel_shape: attr.ints([kh, kw]), strides: attr.ints([sh, sw]) }, layer.name)[0];
      continue;
    }

    // Conv2D: HWIO kernel [kh, kw, in, out] → OIHW.
    const kernel = weights.get(`${layer.name}/kernel`)!;
    const [kh, kw, inC, outC] = kernel.shape;
    if (inC !== channels) throw convertError(MODEL_JSON, `${layer.name} expects ${inC} input channels but its input has ${channels}`);
    const [sh, sw] = pair(c.strides, `${layer.name} strides`);
    if (sh !== 1 || sw !== 1) throw convertError(MODEL_JSON, `Unsupported strides ${sh}×${sw} in ${layer.name}`);
    if (c.dilation_rate !== undefined && pair(c.dilation_rate, `${layer.name} dilation_rate`).some((d) => d !== 1)) throw convertError(MODEL_JSON, `Unsupported dilation in ${layer.name}`);
    let pads: [number, number, number, number] = [0, 0, 0, 0];
    if (c.padding === 'same') {
      if (kh % 2 === 0 || kw % 2 === 0) throw convertError(MODEL_JSON, `Unsupported "same" padding with an even kernel in ${layer.name}`);
      pads = [(kh - 1) / 2, (kw - 1) / 2, (kh - 1) / 2, (kw - 1) / 2];
    } else if (c.padding !== 'valid') {
      throw convertError(MODEL_JSON, `Unsupported padding ${String(c.padding)} in ${layer.name}`);
    }
    const oihw = new Float32Array(kernel.data.length);
    for (let h = 0; h < kh; h++)
      for (let w = 0; w < kw; w++)
        for (let i = 0; i < inC; i++)
          for (let o = 0; o < outC; o++) oihw[((o * inC + i) * kh + h) * kw + w] = kernel.data[((h * kw + w) * inC + i) * outC + o];
    const bias = c.use_bias === false ? undefined : weights.get(`${layer.name}/bias`)?.data;
    if (c.use_bias !== false && !bias) throw convertError(MODEL_JSON, `The TF.js files lack ${layer.name}/bias`);
    x = conv(g, x, { name: layer.name, weight: oihw, weightDims: [outC, inC, kh, kw], bias, stride: 1, pads, output: vggName(layer.name, 'conv') });
    channels = outC;
    if (c.activation === 'relu') {
      x = g.node('Relu', [x], [vggName(layer.name, 'relu')])[0];
      relus.push({ name: x, channels });
    } else if (c.activation !== 'linear') {
      throw convertError(MODEL_JSON, `Unsupported activation ${String(c.activation)} in ${layer.name}`);
    }
  }

  const vggLayers: LossNetworkLayers = {
    layers: relus.map((r) => r.name),
    defaultContentLayers: DEFAULT_CONTENT_LAYERS,
    defaultStyleLayers: DEFAULT_STYLE_LAYERS,
  };
  checkLayers(info.name, vggLayers, (name) => g.has(name));
  for (const r of relus) featureOutput(g, r.name, r.channels);
  return g.toModel({
    metadata: lossNetworkMetadata(info, vggLayers),
    docString:
      `${info.title}: VGG19 conv layers (ImageNet) as a perceptual-loss network, from ${info.source}. ` +
      'Input RGB 0..255; the BGR mean subtraction is the first 1x1 Conv.',
  });
}
