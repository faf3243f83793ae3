import type { AttributeProto, GraphProto, ModelProto, NodeProto, TensorProto } from './onnx-types.js';

/*
 * ONNX fields that onnx-types.ts does not declare. The codec fills and writes them when present so that
 * a decoded third-party model (subgraphs in If/Loop, string tensors, doc strings) re-encodes without loss.
 * Objects of these types are assignable to the plain types, so callers that do not care never see them.
 */

export interface TensorProtoExtra extends TensorProto {
  /** Raw bytes of each element of a STRING tensor. */
  stringData?: Uint8Array[];
  uint64Data?: number[];
}

export interface AttributeProtoExtra extends AttributeProto {
  g?: GraphProto;
  tensors?: TensorProto[];
  graphs?: GraphProto[];
}

export interface NodeProtoExtra extends NodeProto {
  docString?: string;
}

export interface GraphProtoExtra extends GraphProto {
  docString?: string;
}

export interface ModelProtoExtra extends ModelProto {
  domain?: string;
  modelVersion?: number;
}
