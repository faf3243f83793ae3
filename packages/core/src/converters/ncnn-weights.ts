import { readFloat16, readFloat32 } from '../onnx/index.js';
import { convertError } from './convert-error.js';

/** ncnn's tag for fp16 weights that follow. */
export const NCNN_FP16_TAG = 0x01306b47;
/** ncnn's tag for int8 weights that follow. */
const NCNN_INT8_TAG = 0x000d4b38;
/** ncnn's tag for raw float32 weights that follow. */
const NCNN_FP32_TAG = 0x0002c056;

/** What a .bin is called in messages when the caller gives no file name. */
export const NCNN_BIN_LABEL = 'the ncnn .bin';

/**
 * Reads an ncnn `.bin` (weights) in order, as ncnn's ModelBinFromDataReader does.
 * Throws PasticheError `E_CONVERT` naming `file` when the weights end early, are quantized, or run on.
 */
export class NcnnWeights {
  private offset = 0;
  constructor(
    private readonly bin: Uint8Array,
    /** Names the file in messages, e.g. `squeezenet_v1.1.bin`. */
    readonly file = NCNN_BIN_LABEL,
  ) {}

  get position(): number {
    return this.offset;
  }

  /** A weight blob with its 4-byte storage tag: fp16, fp32 tag, or a zero flag then fp32. */
  tagged(count: number, what: string): Float32Array {
    if (this.offset + 4 > this.bin.byteLength) throw convertError(this.file, `ncnn weights end early: ${what} starts at byte ${this.offset}, the file has ${this.bin.byteLength}`);
    const view = new DataView(this.bin.buffer, this.bin.byteOffset + this.offset, 4);
    const tag = view.getUint32(0, true);
    this.offset += 4;
    if (tag === NCNN_FP16_TAG) {
      if (this.offset + count * 2 > this.bin.byteLength) throw convertError(this.file, `ncnn weights end early in ${what}`);
      const data = readFloat16(this.bin, count, this.offset);
      this.offset += Math.ceil((count * 2) / 4) * 4; // ncnn aligns each blob to 4 bytes
      return data;
    }
    if (tag === NCNN_FP32_TAG || tag === 0) return this.raw(count, what);
    const kind = tag === NCNN_INT8_TAG ? 'int8' : `quantized (flag 0x${tag.toString(16)})`;
    throw convertError(this.file, `Unsupported ${kind} ncnn weights for ${what} at byte ${this.offset - 4}: only fp16 and fp32 storage can be imported`);
  }

  /** Untagged float32 values, as ncnn stores biases. */
  raw(count: number, what: string): Float32Array {
    if (this.offset + count * 4 > this.bin.byteLength) {
      throw convertError(this.file, `ncnn weights end early: ${what} needs ${count * 4} bytes at ${this.offset}, the file has ${this.bin.byteLength}`);
    }
    const data = readFloat32(this.bin, count, this.offset);
    this.offset += count * 4;
    return data;
  }

  /** Throws unless every byte was read. */
  finish(): void {
    if (this.offset !== this.bin.byteLength) throw convertError(this.file, `Expected the ncnn weights to end at byte ${this.offset} but the file has ${this.bin.byteLength} bytes`);
  }
}
