import { BinaryReader, WireType } from '@bufbuild/protobuf/wire';
import { expectInstance } from '../arguments.js';
import { PasticheError } from '../errors.js';
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
import type { AttributeProto, Dim, GraphProto, ModelProto, NodeProto, OperatorSetId, TensorProto, ValueInfoProto } from './onnx-types.js';

/**
 * Parses ONNX protobuf bytes. Accepts packed and unpacked repeated numbers, skips fields it does not
 * model, and keeps `rawData` as a view into `bytes` (no copy: keep `bytes` alive and unmodified).
 * @throws PasticheError `E_ONNX_PARSE` when the bytes are not a well-formed ONNX model.
 */
export function decodeModel(bytes: Uint8Array): ModelProto {
  expectInstance('bytes', bytes, Uint8Array);
  const { graph, ...rest } = decodeModelMessage(bytes);
  // Random bytes often parse as a few unknown fields; a model without a graph is what exposes them.
  if (graph === undefined) {
    throw parseError(`a ModelProto with a graph (field ${MODEL_FIELDS.graph}), but the ${bytes.byteLength} bytes hold none`);
  }
  return { ...rest, graph };
}

/** A ModelProto while it is being read: the graph may not have come yet. */
type PartialModel = Omit<ModelProto, 'graph'> & { graph?: GraphProto };

function parseError(expected: string, cause?: unknown): PasticheError {
  return new PasticheError(
    'E_ONNX_PARSE',
    `Expected ONNX model bytes: ${expected}. Check that the file is a complete .onnx model.`,
    cause === undefined ? undefined : { cause },
  );
}

const WIRE_NAMES = ['varint', '64-bit', 'length-delimited', 'start-group', 'end-group', '32-bit'];

type FieldHandler = (field: number, wire: WireType, r: BinaryReader) => boolean;

/** Reads one message; `handle` returns false for fields it does not know, which are skipped. */
function readMessage(bytes: Uint8Array, what: string, handle: FieldHandler): void {
  const r = new BinaryReader(bytes);
  let fieldStart = 0;
  try {
    while (r.pos < r.len) {
      fieldStart = r.pos;
      const [field, wire] = r.tag();
      if (!handle(field, wire, r)) r.skip(wire, field);
    }
  } catch (err) {
    if (err instanceof PasticheError) throw err;
    const detail = err instanceof Error ? err.message : String(err);
    throw parseError(`a well-formed ${what}, but its field at byte ${fieldStart} of ${r.len} is cut off or malformed (${detail})`, err);
  }
}

function expectWire(actual: WireType, expected: WireType, where: string): void {
  if (actual !== expected) {
    throw parseError(`a ${WIRE_NAMES[expected]} value for ${where}, but found wire type ${actual} (${WIRE_NAMES[actual] ?? 'invalid'})`);
  }
}

function readString(r: BinaryReader, wire: WireType, where: string): string {
  expectWire(wire, WireType.LengthDelimited, where);
  return r.string();
}

function readBytes(r: BinaryReader, wire: WireType, where: string): Uint8Array {
  expectWire(wire, WireType.LengthDelimited, where);
  return r.bytes();
}

function readInt(r: BinaryReader, wire: WireType, where: string): number {
  expectWire(wire, WireType.Varint, where);
  return Number(r.int64());
}

/** A repeated number field, packed (one length-delimited run) or not (one tagged value each). */
function readRepeated(
  r: BinaryReader,
  wire: WireType,
  elementWire: WireType,
  readOne: () => number,
  out: number[],
  where: string,
): void {
  if (wire !== WireType.LengthDelimited) {
    expectWire(wire, elementWire, where);
    out.push(readOne());
    return;
  }
  const end = r.uint32() + r.pos;
  if (end > r.len) throw parseError(`a packed ${where} of ${end - r.pos} bytes, but only ${r.len - r.pos} remain`);
  while (r.pos < end) out.push(readOne());
  if (r.pos !== end) throw parseError(`packed ${where} to end on a value boundary`);
}

function decodeModelMessage(bytes: Uint8Array): PartialModel {
  const m: PartialModel = {
    irVersion: 0,
    opsetImports: [],
    producerName: '',
    producerVersion: '',
    docString: '',
    metadataProps: {},
  };
  readMessage(bytes, 'ModelProto', (field, wire, r) => {
    switch (field) {
      case MODEL_FIELDS.irVersion: m.irVersion = readInt(r, wire, 'ModelProto.ir_version'); return true;
      case MODEL_FIELDS.producerName: m.producerName = readString(r, wire, 'ModelProto.producer_name'); return true;
      case MODEL_FIELDS.producerVersion: m.producerVersion = readString(r, wire, 'ModelProto.producer_version'); return true;
      case MODEL_FIELDS.domain: m.domain = readString(r, wire, 'ModelProto.domain'); return true;
      case MODEL_FIELDS.modelVersion: m.modelVersion = readInt(r, wire, 'ModelProto.model_version'); return true;
      case MODEL_FIELDS.docString: m.docString = readString(r, wire, 'ModelProto.doc_string'); return true;
      case MODEL_FIELDS.graph: m.graph = decodeGraph(readBytes(r, wire, 'ModelProto.graph')); return true;
      case MODEL_FIELDS.opsetImport: m.opsetImports.push(decodeOpset(readBytes(r, wire, 'ModelProto.opset_import'))); return true;
      case MODEL_FIELDS.metadataProps: {
        const [key, value] = decodeStringEntry(readBytes(r, wire, 'ModelProto.metadata_props'));
        m.metadataProps[key] = value;
        return true;
      }
      default: return false;
    }
  });
  return m;
}

