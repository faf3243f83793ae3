import { PasticheError } from '../errors.js';
import { TensorDataType, type Dim, type ModelProto, type ValueInfoProto } from '../onnx/onnx-types.js';
import { MAX_IMAGE_SIDE } from '../image/resize.js';
import type { TensorLayout } from '../image/tensor-conventions.js';

/** What Pastiche learned about one image tensor of a model from its graph. */
export interface ImageTensorSignature {
  name: string;
  dims: readonly Dim[];
  /** Layout guessed from where the 3-channel axis sits; undefined when both positions are possible. */
  layout: TensorLayout | undefined;
  /** Whether the tensor has a leading batch dimension (rank 4). */
  batch: boolean;
}

export interface ModelSignature {
  input: ImageTensorSignature;
  output: ImageTensorSignature;
}

const FLOAT_TYPES = new Set<number>([TensorDataType.FLOAT, TensorDataType.FLOAT16, 0]);

function describeDims(dims: readonly Dim[] | undefined): string {
  return dims ? `[${dims.map((d) => (d === null ? '?' : String(d))).join(',')}]` : 'unknown rank';
}

function imageTensor(value: ValueInfoProto, role: 'input' | 'output'): ImageTensorSignature {
  const dims = value.shape;
  const fail = (why: string) =>
    new PasticheError(
      'E_MODEL_SIGNATURE',
      `Model ${role} '${value.name}' ${why}; an image-to-image style model takes and returns one float image ` +
        `tensor [1,3,H,W] (NCHW) or [1,H,W,3] (NHWC), optionally without the batch dimension. ` +
        `Check that this file is a style-transfer network.`,
    );
  if (!FLOAT_TYPES.has(value.elemType)) throw fail(`has element type ${value.elemType}, not float`);
  if (!dims) return { name: value.name, dims: [1, 3, 'height', 'width'], layout: undefined, batch: true };
  if (dims.length !== 3 && dims.length !== 4) throw fail(`has shape ${describeDims(dims)} of rank ${dims.length}`);
  const batch = dims.length === 4;
  if (batch && typeof dims[0] === 'number' && dims[0] !== 1) throw fail(`has a fixed batch size of ${dims[0]}`);
  const first = dims[batch ? 1 : 0];
  const last = dims[dims.length - 1];
  const firstIs3 = first === 3;
  const lastIs3 = last === 3;
  // A fixed side over the largest image side would be tiled or padded to without bound (2³¹ − 1 allocated for minutes).
  const huge = dims.find((d) => typeof d === 'number' && d > MAX_IMAGE_SIDE);
  if (huge !== undefined) throw fail(`has shape ${describeDims(dims)}, a fixed side of ${huge} pixels over MAX_IMAGE_SIDE (${MAX_IMAGE_SIDE})`);
  const canBeChannels = (d: Dim) => d === 3 || d === null || typeof d === 'string';
  if (!canBeChannels(first) && !canBeChannels(last)) throw fail(`has shape ${describeDims(dims)} with no 3-channel axis`);
  const layout: TensorLayout | undefined =
    firstIs3 && !lastIs3 ? 'NCHW' : lastIs3 && !firstIs3 ? 'NHWC' : undefined;
  return { name: value.name, dims, layout, batch };
}

/**
 * Finds the one image input and the image output of a style model, or explains why the graph
 * cannot be an image-to-image network.
 */
export function inferSignature(model: ModelProto): ModelSignature {
  const initializers = new Set(model.graph.initializers.map((t) => t.name));
  const inputs = model.graph.inputs.filter((i) => !initializers.has(i.name));
  if (inputs.length !== 1) {
    throw new PasticheError(
      'E_MODEL_SIGNATURE',
      `Expected a model with exactly one image input but it has ${inputs.length}` +
        (inputs.length ? ` (${inputs.map((i) => `'${i.name}'`).join(', ')})` : '') +
        '. Export the style network with a single image input.',
    );
  }
  const output = model.graph.outputs[0];
  if (!output) throw new PasticheError('E_MODEL_SIGNATURE', 'Expected a model with an image output but it has no outputs.');
  return { input: imageTensor(inputs[0], 'input'), output: imageTensor(output, 'output') };
}

/** The fixed height and width of an image tensor in a given layout, when both are numbers. */
export function fixedImageSize(sig: ImageTensorSignature, layout: TensorLayout): { width: number; height: number } | undefined {
  const spatial = sig.batch ? sig.dims.slice(1) : sig.dims;
  const [h, w] = layout === 'NCHW' ? [spatial[1], spatial[2]] : [spatial[0], spatial[1]];
  return typeof h === 'number' && typeof w === 'number' && h > 0 && w > 0 ? { width: w, height: h } : undefined;
}

/** Throws when the tensor's channel axis, under the resolved layout, is a fixed number other than 3. */
export function assertThreeChannels(sig: ImageTensorSignature, layout: TensorLayout, role: 'input' | 'output'): void {
  const spatial = sig.batch ? sig.dims.slice(1) : sig.dims;
  const channels = layout === 'NCHW' ? spatial[0] : spatial[2];
  if (typeof channels === 'number' && channels !== 3) {
    throw new PasticheError(
      'E_MODEL_SIGNATURE',
      `Model ${role} '${sig.name}' has ${channels} channels in layout ${layout} (shape ${describeDims(sig.dims)}); expected 3. ` +
        `If the model is ${layout === 'NCHW' ? 'NHWC' : 'NCHW'}, pass that layout in the options or its metadata.`,
    );
  }
}
