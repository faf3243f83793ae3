/**
 * The subset of ONNX's protobuf schema (onnx.proto3) that Pastiche reads and writes, as plain objects.
 * int64 fields are plain numbers: every int64 we meet (dims, attribute ints, shape constants) fits in 2^53.
 */

/** TensorProto.DataType values. */
export const TensorDataType = {
  FLOAT: 1,
  UINT8: 2,
  INT8: 3,
  UINT16: 4,
  INT16: 5,
  INT32: 6,
  INT64: 7,
  STRING: 8,
  BOOL: 9,
  FLOAT16: 10,
  DOUBLE: 11,
  UINT32: 12,
  UINT64: 13,
} as const;
export type TensorDataType = (typeof TensorDataType)[keyof typeof TensorDataType];

export interface TensorProto {
  name: string;
  dims: number[];
  dataType: number;
  /** Little-endian packed values; what writers emit. */
  rawData?: Uint8Array;
  floatData?: number[];
  int32Data?: number[];
  int64Data?: number[];
  doubleData?: number[];
  /** Raw bytes of each element of a STRING tensor. */
  stringData?: Uint8Array[];
  uint64Data?: number[];
}

/** AttributeProto.AttributeType values. */
export const AttributeType = {
  FLOAT: 1,
  INT: 2,
  STRING: 3,
  TENSOR: 4,
  GRAPH: 5,
  FLOATS: 6,
  INTS: 7,
  STRINGS: 8,
} as const;
export type AttributeType = (typeof AttributeType)[keyof typeof AttributeType];

export interface AttributeProto {
  name: string;
  type: number;
  f?: number;
  i?: number;
  s?: Uint8Array;
  t?: TensorProto;
  floats?: number[];
  ints?: number[];
  strings?: Uint8Array[];
  /** Subgraphs (If/Loop bodies) and tensor lists: kept so that third-party models re-encode without loss. */
  g?: GraphProto;
  tensors?: TensorProto[];
  graphs?: GraphProto[];
}

export interface NodeProto {
  name: string;
  opType: string;
  /** '' is the default ONNX domain. */
  domain: string;
  inputs: string[];
  outputs: string[];
  attributes: AttributeProto[];
  docString?: string;
}

/** A dimension: a number when fixed, a string when symbolic (dim_param), null when unknown. */
export type Dim = number | string | null;

export interface ValueInfoProto {
  name: string;
  /** Tensor element type (a {@link TensorDataType} value); 0 when the value is not a tensor. */
  elemType: number;
  /** undefined when the rank is unknown. */
  shape?: Dim[];
}

export interface GraphProto {
  name: string;
  nodes: NodeProto[];
  initializers: TensorProto[];
  inputs: ValueInfoProto[];
  outputs: ValueInfoProto[];
  valueInfo: ValueInfoProto[];
  docString?: string;
}

export interface OperatorSetId {
  domain: string;
  version: number;
}

export interface ModelProto {
  irVersion: number;
  opsetImports: OperatorSetId[];
  producerName: string;
  producerVersion: string;
  docString: string;
  graph: GraphProto;
  /** ModelProto.metadata_props as a map; Pastiche's own keys start with `pastiche.`. */
  metadataProps: Record<string, string>;
  domain?: string;
  modelVersion?: number;
}
