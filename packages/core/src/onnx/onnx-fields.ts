/** Protobuf field numbers of the ONNX messages the codec reads and writes (from onnx.proto3). */

export const MODEL_FIELDS = {
  irVersion: 1,
  producerName: 2,
  producerVersion: 3,
  domain: 4,
  modelVersion: 5,
  docString: 6,
  graph: 7,
  opsetImport: 8,
  metadataProps: 14,
} as const;

export const GRAPH_FIELDS = {
  node: 1,
  name: 2,
  initializer: 5,
  docString: 10,
  input: 11,
  output: 12,
  valueInfo: 13,
} as const;

export const NODE_FIELDS = {
  input: 1,
  output: 2,
  name: 3,
  opType: 4,
  attribute: 5,
  docString: 6,
  domain: 7,
} as const;

export const ATTRIBUTE_FIELDS = {
  name: 1,
  f: 2,
  i: 3,
  s: 4,
  t: 5,
  g: 6,
  floats: 7,
  ints: 8,
  strings: 9,
  tensors: 10,
  graphs: 11,
  type: 20,
} as const;

export const TENSOR_FIELDS = {
  dims: 1,
  dataType: 2,
  floatData: 4,
  int32Data: 5,
  stringData: 6,
  int64Data: 7,
  name: 8,
  rawData: 9,
  doubleData: 10,
  uint64Data: 11,
} as const;

export const VALUE_INFO_FIELDS = { name: 1, type: 2 } as const;
export const TYPE_FIELDS = { tensorType: 1 } as const;
export const TENSOR_TYPE_FIELDS = { elemType: 1, shape: 2 } as const;
export const SHAPE_FIELDS = { dim: 1 } as const;
export const DIMENSION_FIELDS = { dimValue: 1, dimParam: 2 } as const;
export const OPSET_FIELDS = { domain: 1, version: 2 } as const;
export const STRING_ENTRY_FIELDS = { key: 1, value: 2 } as const;
