/**
 * Writes small TensorFlow Lite flatbuffers (schema v3) for converter tests: a few tensors and operators, with
 * constant data, quantization and builtin options. Tables are laid out parent first (each offset points forward),
 * every inline field in a 4-byte slot; the fields are the schema's (tensorflow/lite/schema/schema.fbs).
 */

/** An inline or offset field of a table, by its id in the schema. */
export type Field =
  | { id: number; i8: number }
  | { id: number; i32: number }
  | { id: number; f32: number }
  | { id: number; string: string }
  | { id: number; i32s: readonly number[] }
  | { id: number; f32s: readonly number[] }
  | { id: number; i64s: readonly number[] }
  | { id: number; bytes: Uint8Array }
  | { id: number; table: Field[] }
  | { id: number; tables: Field[][] };

class Writer {
  private view = new DataView(new ArrayBuffer(1 << 16));
  pos = 0;

  private reserve(n: number): number {
    while (this.pos + n > this.view.byteLength) {
      const next = new Uint8Array(this.view.byteLength * 2);
      next.set(new Uint8Array(this.view.buffer));
      this.view = new DataView(next.buffer);
    }
    const at = this.pos;
    this.pos += n;
    return at;
  }

  align(n: number): void {
    this.reserve((n - (this.pos % n)) % n);
  }

  u8(at: number, v: number) { this.view.setUint8(at, v & 0xff); }
  u16(at: number, v: number) { this.view.setUint16(at, v, true); }
  i32(at: number, v: number) { this.view.setInt32(at, v, true); }
  f32(at: number, v: number) { this.view.setFloat32(at, v, true); }

  /** Writes a table and everything below it; returns the table's position. */
  table(fields: Field[]): number {
    const count = fields.reduce((n, f) => Math.max(n, f.id + 1), 0);
    this.align(2);
    const vtable = this.reserve(4 + 2 * count);
    this.align(4);
    const table = this.reserve(4 + 4 * fields.length);
    this.i32(table, table - vtable);
    this.u16(vtable, 4 + 2 * count);
    this.u16(vtable + 2, 4 + 4 * fields.length);
    for (let i = 0; i < count; i++) this.u16(vtable + 4 + 2 * i, 0);
    fields.forEach((f, i) => {
      const slot = table + 4 + 4 * i;
      this.u16(vtable + 4 + 2 * f.id, slot - table);
      if ('i8' in f) this.u8(slot, f.i8);
      else if ('i32' in f) this.i32(slot, f.i32);
      else if ('f32' in f) this.f32(slot, f.f32);
    });
    fields.forEach((f, i) => {
      const slot = table + 4 + 4 * i;
      const child = this.child(f);
      if (child !== undefined) this.i32(slot, child - slot);
    });
    return table;
  }

  /** Writes what an offset field points at; undefined for inline fields. */
  private child(f: Field): number | undefined {
    if ('table' in f) return this.table(f.table);
    if ('string' in f) return this.vector(new TextEncoder().encode(f.string), 1, (at, v) => this.u8(at, v), 1);
    if ('bytes' in f) return this.vector(f.bytes, 1, (at, v) => this.u8(at, v));
    if ('i32s' in f) return this.vector(f.i32s, 4, (at, v) => this.i32(at, v));
    if ('f32s' in f) return this.vector(f.f32s, 4, (at, v) => this.f32(at, v));
    if ('i64s' in f) {
      return this.vector(f.i64s, 8, (at, v) => {
        this.view.setBigInt64(at, BigInt(v), true);
      });
    }
    if ('tables' in f) {
      const start = this.vector(f.tables, 4, () => undefined);
      f.tables.forEach((t, i) => {
        const slot = start + 4 + 4 * i;
        this.i32(slot, this.table(t) - slot);
      });
      return start;
    }
    return undefined;
  }

  private vector<T>(items: ArrayLike<T>, size: number, write: (at: number, v: T) => void, terminator = 0): number {
    this.align(Math.max(4, size));
    if (size === 8 && this.pos % 8 === 0) this.reserve(4); // the elements after the length end up 8-aligned
    const start = this.reserve(4 + items.length * size + terminator);
    this.i32(start, items.length);
    for (let i = 0; i < items.length; i++) write(start + 4 + i * size, items[i]);
    return start;
  }

  finish(root: Field[]): Uint8Array {
    const header = this.reserve(8);
    new Uint8Array(this.view.buffer).set(new TextEncoder().encode('TFL3'), header + 4);
    this.i32(header, this.table(root) - header);
    return new Uint8Array(this.view.buffer.slice(0, this.pos));
  }
}

export const TensorType = { FLOAT32: 0, FLOAT16: 1, INT32: 2, UINT8: 3, INT64: 4, INT8: 9 } as const;

export interface CraftedTensor {
  name: string;
  shape: readonly number[];
  /** @default TensorType.FLOAT32 */
  type?: number;
  /** Constant data, little-endian. */
  data?: Float32Array | Int32Array | Int8Array | Uint8Array;
  quantization?: { scale: readonly number[]; zeroPoint: readonly number[]; axis?: number };
}

export interface CraftedOperator {
  /** BuiltinOperator code. */
  code: number;
  inputs: readonly number[];
  outputs: readonly number[];
  /** The builtin options table's fields. */
  options?: Field[];
}

export interface CraftedModel {
  tensors: readonly CraftedTensor[];
  inputs: readonly number[];
  outputs: readonly number[];
  operators: readonly CraftedOperator[];
}

const bytesOf = (data: CraftedTensor['data']) => (data ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength) : undefined);

/** The `.tflite` bytes of a one-subgraph model. */
export function craftTflite(model: CraftedModel): Uint8Array {
  const codes = [...new Set(model.operators.map((op) => op.code))];
  const buffers: Field[][] = [[]];
  const tensors = model.tensors.map((t): Field[] => {
    const fields: Field[] = [
      { id: 0, i32s: t.shape },
      { id: 1, i8: t.type ?? TensorType.FLOAT32 },
      { id: 3, string: t.name },
    ];
    const data = bytesOf(t.data);
    if (data) {
      fields.push({ id: 2, i32: buffers.length });
      buffers.push([{ id: 0, bytes: data }]);
    }
    if (t.quantization) {
      const q = t.quantization;
      fields.push({ id: 4, table: [{ id: 2, f32s: q.scale }, { id: 3, i64s: q.zeroPoint }, { id: 6, i32: q.axis ?? 0 }] });
    }
    return fields;
  });
  const operators = model.operators.map((op): Field[] => [
    { id: 0, i32: codes.indexOf(op.code) },
    { id: 1, i32s: op.inputs },
    { id: 2, i32s: op.outputs },
    ...(op.options ? [{ id: 4, table: op.options }] : []),
  ]);
  const subgraph: Field[] = [
    { id: 0, tables: tensors },
    { id: 1, i32s: model.inputs },
    { id: 2, i32s: model.outputs },
    { id: 3, tables: operators },
    { id: 4, string: 'main' },
  ];
  return new Writer().finish([
    { id: 0, i32: 3 },
    { id: 1, tables: codes.map((code) => [{ id: 0, i8: Math.min(code, 127) }, { id: 2, i32: 1 }, { id: 3, i32: code }]) },
    { id: 2, tables: [subgraph] },
    { id: 3, string: 'crafted by the Pastiche tests' },
    { id: 4, tables: buffers },
  ]);
}
