import { GraphBuilder, TensorDataType, type ModelProto } from '../onnx/index.js';
import { convertError } from './convert-error.js';
import {
  checkLayers,
  featureOutput,
  foldPreprocessing,
  lossNetworkInput,
  lossNetworkMetadata,
  type LossNetworkInfo,
  type LossNetworkLayers,
} from './loss-network.js';
import { addNcnnLayers } from './ncnn-graph.js';
import { NCNN_PARAM_LABEL, parseNcnnParam } from './ncnn-param.js';
import { NCNN_BIN_LABEL, NcnnWeights } from './ncnn-weights.js';

/**
 * DeepScale SqueezeNet 1.1 as a loss network, from ncnn's `squeezenet_v1.1.param` / `.bin` (the ImageNet
 * classifier of the ncnn examples; layout in ../shared/assets/README.md). The .param is read generically,
 * so both ncnn's original graph (separate ReLU and Dropout layers) and its optimised form (ReLU fused into
 * the convs, no Dropout) import to the same ONNX graph.
 */

/** Bump when the generated graph changes, so that `npm run models` rebuilds. */
export const SQUEEZENET_IMPORTER_VERSION = 'squeezenet-ncnn/2';

/** ncnn blob → ONNX tensor name of the layers users pick, and of the classifier. */
const BLOB_NAMES: Readonly<Record<string, string>> = {
  conv1_relu_conv1: 'conv1',
  ...Object.fromEntries([2, 3, 4, 5, 6, 7, 8, 9].map((i) => [`fire${i}/concat`, `fire${i}`])),
  // fire9's concat output is `fire9/concat_drop9` when ncnnoptimize has removed the Dropout layer.
  'fire9/concat_drop9': 'fire9',
  conv10_relu_conv10: 'conv10',
  pool10: 'pool10',
  prob: 'prob',
};

/**
 * The layers, and defaults from the CS231n style-transfer exercise, which uses torchvision's
 * `squeezenet1_1.features` with content layer 3 and style layers 1, 4, 6, 7. In that indexing 0 is conv1,
 * 1 its ReLU (our `conv1`), 2 a max pool, 3 fire2, 4 fire3, 5 a max pool, 6 fire4, 7 fire5.
 */
export const SQUEEZENET_LAYERS: LossNetworkLayers = {
  layers: ['conv1', 'fire2', 'fire3', 'fire4', 'fire5', 'fire6', 'fire7', 'fire8', 'fire9'],
  defaultContentLayers: ['fire2'],
  defaultStyleLayers: ['conv1', 'fire3', 'fire4', 'fire5'],
};

/** ImageNet class probabilities [1, 1000], the softmax of `pool10`. */
export const SQUEEZENET_PROB = 'prob';
const CLASSES = 1000;

export interface SqueezeNetFiles {
  /** `squeezenet_v1.1.param`, ncnn's text network description. */
  param: Uint8Array;
  /** `squeezenet_v1.1.bin`, its weights. */
  bin: Uint8Array;
  /** The two files' names, for messages. @default { param: 'the ncnn .param', bin: 'the ncnn .bin' } */
  names?: { param: string; bin: string };
}

/**
 * Builds the ONNX model: opset 17, input `image` [1, 3, height, width] RGB 0..255 (any size ≥ 32; 227×227
 * for classification), outputs the layer tensors of {@link SQUEEZENET_LAYERS} and `prob`.
 * @throws PasticheError `E_CONVERT` naming the .param or the .bin at fault.
 */
export function importSqueezeNetNcnn(files: SqueezeNetFiles, info: LossNetworkInfo): ModelProto {
  const { param: paramFile, bin: binFile } = files.names ?? { param: NCNN_PARAM_LABEL, bin: NCNN_BIN_LABEL };
  const layers = parseNcnnParam(new TextDecoder().decode(files.param), paramFile);
  const weights = new NcnnWeights(files.bin, binFile);
  const g = new GraphBuilder(info.name);
  // ncnn's SqueezeNet takes BGR 0..255 minus the Caffe mean (104, 117, 123) in B, G, R order.
  const input = foldPreprocessing(g, lossNetworkInput(g), { swapRedBlue: true, mean: [104, 117, 123] });
  // The .param pads the 1×1 conv10 by 1, which only adds bias-only border pixels to the global average;
  // torchvision's squeezenet1_1 (and the PyTorch goldens) run it unpadded, and so do we. Feature layers are unaffected.
  const blobs = addNcnnLayers(g, layers, weights, { input, names: BLOB_NAMES, unpadded: ['conv10'], paramFile });
  weights.finish();

  const tensors = new Map([...blobs.values()].map((v) => [v.name, v]));
  checkLayers(paramFile, SQUEEZENET_LAYERS, (name) => tensors.has(name));
  for (const name of SQUEEZENET_LAYERS.layers) featureOutput(g, name, tensors.get(name)!.channels);
  if (tensors.get(SQUEEZENET_PROB)?.channels !== CLASSES) throw convertError(paramFile, `Expected a ${CLASSES}-class ${SQUEEZENET_PROB} output`);
  g.output(SQUEEZENET_PROB, TensorDataType.FLOAT, [1, CLASSES]);

  return g.toModel({
    metadata: lossNetworkMetadata(info, SQUEEZENET_LAYERS),
    docString:
      `${info.title}: ImageNet classifier used as a perceptual-loss network, from ${info.source}. ` +
      'Input RGB 0..255; the BGR mean subtraction is the first 1x1 Conv.',
  });
}
