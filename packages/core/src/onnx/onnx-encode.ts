import { BinaryWriter, WireType } from '@bufbuild/protobuf/wire';
import { invalidType, invalidValue, isObject } from '../arguments.js';
import {
  ATTRIBUTE_FIELDS,
  DIMENSION_FIELDS,
  GRAPH_FIELDS,
  MODEL_FIELDS,
  NODE_FIELDS,
  OPSET_FIELDS,
  SHAPE_FIELDS,
  STRING_ENTRY_FIELDS,
  TENSOR_FIELDS,
  TENSOR_TYPE_FIELDS,
  TYPE_FIELDS,
  VALUE_INFO_FIELDS,
} from './onnx-fields.js';
import type { AttributeProto, GraphProto, ModelProto, NodeProto, TensorProto, ValueInfoProto } from './onnx-types.js';

/**
 * Serialises a model to ONNX protobuf bytes. Fields are written in field-number order, repeated numbers
 * packed, empty strings and absent optionals left out, so encode(decode(encode(m))) is byte-identical.
 */
export function encodeModel(model: ModelProto): Uint8Array {
  if (!isObject(model) || !isObject(model.graph)) throw invalidType('model', 'a ModelProto with a graph', model);
  const w = new BinaryWriter();
  writeModel(w, model);
  return w.finish();
}

const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);

/**
 * int64 values are plain numbers in our types; ±2^63 (what INT64_MAX/MIN become as doubles, common in
 * Slice ends) is clamped back into range instead of overflowing.
 */
function int64(value: number): bigint | number {
  if (!Number.isInteger(value)) throw invalidValue('an int64 field', 'integer', value);
  if (Number.isSafeInteger(value)) return value;
  const big = BigInt(value);
  return big > INT64_MAX ? INT64_MAX : big < INT64_MIN ? INT64_MIN : big;
}

function writeString(w: BinaryWriter, field: number, value: string | undefined): void {
  if (value) w.tag(field, WireType.LengthDelimited).string(value);
}

function writeInt(w: BinaryWriter, field: number, value: number | undefined): void {
  if (value !== undefined) w.tag(field, WireType.Varint).int64(int64(value));
}

function writePacked(w: BinaryWriter, field: number, values: readonly number[] | undefined, write: (v: number) => void): void {
  if (!values || values.length === 0) return;
  w.tag(field, WireType.LengthDelimited).fork();
  for (const v of values) write(v);
  w.join();
}

function writeMessage<T>(w: BinaryWriter, field: number, value: T, write: (w: BinaryWriter, value: T) => void): void {
  w.tag(field, WireType.LengthDelimited).fork();
  write(w, value);
  w.join();
}

function writeModel(w: BinaryWriter, m: ModelProto): void {
  writeInt(w, MODEL_FIELDS.irVersion, m.irVersion);
  writeString(w, MODEL_FIELDS.producerName, m.producerName);
  writeString(w, MODEL_FIELDS.producerVersion, m.producerVersion);
  writeString(w, MODEL_FIELDS.domain, m.domain);
  if (m.modelVersion) writeInt(w, MODEL_FIELDS.modelVersion, m.modelVersion);
  writeString(w, MODEL_FIELDS.docString, m.docString);
  writeMessage(w, MODEL_FIELDS.graph, m.graph, writeGraph);
  for (const opset of m.opsetImports) {
    writeMessage(w, MODEL_FIELDS.opsetImport, opset, (w, o) => {
      writeString(w, OPSET_FIELDS.domain, o.domain);
      writeInt(w, OPSET_FIELDS.version, o.version);
    });
  }
  for (const [key, value] of Object.entries(m.metadataProps ?? {})) {
    writeMessage(w, MODEL_FIELDS.metadataProps, null, (w) => {
      writeString(w, STRING_ENTRY_FIELDS.key, key);
      writeString(w, STRING_ENTRY_FIELDS.value, value);
    });
  }
}

function writeGraph(w: BinaryWriter, g: GraphProto): void {
  for (const node of g.nodes) writeMessage(w, GRAPH_FIELDS.node, node, writeNode);
  writeString(w, GRAPH_FIELDS.name, g.name);
  for (const t of g.initializers) writeMessage(w, GRAPH_FIELDS.initializer, t, writeTensor);
  writeString(w, GRAPH_FIELDS.docString, g.docString);
  for (const v of g.inputs) writeMessage(w, GRAPH_FIELDS.input, v, writeValueInfo);
  for (const v of g.outputs) writeMessage(w, GRAPH_FIELDS.output, v, writeValueInfo);
  for (const v of g.valueInfo) writeMessage(w, GRAPH_FIELDS.valueInfo, v, writeValueInfo);
}

