/**
 * `@pastiche/core/converters`: the importers that turn published style and loss-network weights into
 * Pastiche's ONNX models, as plain `bytes → ONNX bytes` functions with no runtime, file system or DOM, so the
 * same code runs in `npm run models`, in Node apps and in browsers.
 *
 * - {@link convertCatalogEntry}: a catalog entry and its source files → the ONNX bytes (importer by family,
 *   `pastiche.*` metadata, build stamp); {@link buildStamp} says what that model was built from.
 * - One importer per upstream format, returning a ModelProto: {@link importNcnnTransformerNet} (ncnn
 *   TransformerNet `.bin`), {@link importMl5Checkpoint} (ml5 / deeplearn.js checkpoints),
 *   {@link importSqueezeNetNcnn} (ncnn SqueezeNet `.param` + `.bin`), {@link importVgg19Tfjs} (Keras VGG19 as
 *   TF.js layers files), each with its version constant.
 * - {@link convertTflite} / {@link importTflite}: a TensorFlow Lite flatbuffer → ONNX (NCHW, free height and width,
 *   weights dequantised, int8 activations computed on their integers as the TFLite runtime does), for any file whose
 *   operators it translates; {@link TFLITE_CONVERTER_VERSION}.
 *
 * Malformed inputs are PasticheError `E_CONVERT` naming the file at fault.
 */
export { BUILD_STAMP_KEY, buildStamp, convertCatalogEntry } from './convert-catalog-entry.js';
export type { LossNetworkInfo, LossNetworkLayers } from './loss-network.js';
export { importMl5Checkpoint, ML5_IMPORTER_VERSION, type Ml5Checkpoint, type Ml5Manifest } from './ml5-checkpoint.js';
export { importNcnnTransformerNet, NCNN_IMPORTER_VERSION } from './ncnn-transformer-net.js';
export { importSqueezeNetNcnn, SQUEEZENET_IMPORTER_VERSION, SQUEEZENET_LAYERS, SQUEEZENET_PROB, type SqueezeNetFiles } from './squeezenet-ncnn.js';
export type { StyleInfo } from './style-metadata.js';
export {
  convertTflite,
  importTflite,
  isTfliteBytes,
  QUANTIZED_ACTIVATIONS,
  TFLITE_CONVERTER_VERSION,
  type QuantizedActivations,
  type TfliteConvertOptions,
} from './tflite/convert-tflite.js';
export { importVgg19Tfjs, VGG19_TFJS_IMPORTER_VERSION, type TfjsLayersFiles, type TfjsLayersModelJson } from './vgg19-tfjs.js';