function decodeOpset(bytes: Uint8Array): OperatorSetId {
  const o: OperatorSetId = { domain: '', version: 0 };
  readMessage(bytes, 'OperatorSetIdProto', (field, wire, r) => {
    if (field === OPSET_FIELDS.domain) o.domain = readString(r, wire, 'OperatorSetIdProto.domain');
    else if (field === OPSET_FIELDS.version) o.version = readInt(r, wire, 'OperatorSetIdProto.version');
    else return false;
    return true;
  });
  return o;
}

function decodeStringEntry(bytes: Uint8Array): [string, string] {
  let key = '';
  let value = '';
  readMessage(bytes, 'StringStringEntryProto', (field, wire, r) => {
    if (field === STRING_ENTRY_FIELDS.key) key = readString(r, wire, 'StringStringEntryProto.key');
    else if (field === STRING_ENTRY_FIELDS.value) value = readString(r, wire, 'StringStringEntryProto.value');
    else return false;
    return true;
  });
  return [key, value];
}

function decodeGraph(bytes: Uint8Array): GraphProto {
  const g: GraphProto = { name: '', nodes: [], initializers: [], inputs: [], outputs: [], valueInfo: [] };
  readMessage(bytes, 'GraphProto', (field, wire, r) => {
    switch (field) {
      case GRAPH_FIELDS.node: g.nodes.push(decodeNode(readBytes(r, wire, 'GraphProto.node'))); return true;
      case GRAPH_FIELDS.name: g.name = readString(r, wire, 'GraphProto.name'); return true;
      case GRAPH_FIELDS.initializer: g.initializers.push(decodeTensor(readBytes(r, wire, 'GraphProto.initializer'))); return true;
      case GRAPH_FIELDS.docString: g.docString = readString(r, wire, 'GraphProto.doc_string'); return true;
      case GRAPH_FIELDS.input: g.inputs.push(decodeValueInfo(readBytes(r, wire, 'GraphProto.input'))); return true;
      case GRAPH_FIELDS.output: g.outputs.push(decodeValueInfo(readBytes(r, wire, 'GraphProto.output'))); return true;
      case GRAPH_FIELDS.valueInfo: g.valueInfo.push(decodeValueInfo(readBytes(r, wire, 'GraphProto.value_info'))); return true;
      default: return false;
    }
  });
  return g;
}

function decodeNode(bytes: Uint8Array): NodeProto {
  const n: NodeProto = { name: '', opType: '', domain: '', inputs: [], outputs: [], attributes: [] };
  readMessage(bytes, 'NodeProto', (field, wire, r) => {
    switch (field) {
      case NODE_FIELDS.input: n.inputs.push(readString(r, wire, 'NodeProto.input')); return true;
      case NODE_FIELDS.output: n.outputs.push(readString(r, wire, 'NodeProto.output')); return true;
      case NODE_FIELDS.name: n.name = readString(r, wire, 'NodeProto.name'); return true;
      case NODE_FIELDS.opType: n.opType = readString(r, wire, 'NodeProto.op_type'); return true;
      case NODE_FIELDS.attribute: n.attributes.push(decodeAttribute(readBytes(r, wire, 'NodeProto.attribute'))); return true;
      case NODE_FIELDS.docString: n.docString = readString(r, wire, 'NodeProto.doc_string'); return true;
      case NODE_FIELDS.domain: n.domain = readString(r, wire, 'NodeProto.domain'); return true;
      default: return false;
    }
  });
  return n;
}

function decodeAttribute(bytes: Uint8Array): AttributeProto {
  const a: AttributeProto = { name: '', type: 0 };
  readMessage(bytes, 'AttributeProto', (field, wire, r) => {
    switch (field) {
      case ATTRIBUTE_FIELDS.name: a.name = readString(r, wire, 'AttributeProto.name'); return true;
      case ATTRIBUTE_FIELDS.f: expectWire(wire, WireType.Bit32, 'AttributeProto.f'); a.f = r.float(); return true;
      case ATTRIBUTE_FIELDS.i: a.i = readInt(r, wire, 'AttributeProto.i'); return true;
      case ATTRIBUTE_FIELDS.s: a.s = readBytes(r, wire, 'AttributeProto.s'); return true;
      case ATTRIBUTE_FIELDS.t: a.t = decodeTensor(readBytes(r, wire, 'AttributeProto.t')); return true;
      case ATTRIBUTE_FIELDS.g: a.g = decodeGraph(readBytes(r, wire, 'AttributeProto.g')); return true;
      case ATTRIBUTE_FIELDS.floats:
        readRepeated(r, wire, WireType.Bit32, () => r.float(), (a.floats ??= []), 'AttributeProto.floats');
        return true;
      case ATTRIBUTE_FIELDS.ints:
        readRepeated(r, wire, WireType.Varint, () => Number(r.int64()), (a.ints ??= []), 'AttributeProto.ints');
        return true;
      case ATTRIBUTE_FIELDS.strings: (a.strings ??= []).push(readBytes(r, wire, 'AttributeProto.strings')); return true;
      case ATTRIBUTE_FIELDS.tensors:
        (a.tensors ??= []).push(decodeTensor(readBytes(r, wire, 'AttributeProto.tensors')));
        return true;
      case ATTRIBUTE_FIELDS.graphs:
        (a.graphs ??= []).push(decodeGraph(readBytes(r, wire, 'AttributeProto.graphs')));
        return true;
      case ATTRIBUTE_FIELDS.type: a.type = readInt(r, wire, 'AttributeProto.type'); return true;
      default: return false;
    }
  });
  return a;
}