function writeNode(w: BinaryWriter, n: NodeProto): void {
  // Repeated strings keep their empty entries: '' marks an omitted optional input.
  for (const name of n.inputs) w.tag(NODE_FIELDS.input, WireType.LengthDelimited).string(name);
  for (const name of n.outputs) w.tag(NODE_FIELDS.output, WireType.LengthDelimited).string(name);
  writeString(w, NODE_FIELDS.name, n.name);
  writeString(w, NODE_FIELDS.opType, n.opType);
  for (const a of n.attributes) writeMessage(w, NODE_FIELDS.attribute, a, writeAttribute);
  writeString(w, NODE_FIELDS.docString, n.docString);
  writeString(w, NODE_FIELDS.domain, n.domain);
}

function writeAttribute(w: BinaryWriter, a: AttributeProto): void {
  writeString(w, ATTRIBUTE_FIELDS.name, a.name);
  if (a.f !== undefined) w.tag(ATTRIBUTE_FIELDS.f, WireType.Bit32).float(a.f);
  writeInt(w, ATTRIBUTE_FIELDS.i, a.i);
  if (a.s !== undefined) w.tag(ATTRIBUTE_FIELDS.s, WireType.LengthDelimited).bytes(a.s);
  if (a.t !== undefined) writeMessage(w, ATTRIBUTE_FIELDS.t, a.t, writeTensor);
  if (a.g !== undefined) writeMessage(w, ATTRIBUTE_FIELDS.g, a.g, writeGraph);
  writePacked(w, ATTRIBUTE_FIELDS.floats, a.floats, (v) => w.float(v));
  writePacked(w, ATTRIBUTE_FIELDS.ints, a.ints, (v) => w.int64(int64(v)));
  for (const s of a.strings ?? []) w.tag(ATTRIBUTE_FIELDS.strings, WireType.LengthDelimited).bytes(s);
  for (const t of a.tensors ?? []) writeMessage(w, ATTRIBUTE_FIELDS.tensors, t, writeTensor);
  for (const g of a.graphs ?? []) writeMessage(w, ATTRIBUTE_FIELDS.graphs, g, writeGraph);
  writeInt(w, ATTRIBUTE_FIELDS.type, a.type);
}

function writeTensor(w: BinaryWriter, t: TensorProto): void {
  writePacked(w, TENSOR_FIELDS.dims, t.dims, (v) => w.int64(int64(v)));
  writeInt(w, TENSOR_FIELDS.dataType, t.dataType);
  writePacked(w, TENSOR_FIELDS.floatData, t.floatData, (v) => w.float(v));
  writePacked(w, TENSOR_FIELDS.int32Data, t.int32Data, (v) => w.int32(v));
  for (const s of t.stringData ?? []) w.tag(TENSOR_FIELDS.stringData, WireType.LengthDelimited).bytes(s);
  writePacked(w, TENSOR_FIELDS.int64Data, t.int64Data, (v) => w.int64(int64(v)));
  writeString(w, TENSOR_FIELDS.name, t.name);
  if (t.rawData !== undefined) w.tag(TENSOR_FIELDS.rawData, WireType.LengthDelimited).bytes(t.rawData);
  writePacked(w, TENSOR_FIELDS.doubleData, t.doubleData, (v) => w.double(v));
  writePacked(w, TENSOR_FIELDS.uint64Data, t.uint64Data, (v) => w.uint64(int64(v)));
}

function writeValueInfo(w: BinaryWriter, v: ValueInfoProto): void {
  writeString(w, VALUE_INFO_FIELDS.name, v.name);
  // elemType 0 without a shape is a value whose type we do not model: leave the type out.
  if (v.elemType === 0 && v.shape === undefined) return;
  writeMessage(w, VALUE_INFO_FIELDS.type, v, (w, v) => {
    writeMessage(w, TYPE_FIELDS.tensorType, v, (w, v) => {
      if (v.elemType) writeInt(w, TENSOR_TYPE_FIELDS.elemType, v.elemType);
      if (v.shape === undefined) return;
      writeMessage(w, TENSOR_TYPE_FIELDS.shape, v.shape, (w, shape) => {
        for (const dim of shape) {
          writeMessage(w, SHAPE_FIELDS.dim, dim, (w, d) => {
            if (typeof d === 'number') writeInt(w, DIMENSION_FIELDS.dimValue, d);
            else if (typeof d === 'string') writeString(w, DIMENSION_FIELDS.dimParam, d);
          });
        }
      });
    });
  });
}
