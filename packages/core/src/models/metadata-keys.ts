/**
 * ONNX `metadata_props` keys that Pastiche reads and its importers write. Documented in the README
 * ("Bring your own model"); any exporter can set them. Options override them; missing keys fall back
 * to {@link DEFAULT_TENSOR_CONVENTIONS}.
 */
export const METADATA_KEYS = {
  /** Short identifier, e.g. `candy`. */
  name: 'pastiche.name',
  /** Human title, e.g. `Candy`. */
  title: 'pastiche.title',
  /** Where the weights come from (URL or citation). */
  source: 'pastiche.source',
  /** SPDX identifier or short licence text. */
  license: 'pastiche.license',
  /**
   * `style-transfer` (image → image), `loss-network` (image → features, input RGB 0..255 NCHW), or the arbitrary-style
   * method's `style-predictor` (image → style vector) and `arbitrary-style-transfer` (image + style vector → image).
   */
  kind: 'pastiche.kind',
  /** Height and width must be multiples of this for the output to keep the input's size, e.g. `4`. */
  sizeMultiple: 'pastiche.size_multiple',
  inputLayout: 'pastiche.input.layout',
  inputRange: 'pastiche.input.range',
  inputChannelOrder: 'pastiche.input.channel_order',
  /** Three comma-separated numbers in the tensor's channel order, e.g. `104,117,123`. */
  inputMean: 'pastiche.input.mean',
  inputStd: 'pastiche.input.std',
  /** Output keys default to the input's value when absent. */
  outputLayout: 'pastiche.output.layout',
  outputRange: 'pastiche.output.range',
  outputChannelOrder: 'pastiche.output.channel_order',
  outputMean: 'pastiche.output.mean',
  outputStd: 'pastiche.output.std',
  /** Loss networks: every tensor a user may pick as a content or style layer, comma-separated, in network order. */
  layers: 'pastiche.layers',
  /** Loss networks: the content layers used when none are given. */
  defaultContentLayers: 'pastiche.default_content_layers',
  /** Loss networks: the style layers used when none are given. */
  defaultStyleLayers: 'pastiche.default_style_layers',
  /** Models converted from another format: that format, e.g. `tflite`. */
  sourceFormat: 'pastiche.source.format',
  /** The original model's tensor layout, e.g. `NHWC` (the converted model's is in `pastiche.input.layout`). */
  sourceLayout: 'pastiche.source.layout',
  /** The original model's input names as a JSON array, in the converted model's input order. */
  sourceInputs: 'pastiche.source.inputs',
  /** The original model's output names as a JSON array, in the converted model's output order. */
  sourceOutputs: 'pastiche.source.outputs',
} as const;

export type MetadataKey = keyof typeof METADATA_KEYS;
