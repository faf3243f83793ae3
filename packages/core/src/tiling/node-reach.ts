import { tensorNumbers } from '../onnx/constant-values.js';
import { intsAttribute, type GraphIndex } from './graph-index.js';

const isDefaultDomain = (domain: string) => domain === '' || domain === 'ai.onnx';

/** A node's spatial scale factor (output over input), from its attributes or constant inputs; undefined if unknown. */
function scaleFactor(index: GraphIndex, node: GraphIndex['nodes'][number]): number | undefined {
  const first = (values: number[] | undefined) => (values && values.length > 0 ? values : undefined);
  switch (node.opType) {
    case 'Conv':
    case 'MaxPool':
    case 'AveragePool':
    case 'LpPool':
      return 1 / (first(intsAttribute(node, 'strides'))?.[0] ?? 1);
    case 'ConvTranspose':
      return first(intsAttribute(node, 'strides'))?.[0] ?? 1;
    case 'DepthToSpace':
      return intsAttribute(node, 'blocksize')?.[0] ?? 2;
    case 'SpaceToDepth':
      return 1 / (intsAttribute(node, 'blocksize')?.[0] ?? 2);
    case 'Resize':
    case 'Upsample': {
      // Scales: Upsample-7's attribute, Upsample-9 and Resize-10's second input, Resize-11+'s third.
      const attribute = node.attributes.find((a) => a.name === 'scales')?.floats;
      const input = node.inputs[node.opType === 'Resize' && index.opset >= 11 ? 2 : 1];
      const tensor = input ? index.constantTensor(input) : undefined;
      const scales = attribute ?? (tensor ? tensorNumbers(tensor) : undefined);
      return scales && scales.length >= 3 ? scales[scales.length - 2] : undefined;
    }
    default:
      return 1;
  }
}

/**
 * How far, in pixels of the input image, each node's output reaches beyond the positions of its input: half a kernel's
 * extent (rounded up) plus an output pixel for convolutions and pooling, the coarser pixel for resampling, 0 for
 * pointwise nodes. With the scale of each value (its size over the input's),
 * propagated from the image through strides and resize factors, where the probe did not measure it. Summed along a
 * path, it bounds how far a tile's edge can corrupt values inward.
 */
export function nodeReach(index: GraphIndex): number[] {
  const scale = new Map<string, number>([[index.input, 1]]);
  return index.nodes.map((node) => {
    const known = node.inputs.filter((v) => v !== '' && !index.isTileInvariant(v)).map((v) => scale.get(v) ?? 1);
    const inScale = known.length > 0 ? Math.min(...known) : 1;
    const factor = isDefaultDomain(node.domain) ? scaleFactor(index, node) : 1;
    const outScale = inScale * (factor ?? 2);
    for (const v of node.outputs) if (v !== '' && !index.isTileInvariant(v)) scale.set(v, outScale);
    // What does not depend on the image (a convolution of a style vector) reaches no pixel.
    if (!isDefaultDomain(node.domain) || known.length === 0) return 0;
    // Half the kernel's extent on the grid it slides over (the input's; a transposed convolution's output), plus one
    // pixel of the other grid: an output pixel whose window touches a corrupted input is corrupted in all its area.
    const kernel = (grid: number, other: number) => {
      const shape = intsAttribute(node, 'kernel_shape') ?? index.constantTensor(node.inputs[1])?.dims.slice(2);
      const dilation = intsAttribute(node, 'dilations')?.[0] ?? 1;
      return Math.ceil(((Math.max(0, ...(shape ?? [3])) - 1) * dilation) / 2) / grid + 1 / other;
    };
    switch (node.opType) {
      case 'ConvTranspose':
        return kernel(outScale, inScale);
      case 'Conv':
      case 'MaxPool':
      case 'AveragePool':
      case 'LpPool':
        return kernel(inScale, outScale);
      case 'Resize':
      case 'Upsample':
      case 'DepthToSpace':
      case 'SpaceToDepth':
        return 1 / Math.min(inScale, outScale);
      default:
        return 0;
    }
  });
}
