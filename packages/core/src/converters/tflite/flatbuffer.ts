/**
 * A minimal reader of FlatBuffers tables (what a `.tflite` file is), enough for the TFLite schema: scalars,
 * strings, vectors of scalars and of tables, unions as (type, table) and nested tables. Every offset is checked
 * against the buffer, so a truncated or corrupt file fails with a RangeError that the caller turns into E_CONVERT
 * rather than reading garbage.
 */
export class FlatTable {
  private readonly view: DataView;
  private readonly vtable: number;
  private readonly vtableSize: number;

  /** The table at absolute byte position `pos` of `bytes`. */
  constructor(
    readonly bytes: Uint8Array,
    readonly pos: number,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    checkRange(bytes, pos, 4, 'table');
    this.vtable = pos - this.view.getInt32(pos, true);
    checkRange(bytes, this.vtable, 4, 'vtable');
    this.vtableSize = this.view.getUint16(this.vtable, true);
    checkRange(bytes, this.vtable, this.vtableSize, 'vtable');
  }

  /** The root table of a buffer (its first 4 bytes point at it). */
  static root(bytes: Uint8Array): FlatTable {
    checkRange(bytes, 0, 8, 'root offset');
    return new FlatTable(bytes, new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0, true));
  }

  /** Absolute position of field `id`'s value, or 0 when the field is absent (default value). */
  private field(id: number): number {
    const entry = 4 + 2 * id;
    if (entry + 2 > this.vtableSize) return 0;
    const offset = this.view.getUint16(this.vtable + entry, true);
    return offset === 0 ? 0 : this.pos + offset;
  }

  has(id: number): boolean {
    return this.field(id) !== 0;
  }

  int8(id: number, fallback = 0): number {
    const p = this.field(id);
    return p ? this.view.getInt8(checkRange(this.bytes, p, 1, 'int8')) : fallback;
  }

  uint8(id: number, fallback = 0): number {
    const p = this.field(id);
    return p ? this.view.getUint8(checkRange(this.bytes, p, 1, 'uint8')) : fallback;
  }

  bool(id: number, fallback = false): boolean {
    return this.uint8(id, fallback ? 1 : 0) !== 0;
  }

  int32(id: number, fallback = 0): number {
    const p = this.field(id);
    return p ? this.view.getInt32(checkRange(this.bytes, p, 4, 'int32'), true) : fallback;
  }

  uint32(id: number, fallback = 0): number {
    const p = this.field(id);
    return p ? this.view.getUint32(checkRange(this.bytes, p, 4, 'uint32'), true) : fallback;
  }

  float32(id: number, fallback = 0): number {
    const p = this.field(id);
    return p ? this.view.getFloat32(checkRange(this.bytes, p, 4, 'float32'), true) : fallback;
  }

  /** A uint64 as a number (exact up to 2^53, which covers every file offset and size). */
  uint64(id: number, fallback = 0): number {
    const p = this.field(id);
    return p ? Number(this.view.getBigUint64(checkRange(this.bytes, p, 8, 'uint64'), true)) : fallback;
  }

  /** Absolute position of what an offset field points at, or 0 when absent. */
  private indirect(id: number): number {
    const p = this.field(id);
    if (!p) return 0;
    checkRange(this.bytes, p, 4, 'offset');
    return p + this.view.getUint32(p, true);
  }

  table(id: number): FlatTable | undefined {
    const p = this.indirect(id);
    return p ? new FlatTable(this.bytes, p) : undefined;
  }

  string(id: number): string | undefined {
    const v = this.vectorAt(id, 1);
    return v ? new TextDecoder().decode(this.bytes.subarray(v.start, v.start + v.length)) : undefined;
  }

  /** Position and length of a vector of `elementSize`-byte elements, or undefined when absent. */
  private vectorAt(id: number, elementSize: number): { start: number; length: number } | undefined {
    const p = this.indirect(id);
    if (!p) return undefined;
    checkRange(this.bytes, p, 4, 'vector length');
    const length = this.view.getUint32(p, true);
    checkRange(this.bytes, p + 4, length * elementSize, 'vector');
    return { start: p + 4, length };
  }

  /** A vector of bytes, as a view into the buffer (not a copy). */
  bytesVector(id: number): Uint8Array | undefined {
    const v = this.vectorAt(id, 1);
    return v ? this.bytes.subarray(v.start, v.start + v.length) : undefined;
  }

  int32Vector(id: number): number[] | undefined {
    const v = this.vectorAt(id, 4);
    return v && Array.from({ length: v.length }, (_, i) => this.view.getInt32(v.start + 4 * i, true));
  }

  float32Vector(id: number): number[] | undefined {
    const v = this.vectorAt(id, 4);
    return v && Array.from({ length: v.length }, (_, i) => this.view.getFloat32(v.start + 4 * i, true));
  }

  /** A vector of int64 as numbers (zero points and the like are small). */
  int64Vector(id: number): number[] | undefined {
    const v = this.vectorAt(id, 8);
    return v && Array.from({ length: v.length }, (_, i) => Number(this.view.getBigInt64(v.start + 8 * i, true)));
  }

  tableVector(id: number): FlatTable[] {
    const v = this.vectorAt(id, 4);
    if (!v) return [];
    return Array.from({ length: v.length }, (_, i) => {
      const p = v.start + 4 * i;
      return new FlatTable(this.bytes, p + this.view.getUint32(p, true));
    });
  }
}

function checkRange(bytes: Uint8Array, pos: number, size: number, what: string): number {
  if (!(pos >= 0 && size >= 0 && pos + size <= bytes.byteLength)) {
    throw new RangeError(`the flatbuffer's ${what} at byte ${pos} (${size} bytes) lies outside its ${bytes.byteLength} bytes`);
  }
  return pos;
}