function decodeTensor(bytes: Uint8Array): TensorProto {
  const t: TensorProto = { name: '', dims: [], dataType: 0 };
  readMessage(bytes, 'TensorProto', (field, wire, r) => {
    switch (field) {
      case TENSOR_FIELDS.dims:
        readRepeated(r, wire, WireType.Varint, () => Number(r.int64()), t.dims, 'TensorProto.dims');
        return true;
      case TENSOR_FIELDS.dataType: t.dataType = readInt(r, wire, 'TensorProto.data_type'); return true;
      case TENSOR_FIELDS.floatData:
        readRepeated(r, wire, WireType.Bit32, () => r.float(), (t.floatData ??= []), 'TensorProto.float_data');
        return true;
      case TENSOR_FIELDS.int32Data:
        readRepeated(r, wire, WireType.Varint, () => r.int32(), (t.int32Data ??= []), 'TensorProto.int32_data');
        return true;
      case TENSOR_FIELDS.stringData: (t.stringData ??= []).push(readBytes(r, wire, 'TensorProto.string_data')); return true;
      case TENSOR_FIELDS.int64Data:
        readRepeated(r, wire, WireType.Varint, () => Number(r.int64()), (t.int64Data ??= []), 'TensorProto.int64_data');
        return true;
      case TENSOR_FIELDS.name: t.name = readString(r, wire, 'TensorProto.name'); return true;
      case TENSOR_FIELDS.rawData: t.rawData = readBytes(r, wire, 'TensorProto.raw_data'); return true;
      case TENSOR_FIELDS.doubleData:
        readRepeated(r, wire, WireType.Bit64, () => r.double(), (t.doubleData ??= []), 'TensorProto.double_data');
        return true;
      case TENSOR_FIELDS.uint64Data:
        readRepeated(r, wire, WireType.Varint, () => Number(r.uint64()), (t.uint64Data ??= []), 'TensorProto.uint64_data');
        return true;
      default: return false;
    }
  });
  return t;
}

function decodeValueInfo(bytes: Uint8Array): ValueInfoProto {
  const v: ValueInfoProto = { name: '', elemType: 0 };
  readMessage(bytes, 'ValueInfoProto', (field, wire, r) => {
    if (field === VALUE_INFO_FIELDS.name) v.name = readString(r, wire, 'ValueInfoProto.name');
    else if (field === VALUE_INFO_FIELDS.type) decodeType(readBytes(r, wire, 'ValueInfoProto.type'), v);
    else return false;
    return true;
  });
  return v;
}

/** Fills elemType and shape from a TypeProto; non-tensor types (sequence, map, optional) are skipped. */
function decodeType(bytes: Uint8Array, v: ValueInfoProto): void {
  readMessage(bytes, 'TypeProto', (field, wire, r) => {
    if (field !== TYPE_FIELDS.tensorType) return false;
    readMessage(readBytes(r, wire, 'TypeProto.tensor_type'), 'TypeProto.Tensor', (field, wire, r) => {
      if (field === TENSOR_TYPE_FIELDS.elemType) v.elemType = readInt(r, wire, 'TypeProto.Tensor.elem_type');
      else if (field === TENSOR_TYPE_FIELDS.shape) v.shape = decodeShape(readBytes(r, wire, 'TypeProto.Tensor.shape'));
      else return false;
      return true;
    });
    return true;
  });
}

function decodeShape(bytes: Uint8Array): Dim[] {
  const dims: Dim[] = [];
  readMessage(bytes, 'TensorShapeProto', (field, wire, r) => {
    if (field !== SHAPE_FIELDS.dim) return false;
    let dim: Dim = null;
    readMessage(readBytes(r, wire, 'TensorShapeProto.dim'), 'TensorShapeProto.Dimension', (field, wire, r) => {
      if (field === DIMENSION_FIELDS.dimValue) dim = readInt(r, wire, 'Dimension.dim_value');
      else if (field === DIMENSION_FIELDS.dimParam) dim = readString(r, wire, 'Dimension.dim_param');
      else return false;
      return true;
    });
    dims.push(dim);
    return true;
  });
  return dims;
}
