import { GraphBuilder, readFloat16, readFloat32, type ModelProto } from '../onnx/index.js';
import { convertError } from './convert-error.js';
import { conv, imageInput, imageOutput, instanceNorm, reflectPad, relu, upsample2x } from './graph-layers.js';
import { NCNN_BIN_LABEL, NCNN_FP16_TAG } from './ncnn-weights.js';
import { styleMetadata, type StyleInfo } from './style-metadata.js';

/**
 * pytorch/examples `fast_neural_style` TransformerNet from the ncnn `.bin` weights of
 * nihui/ncnn-android-styletransfer (layout in ../shared/assets/README.md).
 */

/** Bump when the generated graph changes, so that `npm run models` rebuilds. */
export const NCNN_IMPORTER_VERSION = 'ncnn-transformer-net/1';

interface ConvSpec {
  kernel: number;
  in: number;
  out: number;
  stride: number;
  /** Nearest ×2 upsampling before the padding. */
  upsample?: boolean;
  /** InstanceNorm (+ gamma, beta in the file); every conv but the last has one. */
  norm: boolean;
  relu: boolean;
}

const RESIDUAL_BLOCKS = 5;

/** The 16 convs in file order. */
const PLAN: readonly ConvSpec[] = [
  { kernel: 9, in: 3, out: 32, stride: 1, norm: true, relu: true },
  { kernel: 3, in: 32, out: 64, stride: 2, norm: true, relu: true },
  { kernel: 3, in: 64, out: 128, stride: 2, norm: true, relu: true },
  ...Array.from({ length: RESIDUAL_BLOCKS }, () => [
    { kernel: 3, in: 128, out: 128, stride: 1, norm: true, relu: true },
    { kernel: 3, in: 128, out: 128, stride: 1, norm: true, relu: false },
  ]).flat(),
  { kernel: 3, in: 128, out: 64, stride: 1, upsample: true, norm: true, relu: true },
  { kernel: 3, in: 64, out: 32, stride: 1, upsample: true, norm: true, relu: true },
  { kernel: 9, in: 32, out: 3, stride: 1, norm: false, relu: false },
];

const IN_EPSILON = 1e-5;

interface ConvWeights {
  weight: Float32Array;
  bias: Float32Array;
  gamma?: Float32Array;
  beta?: Float32Array;
}

/**
 * Reads the weights of every conv of {@link PLAN}; the file must end exactly after the last one.
 * @param file names the file in messages, e.g. `candy.bin`.
 * @throws PasticheError `E_CONVERT` naming the file when it is not such a .bin, or ends early or late.
 */
export function readNcnnWeights(bin: Uint8Array, file = NCNN_BIN_LABEL): ConvWeights[] {
  const view = new DataView(bin.buffer, bin.byteOffset, bin.byteLength);
  let offset = 0;
  const floats = (count: number, what: string): Float32Array => {
    if (offset + count * 4 > bin.byteLength) throw convertError(file, `ncnn weights end early: ${what} needs ${count * 4} bytes at ${offset}, the file has ${bin.byteLength}`);
    const out = readFloat32(bin, count, offset);
    offset += count * 4;
    return out;
  };
  const layers = PLAN.map((spec, i) => {
    const what = `conv ${i + 1}`;
    if (offset + 4 > bin.byteLength || view.getUint32(offset, true) !== NCNN_FP16_TAG) {
      throw convertError(file, `Expected the ncnn fp16 tag 0x${NCNN_FP16_TAG.toString(16)} before ${what} at byte ${offset}; not a TransformerNet .bin from ncnn-android-styletransfer`);
    }
    offset += 4;
    const count = spec.out * spec.in * spec.kernel * spec.kernel;
    if (offset + count * 2 > bin.byteLength) throw convertError(file, `ncnn weights end early in ${what}`);
    const weight = readFloat16(bin, count, offset);
    offset += Math.ceil((count * 2) / 4) * 4; // ncnn aligns each blob to 4 bytes
    const bias = floats(spec.out, `${what} bias`);
    if (!spec.norm) return { weight, bias };
    return { weight, bias, gamma: floats(spec.out, `${what} gamma`), beta: floats(spec.out, `${what} beta`) };
  });
  if (offset !== bin.byteLength) throw convertError(file, `Expected the ncnn weights to end at byte ${offset} but the file has ${bin.byteLength} bytes`);
  return layers;
}

/**
 * Builds the ONNX model (opset 17, input `input` [1,3,height,width] RGB 0..255, output `output`, unclamped)
 * from a TransformerNet `.bin`; `file` names it in messages.
 * @throws PasticheError `E_CONVERT` naming the file when it is not such a .bin, or is truncated.
 */
export function importNcnnTransformerNet(bin: Uint8Array, info: StyleInfo, file = NCNN_BIN_LABEL): ModelProto {
  const weights = readNcnnWeights(bin, file);
  const g = new GraphBuilder(`${info.name}-transformer-net`);
  let x = imageInput(g);
  let residual = '';
  PLAN.forEach((spec, i) => {
    const w = weights[i];
    const name = `conv${i + 1}`;
    const isLast = i === PLAN.length - 1;
    // Layers 4..13 pair into residual blocks; remember each block's input.
    const inBlock = i >= 3 && i < 3 + 2 * RESIDUAL_BLOCKS;
    if (inBlock && (i - 3) % 2 === 0) residual = x;
    if (spec.upsample) x = upsample2x(g, x);
    x = reflectPad(g, x, Math.floor(spec.kernel / 2));
    x = conv(g, x, {
      name,
      weight: w.weight,
      weightDims: [spec.out, spec.in, spec.kernel, spec.kernel],
      bias: w.bias,
      stride: spec.stride,
      output: isLast ? 'output' : undefined,
    });
    if (w.gamma && w.beta) x = instanceNorm(g, x, `${name}.norm`, w.gamma, w.beta, IN_EPSILON);
    if (spec.relu) x = relu(g, x);
    if (inBlock && (i - 3) % 2 === 1) x = g.node('Add', [residual, x])[0];
  });
  imageOutput(g, x);
  return g.toModel({ metadata: styleMetadata(info), docString: `${info.title}: fast style transfer (Johnson et al. 2016), from ${info.source}` });
}
