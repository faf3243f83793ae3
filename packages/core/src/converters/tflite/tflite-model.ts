import { convertError } from '../convert-error.js';
import { FlatTable } from './flatbuffer.js';
import { TFLITE_FILE_IDENTIFIER } from './tflite-file.js';

/**
 * The parts of a TensorFlow Lite model (schema v3, tensorflow/lite/schema/schema.fbs) that the converter reads,
 * as plain objects. Field ids are the schema's declaration order; a union takes two ids (type, value).
 */

/** TensorType values. */
export const TfliteType = {
  FLOAT32: 0,
  FLOAT16: 1,
  INT32: 2,
  UINT8: 3,
  INT64: 4,
  STRING: 5,
  BOOL: 6,
  INT16: 7,
  COMPLEX64: 8,
  INT8: 9,
} as const;

export const TFLITE_TYPE_NAMES = Object.fromEntries(Object.entries(TfliteType).map(([k, v]) => [v, k])) as Record<number, string>;

export interface TfliteQuantization {
  scale: number[];
  zeroPoint: number[];
  /** The axis `scale` runs along when it has more than one value. */
  quantizedDimension: number;
}

export interface TfliteTensor {
  index: number;
  name: string;
  /** May hold -1 for a free dimension in files that also have `shapeSignature`. */
  shape: number[];
  /** The shape with -1 for dimensions free at conversion time, when the file says so. */
  shapeSignature?: number[];
  type: number;
  /** Constant data (a view into the file), or undefined for a tensor computed at run time. */
  data?: Uint8Array;
  quantization?: TfliteQuantization;
  /** Stored in a sparse encoding (which the converter does not read). */
  sparse: boolean;
}

export interface TfliteOperator {
  /** Position in the subgraph's execution order, for messages. */
  index: number;
  /** BuiltinOperator code; CUSTOM (32) for custom operators. */
  code: number;
  customCode?: string;
  /** Tensor indices; -1 marks an omitted optional input. */
  inputs: number[];
  outputs: number[];
  /** The builtin options table, read by the translator that knows its type. */
  options?: FlatTable;
}

export interface TfliteSubgraph {
  tensors: TfliteTensor[];
  inputs: number[];
  outputs: number[];
  operators: TfliteOperator[];
  name: string;
}

export interface TfliteModel {
  version: number;
  description: string;
  subgraphs: TfliteSubgraph[];
}

/** What a .tflite is called in messages when the caller gives no file name. */
export const TFLITE_LABEL = 'the .tflite model';

const CUSTOM = 32;

/**
 * Parses a `.tflite` flatbuffer.
 * @param file names the file in messages.
 * @throws PasticheError `E_CONVERT` naming the file when it is not a TFLite model of schema v3 or is truncated.
 */
export function readTfliteModel(bytes: Uint8Array, file = TFLITE_LABEL): TfliteModel {
  const identifier = new TextDecoder().decode(bytes.subarray(4, 8));
  if (bytes.byteLength < 8 || identifier !== TFLITE_FILE_IDENTIFIER) {
    throw convertError(file, `Expected a TensorFlow Lite flatbuffer (identifier '${TFLITE_FILE_IDENTIFIER}' at byte 4) but found ${JSON.stringify(identifier)}`);
  }
  try {
    return readModel(bytes);
  } catch (cause) {
    if (cause instanceof RangeError) throw convertError(file, `truncated or corrupt: ${cause.message}`);
    throw cause;
  }
}

function readModel(bytes: Uint8Array): TfliteModel {
  const model = FlatTable.root(bytes);
  const version = model.uint32(0);
  if (version !== 3) throw new RangeError(`schema version ${version}; only version 3 is read`);
  const codes = model.tableVector(1).map((c) => ({
    // Codes above 127 live in builtin_code (field 3); older files only have the byte (field 0).
    code: Math.max(c.int8(0), c.int32(3)),
    custom: c.string(1),
  }));
  const buffers = model.tableVector(4).map((b) => {
    const data = b.bytesVector(0);
    if (data && data.byteLength) return data;
    // Files over 2 GB keep buffers after the flatbuffer, by offset and size.
    const offset = b.uint64(1);
    const size = b.uint64(2);
    if (offset > 1 && size > 0) {
      if (offset + size > bytes.byteLength) throw new RangeError(`a buffer at byte ${offset} (${size} bytes) lies outside the file`);
      return bytes.subarray(offset, offset + size);
    }
    return undefined;
  });
  const subgraphs = model.tableVector(2).map((sg): TfliteSubgraph => {
    const tensors = sg.tableVector(0).map((t, index): TfliteTensor => {
      const buffer = t.uint32(2);
      const q = t.table(4);
      const scale = q?.float32Vector(2) ?? [];
      return {
        index,
        name: t.string(3) ?? `tensor_${index}`,
        shape: t.int32Vector(0) ?? [],
        shapeSignature: t.int32Vector(7),
        type: t.int8(1),
        data: buffer > 0 ? buffers[buffer] : undefined,
        quantization: q && scale.length ? { scale, zeroPoint: q.int64Vector(3) ?? [], quantizedDimension: q.int32(6) } : undefined,
        sparse: t.has(6),
      };
    });
    const operators = sg.tableVector(3).map((op, index): TfliteOperator => {
      const opcode = op.uint32(0);
      const code = codes[opcode];
      if (!code) throw new RangeError(`operator ${index} names operator code ${opcode} of ${codes.length}`);
      return {
        index,
        code: code.code,
        customCode: code.code === CUSTOM ? code.custom : undefined,
        inputs: op.int32Vector(1) ?? [],
        outputs: op.int32Vector(2) ?? [],
        options: op.table(4),
      };
    });
    return { tensors, inputs: sg.int32Vector(1) ?? [], outputs: sg.int32Vector(2) ?? [], operators, name: sg.string(4) ?? '' };
  });
  if (subgraphs.length === 0) throw new RangeError('no subgraph');
  return { version, description: model.string(3) ?? '', subgraphs };
}
