import type { Tensor } from 'onnxruntime-common';
import type { PlanarImage } from '../image/image-types.js';
import { planarToTensorUnchecked } from '../image/tensor-conversion.js';
import type { StyleModel } from '../models/style-model.js';
import { TensorDataType, type ModelProto } from '../onnx/onnx-types.js';

/** What the tiling needs of a loaded style model: its graph, conventions, and sessions on graphs derived from it. */
export type DerivableModel = Pick<StyleModel, 'name' | 'graph' | 'signature' | 'conventions' | 'fixedSize' | 'createTensor' | 'openDerivedSession'>;

/** A value's dims and element type ({@link TensorDataType}) on a probe image. */
export interface ProbedValue {
  dims: readonly number[];
  elemType: number;
}

const ELEMENT_TYPES: Readonly<Record<string, number>> = {
  float32: TensorDataType.FLOAT,
  float16: TensorDataType.FLOAT16,
  float64: TensorDataType.DOUBLE,
  int64: TensorDataType.INT64,
  int32: TensorDataType.INT32,
  int16: TensorDataType.INT16,
  int8: TensorDataType.INT8,
  uint8: TensorDataType.UINT8,
  uint16: TensorDataType.UINT16,
  bool: TensorDataType.BOOL,
};

/** Bytes per element of a {@link TensorDataType}. */
export function elementBytes(elemType: number): number {
  switch (elemType) {
    case TensorDataType.DOUBLE:
    case TensorDataType.INT64:
    case TensorDataType.UINT64:
      return 8;
    case TensorDataType.FLOAT16:
    case TensorDataType.INT16:
    case TensorDataType.UINT16:
      return 2;
    case TensorDataType.INT8:
    case TensorDataType.UINT8:
    case TensorDataType.BOOL:
      return 1;
    default:
      return 4;
  }
}

/** A smooth, non-constant test image (a constant one would give zero variances). */
function probeImage(width: number, height: number): PlanarImage {
  const data = new Float32Array(3 * width * height);
  for (let c = 0; c < 3; c++) {
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) data[(c * height + y) * width + x] = 64 + ((x * (c + 1) + y * (3 - c)) * 7) % 128;
    }
  }
  return { data, width, height };
}

/**
 * Zeros for the graph's inputs besides the image (a style vector): shapes do not depend on their values. Each needs
 * a fixed shape.
 */
function runInputFeeds(model: DerivableModel): Record<string, Tensor> {
  const { inputs, initializers } = model.graph.graph;
  const feeds: Record<string, Tensor> = {};
  for (const input of inputs) {
    if (input.name === model.signature.input.name || initializers.some((t) => t.name === input.name)) continue;
    const shape = input.shape;
    if (!shape || shape.some((d) => typeof d !== 'number')) throw new Error(`its input '${input.name}' has no fixed shape to probe with`);
    const dims = shape as number[];
    feeds[input.name] = model.createTensor(new Float32Array(dims.reduce((a, b) => a * b, 1)), dims);
  }
  return feeds;
}

/**
 * Runs the model once on a `width`×`height` test image with `values` as extra outputs and returns their dims and
 * element types: onnxruntime's own shape inference, for graphs whose shapes the file does not spell out. Other inputs
 * (a style vector) get zeros.
 */
export async function probeValues(model: DerivableModel, values: readonly string[], width: number, height: number): Promise<Map<string, ProbedValue>> {
  const graph = model.graph.graph;
  const outputs = new Set(graph.outputs.map((o) => o.name));
  const wanted = values.filter((v) => !outputs.has(v));
  const probe: ModelProto = {
    ...model.graph,
    graph: { ...graph, outputs: [...graph.outputs, ...wanted.map((name) => ({ name, elemType: 0 }))] },
  };
  const session = await model.openDerivedSession(probe, 'a probe run');
  try {
    const { data, dims } = planarToTensorUnchecked(probeImage(width, height), model.conventions.input);
    const feeds = { ...runInputFeeds(model), [model.signature.input.name]: model.createTensor(data, dims) };
    const result = await session.run(feeds, values);
    const found = new Map<string, ProbedValue>();
    for (const v of values) {
      const t = result[v] as Tensor | undefined;
      if (t) found.set(v, { dims: [...t.dims], elemType: ELEMENT_TYPES[t.type] ?? 0 });
    }
    return found;
  } finally {
    await session.release();
  }
}
