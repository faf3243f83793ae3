import { elementCount, GraphBuilder, readFloat32, type ModelProto } from '../onnx/index.js';
import { convertError, isRecord } from './convert-error.js';
import { conv, imageInput, imageOutput, instanceNorm, relu, scalar } from './graph-layers.js';
import { styleMetadata, type StyleInfo } from './style-metadata.js';

/**
 * lengstrom/fast-style-transfer nets from the deeplearn.js checkpoints of ml5js/ml5-data-and-models
 * (`manifest.json` + raw float32 `Variable*` files; layout in ../shared/assets/README.md), exported NCHW.
 */

/** Bump when the generated graph changes, so that `npm run models` rebuilds. */
export const ML5_IMPORTER_VERSION = 'ml5-checkpoint/1';

/** `manifest.json`: variable name → file name and shape. */
export type Ml5Manifest = Record<string, { filename: string; shape: number[] }>;

export interface Ml5Checkpoint {
  /** The parsed `manifest.json`; checked here, so it may come straight from JSON.parse. */
  manifest: Ml5Manifest;
  /** The bytes of one file named in the manifest (throw to say it is missing). */
  read(filename: string): Uint8Array;
}

/** The manifest's name in messages. */
const MANIFEST = 'manifest.json';

interface LayerSpec {
  kernel: number;
  out: number;
  stride: number;
  transpose?: boolean;
  relu: boolean;
}

const RESIDUAL_BLOCKS = 5;

/** The 16 layers in variable order (kernel, IN shift, IN scale each). */
const PLAN: readonly LayerSpec[] = [
  { kernel: 9, out: 32, stride: 1, relu: true },
  { kernel: 3, out: 64, stride: 2, relu: true },
  { kernel: 3, out: 128, stride: 2, relu: true },
  ...Array.from({ length: RESIDUAL_BLOCKS }, () => [
    { kernel: 3, out: 128, stride: 1, relu: true },
    { kernel: 3, out: 128, stride: 1, relu: false },
  ]).flat(),
  { kernel: 3, out: 64, stride: 2, transpose: true, relu: true },
  { kernel: 3, out: 32, stride: 2, transpose: true, relu: true },
  { kernel: 9, out: 3, stride: 1, relu: false },
];

const IN_EPSILON = 1e-3;
/** `tanh(x) * 150 + 255 / 2`, the net's output scaling. */
const OUTPUT_SCALE = 150;
const OUTPUT_OFFSET = 127.5;

const variableName = (index: number) => (index === 0 ? 'Variable' : `Variable_${index}`);

function readVariable(ckpt: Ml5Checkpoint, index: number, shape: readonly number[]): Float32Array {
  const name = variableName(index);
  const entry: unknown = ckpt.manifest[name];
  if (entry === undefined) throw convertError(MANIFEST, `Expected a variable ${name} but the manifest lacks it`);
  if (!isRecord(entry) || typeof entry.filename !== 'string' || !Array.isArray(entry.shape)) {
    throw convertError(MANIFEST, `Expected ${name} to be { filename, shape } but found ${JSON.stringify(entry)?.slice(0, 80)}`);
  }
  if (entry.shape.join(',') !== shape.join(',')) {
    throw convertError(MANIFEST, `Expected ${name} of shape [${shape.join(', ')}] but the manifest says [${entry.shape.join(', ')}]`);
  }
  const bytes = ckpt.read(entry.filename);
  const count = elementCount(shape);
  if (bytes.byteLength !== count * 4) throw convertError(entry.filename, `Expected ${count * 4} bytes (${name}, float32 [${shape.join(', ')}]) but found ${bytes.byteLength}`);
  return readFloat32(bytes, count);
}

/**
 * TensorFlow kernels are [kh, kw, a, b]; ONNX wants [b, a, kh, kw] for both of our cases: Conv's OIHW from
 * HWIO, and ConvTranspose's [in, out, kh, kw] from conv2d_transpose's [kh, kw, out, in]. No flip: both
 * frameworks correlate.
 */
function tfKernelToOnnx(data: Float32Array, [kh, kw, a, b]: readonly number[]): Float32Array {
  const out = new Float32Array(data.length);
  for (let y = 0; y < kh; y++)
    for (let x = 0; x < kw; x++)
      for (let i = 0; i < a; i++)
        for (let o = 0; o < b; o++) out[((o * a + i) * kh + y) * kw + x] = data[((y * kw + x) * a + i) * b + o];
  return out;
}

/**
 * TensorFlow "SAME" padding as [top, left, bottom, right] for sides divisible by the stride: total k - s,
 * the odd pixel at the bottom/right. It is also conv2d_transpose's SAME crop for an output of stride × input.
 */
function samePads(kernel: number, stride: number): [number, number, number, number] {
  const total = Math.max(kernel - stride, 0);
  const begin = Math.floor(total / 2);
  return [begin, begin, total - begin, total - begin];
}

/**
 * Builds the ONNX model (opset 17, input `input` [1,3,height,width] RGB 0..255, output `output` clamped to
 * 0..255 as ml5 does). Height and width must be multiples of 4 for SAME padding to match TensorFlow's.
 * @throws PasticheError `E_CONVERT` naming manifest.json or the variable file at fault.
 */
export function importMl5Checkpoint(ckpt: Ml5Checkpoint, info: StyleInfo): ModelProto {
  if (!isRecord(ckpt.manifest)) throw convertError(MANIFEST, `Expected an object of variables but found ${JSON.stringify(ckpt.manifest)?.slice(0, 80)}`);
  const g = new GraphBuilder(`${info.name}-ml5-transform-net`);
  let x = imageInput(g);
  let channels = 3;
  let residual = '';
  PLAN.forEach((spec, i) => {
    const name = `layer${i + 1}`;
    const kernelShape = spec.transpose
      ? [spec.kernel, spec.kernel, spec.out, channels]
      : [spec.kernel, spec.kernel, channels, spec.out];
    const kernel = readVariable(ckpt, 3 * i, kernelShape);
    const shift = readVariable(ckpt, 3 * i + 1, [spec.out]);
    const scale = readVariable(ckpt, 3 * i + 2, [spec.out]);
    const inBlock = i >= 3 && i < 3 + 2 * RESIDUAL_BLOCKS;
    if (inBlock && (i - 3) % 2 === 0) residual = x;
    x = conv(g, x, {
      name,
      weight: tfKernelToOnnx(kernel, kernelShape),
      weightDims: spec.transpose ? [channels, spec.out, spec.kernel, spec.kernel] : [spec.out, channels, spec.kernel, spec.kernel],
      stride: spec.stride,
      pads: samePads(spec.kernel, spec.stride),
      transpose: spec.transpose,
    });
    x = instanceNorm(g, x, `${name}.norm`, scale, shift, IN_EPSILON);
    if (spec.relu) x = relu(g, x);
    if (inBlock && (i - 3) % 2 === 1) x = g.node('Add', [residual, x])[0];
    channels = spec.out;
  });
  [x] = g.node('Tanh', [x]);
  [x] = g.node('Mul', [x, scalar(g, 'output_scale', OUTPUT_SCALE)]);
  [x] = g.node('Add', [x, scalar(g, 'output_offset', OUTPUT_OFFSET)]);
  [x] = g.node('Clip', [x, scalar(g, 'clip_min', 0), scalar(g, 'clip_max', 255)], ['output']);
  imageOutput(g, x);
  return g.toModel({
    metadata: styleMetadata(info),
    docString: `${info.title}: fast style transfer (lengstrom/fast-style-transfer design), from ${info.source}`,
  });
}
