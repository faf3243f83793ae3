import { attr, float32Tensor, GraphBuilder, readFloat16, readFloat32 } from '../onnx/index.js';
import { conv } from './graph-layers.js';

/**
 * ncnn's text network description (`.param`) and weights (`.bin`), turned into ONNX nodes generically for
 * the layer types plain CNN classifiers use: Input, Convolution (with fused ReLU), ReLU, Pooling (max with
 * ncnn's padding modes, global max/average), Concat, Split, Dropout, Softmax.
 */

export type NcnnParamValue = number | number[];

export interface NcnnLayer {
  type: string;
  name: string;
  bottoms: string[];
  tops: string[];
  /** `key=value` pairs; array values (keys ≤ -23300 in the file) under their plain key. */
  params: Map<number, NcnnParamValue>;
  /** 1-based line in the .param text, for messages. */
  line: number;
}

/** The first line of every text .param. */
const PARAM_MAGIC = 7767517;
/** Keys at or below this hold arrays: key -23300 - k is array k, value `count,v1,…`. */
const ARRAY_KEY_BASE = -23300;

function parseNumber(text: string, where: string): number {
  const value = Number(text);
  if (text === '' || !Number.isFinite(value)) throw new Error(`Expected a number in ${where} but found ${JSON.stringify(text)}`);
  return value;
}

/** Parses a text `.param`; throws with the line number on anything malformed. */
export function parseNcnnParam(text: string): NcnnLayer[] {
  const lines = text.split(/\r?\n/);
  const content = lines.map((line, i) => ({ tokens: line.trim().split(/\s+/).filter(Boolean), line: i + 1 })).filter((l) => l.tokens.length);
  if (content[0]?.tokens[0] !== String(PARAM_MAGIC)) {
    throw new Error(`Expected an ncnn text .param starting with the magic number ${PARAM_MAGIC} but found ${JSON.stringify(lines[0]?.slice(0, 40) ?? '')}`);
  }
  const [layerCount, blobCount] = (content[1]?.tokens ?? []).map((t) => parseNumber(t, 'the layer and blob counts (line 2)'));
  if (!Number.isInteger(layerCount) || !Number.isInteger(blobCount)) throw new Error('Expected the layer and blob counts on line 2 of the ncnn .param');
  const layers = content.slice(2).map(({ tokens, line }): NcnnLayer => {
    const where = `line ${line} of the ncnn .param`;
    const [type, name, bottomText, topText] = tokens;
    const bottomCount = parseNumber(bottomText ?? '', where);
    const topCount = parseNumber(topText ?? '', where);
    const bottoms = tokens.slice(4, 4 + bottomCount);
    const tops = tokens.slice(4 + bottomCount, 4 + bottomCount + topCount);
    if (bottoms.length !== bottomCount || tops.length !== topCount) throw new Error(`Expected ${bottomCount} inputs and ${topCount} outputs on ${where}`);
    const params = new Map<number, NcnnParamValue>();
    for (const pair of tokens.slice(4 + bottomCount + topCount)) {
      const match = /^(-?\d+)=(.+)$/.exec(pair);
      if (!match) throw new Error(`Expected key=value but found ${JSON.stringify(pair)} on ${where}`);
      const key = Number(match[1]);
      if (key <= ARRAY_KEY_BASE) {
        const [count, ...values] = match[2].split(',').map((v) => parseNumber(v, where));
        if (values.length !== count) throw new Error(`Expected ${count} values for array key ${key} on ${where}`);
        params.set(ARRAY_KEY_BASE - key, values);
      } else {
        params.set(key, parseNumber(match[2], where));
      }
    }
    return { type, name, bottoms, tops, params, line };
  });
  if (layers.length !== layerCount) throw new Error(`The ncnn .param announces ${layerCount} layers but lists ${layers.length}`);
  return layers;
}

/** A scalar parameter, or its default. */
function param(layer: NcnnLayer, key: number, fallback: number): number {
  const value = layer.params.get(key) ?? fallback;
  if (typeof value !== 'number') throw new Error(`Expected a number for ${key}= of ${layer.type} ${layer.name} (line ${layer.line})`);
  return value;
}

/** ncnn's tag for fp16 weights that follow. */
export const NCNN_FP16_TAG = 0x01306b47;
/** ncnn's tag for int8 weights that follow. */
const NCNN_INT8_TAG = 0x000d4b38;
/** ncnn's tag for raw float32 weights that follow. */
const NCNN_FP32_TAG = 0x0002c056;

/** Reads an ncnn `.bin` in order, as ncnn's ModelBinFromDataReader does. */
export class NcnnWeights {
  private offset = 0;
  constructor(private readonly bin: Uint8Array) {}

  get position(): number {
    return this.offset;
  }

  /** A weight blob with its 4-byte storage tag: fp16, fp32 tag, or a zero flag then fp32. */
  tagged(count: number, what: string): Float32Array {
    if (this.offset + 4 > this.bin.byteLength) throw new Error(`ncnn weights end early: ${what} starts at byte ${this.offset}, file has ${this.bin.byteLength}`);
    const view = new DataView(this.bin.buffer, this.bin.byteOffset + this.offset, 4);
    const tag = view.getUint32(0, true);
    this.offset += 4;
    if (tag === NCNN_FP16_TAG) {
      if (this.offset + count * 2 > this.bin.byteLength) throw new Error(`ncnn weights end early in ${what}`);
      const data = readFloat16(this.bin, count, this.offset);
      this.offset += Math.ceil((count * 2) / 4) * 4; // ncnn aligns each blob to 4 bytes
      return data;
    }
    if (tag === NCNN_FP32_TAG || tag === 0) return this.raw(count, what);
    const kind = tag === NCNN_INT8_TAG ? 'int8' : `quantized (flag 0x${tag.toString(16)})`;
    throw new Error(`Unsupported ${kind} ncnn weights for ${what} at byte ${this.offset - 4}: only fp16 and fp32 storage can be imported`);
  }

  /** Untagged float32 values, as ncnn stores biases. */
  raw(count: number, what: string): Float32Array {
    if (this.offset + count * 4 > this.bin.byteLength) {
      throw new Error(`ncnn weights end early: ${what} needs ${count * 4} bytes at ${this.offset}, file has ${this.bin.byteLength}`);
    }
    const data = readFloat32(this.bin, count, this.offset);
    this.offset += count * 4;
    return data;
  }

  /** Throws unless every byte was read. */
  finish(): void {
    if (this.offset !== this.bin.byteLength) throw new Error(`Expected the ncnn weights to end at byte ${this.offset} but the file has ${this.bin.byteLength} bytes`);
  }
}

/** An ONNX value standing for an ncnn blob. */
export interface NcnnValue {
  name: string;
  /** Channels (the first ncnn dimension). */
  channels: number;
}

export interface NcnnGraphOptions {
  /** The value fed to the ncnn `Input` layer (e.g. the folded preprocessing's output), with 3 channels. */
  input: string;
  /**
   * ONNX names for some ncnn blobs; every other blob keeps its ncnn name (renamed if that clashes with
   * one of these). Several blobs may map to one name when a layer only passes its input on.
   */
  names?: Readonly<Record<string, string>>;
  /** Convolution layers whose padding is dropped (see SqueezeNet's conv10). */
  unpadded?: readonly string[];
}

/**
 * Adds the nodes of an ncnn network to `g`, reading the weights in file order. Returns every blob's value.
 * @throws for layer types and parameters outside the supported set, and for weights that do not fit.
 */
export function addNcnnLayers(g: GraphBuilder, layers: readonly NcnnLayer[], weights: NcnnWeights, options: NcnnGraphOptions): Map<string, NcnnValue> {
  const names = options.names ?? {};
  const reserved = new Set(Object.values(names));
  const blobs = new Map<string, NcnnValue>();

  /** The ONNX name of a new value for ncnn blob (or layer) `base`. */
  const nameFor = (base: string): string => {
    const wanted = names[base];
    if (wanted && !g.has(wanted)) return wanted;
    return g.freshName(reserved.has(base) ? `${base}_pre` : base);
  };
  const bottom = (layer: NcnnLayer, i = 0): NcnnValue => {
    const value = blobs.get(layer.bottoms[i]);
    if (!value) throw new Error(`${layer.type} ${layer.name} (line ${layer.line}) reads blob ${layer.bottoms[i]} that no earlier layer makes`);
    return value;
  };
  const define = (layer: NcnnLayer, value: NcnnValue, i = 0) => {
    if (blobs.has(layer.tops[i])) throw new Error(`Blob ${layer.tops[i]} is made twice (line ${layer.line})`);
    blobs.set(layer.tops[i], value);
  };
  const unsupported = (layer: NcnnLayer, what: string): never => {
    throw new Error(`Unsupported ${what} in ${layer.type} ${layer.name} (line ${layer.line} of the ncnn .param)`);
  };

  for (const layer of layers) {
    switch (layer.type) {
      case 'Input':
        define(layer, { name: options.input, channels: 3 });
        break;

      case 'Convolution': {
        const x = bottom(layer);
        const out = param(layer, 0, 0);
        const kw = param(layer, 1, 0);
        const kh = param(layer, 11, kw);
        const dilation = [param(layer, 2, 1), param(layer, 12, param(layer, 2, 1))];
        const sw = param(layer, 3, 1);
        const sh = param(layer, 13, sw);
        const padded = !options.unpadded?.includes(layer.name);
        const left = padded ? param(layer, 4, 0) : 0;
        const right = padded ? param(layer, 15, left) : 0;
        const top = padded ? param(layer, 14, left) : 0;
        const bottomPad = padded ? param(layer, 16, top) : 0;
        const weightCount = param(layer, 6, 0);
        const activation = param(layer, 9, 0);
        if (dilation.some((d) => d !== 1)) unsupported(layer, 'dilation');
        if (sw !== sh) unsupported(layer, `stride ${sw}×${sh}`);
        if ([left, right, top, bottomPad].some((p) => p < 0)) unsupported(layer, 'SAME padding (negative pad)');
        if (param(layer, 8, 0) !== 0) unsupported(layer, 'int8 convolution');
        if (param(layer, 18, 0) !== 0) unsupported(layer, 'non-zero pad value');
        const inChannels = x.channels;
        if (weightCount !== out * inChannels * kh * kw) {
          throw new Error(
            `${layer.name} (line ${layer.line}): expected ${out}×${inChannels}×${kh}×${kw} = ${out * inChannels * kh * kw} weights ` +
              `(${out} outputs, ${inChannels} input channels) but 6= says ${weightCount}`,
          );
        }
        const weight = weights.tagged(weightCount, `${layer.name} weight`);
        const bias = param(layer, 5, 0) ? weights.raw(out, `${layer.name} bias`) : undefined;
        if (activation !== 0 && activation !== 1 && activation !== 2) unsupported(layer, `fused activation type ${activation}`);
        const convOut = activation === 0 ? nameFor(layer.tops[0]) : nameFor(layer.name);
        let y = conv(g, x.name, {
          name: layer.name,
          weight,
          weightDims: [out, inChannels, kh, kw],
          bias,
          stride: sw,
          pads: [top, left, bottomPad, right],
          output: convOut,
        });
        if (activation === 1) y = g.node('Relu', [y], [nameFor(layer.tops[0])])[0];
        if (activation === 2) {
          const slope = layer.params.get(10);
          const alpha = Array.isArray(slope) ? slope[0] : 0;
          y = g.node('LeakyRelu', [y], [nameFor(layer.tops[0])], { alpha: attr.float(alpha) })[0];
        }
        define(layer, { name: y, channels: out });
        break;
      }

      case 'ReLU': {
        const x = bottom(layer);
        const slope = param(layer, 0, 0);
        const [y] =
          slope === 0
            ? g.node('Relu', [x.name], [nameFor(layer.tops[0])])
            : g.node('LeakyRelu', [x.name], [nameFor(layer.tops[0])], { alpha: attr.float(slope) });
        define(layer, { name: y, channels: x.channels });
        break;
      }

      case 'Pooling': {
        const x = bottom(layer);
        const type = param(layer, 0, 0);
        if (type !== 0 && type !== 1) unsupported(layer, `pooling type ${type}`);
        if (param(layer, 7, 0) !== 0) unsupported(layer, 'adaptive pooling');
        if (param(layer, 4, 0)) {
          // Global pooling makes a 1-D ncnn blob (one value per channel): flatten to [1, C].
          const [pooled] = g.node(type === 0 ? 'GlobalMaxPool' : 'GlobalAveragePool', [x.name], [g.freshName(`${layer.tops[0]}_4d`)]);
          const [y] = g.node('Flatten', [pooled], [nameFor(layer.tops[0])], { axis: attr.int(1) });
          define(layer, { name: y, channels: x.channels });
          break;
        }
        if (type !== 0) unsupported(layer, 'windowed average pooling');
        const kw = param(layer, 1, 0);
        const kh = param(layer, 11, kw);
        const sw = param(layer, 2, 1);
        const sh = param(layer, 12, sw);
        const left = param(layer, 3, 0);
        const right = param(layer, 14, left);
        const top = param(layer, 13, left);
        const bottomPad = param(layer, 15, top);
        const padMode = param(layer, 5, 0);
        const attrs: Record<string, ReturnType<typeof attr.int>> = {
          kernel_shape: attr.ints([kh, kw]),
          strides: attr.ints([sh, sw]),
        };
        if (padMode === 0 || padMode === 1) {
          // ncnn's "full" mode pads the bottom/right just enough for a last window: ONNX ceil_mode. With
          // kernel ≥ stride no window can start in the padding, so the two agree exactly.
          if (padMode === 0 && (kw < sw || kh < sh)) unsupported(layer, 'full-padding pooling with kernel < stride');
          attrs.pads = attr.ints([top, left, bottomPad, right]);
          attrs.ceil_mode = attr.int(padMode === 0 ? 1 : 0);
        } else if (padMode === 2 || padMode === 3) {
          attrs.auto_pad = attr.string(padMode === 2 ? 'SAME_UPPER' : 'SAME_LOWER');
        } else {
          unsupported(layer, `pad mode ${padMode}`);
        }
        const [y] = g.node('MaxPool', [x.name], [nameFor(layer.tops[0])], attrs, layer.name);
        define(layer, { name: y, channels: x.channels });
        break;
      }

      case 'Concat': {
        const inputs = layer.bottoms.map((_, i) => bottom(layer, i));
        const axis = param(layer, 0, 0);
        if (axis < 0) unsupported(layer, `negative axis ${axis}`);
        const [y] = g.node('Concat', inputs.map((v) => v.name), [nameFor(layer.tops[0])], { axis: attr.int(axis + 1) }, layer.name);
        const channels = axis === 0 ? inputs.reduce((sum, v) => sum + v.channels, 0) : inputs[0].channels;
        define(layer, { name: y, channels });
        break;
      }

      case 'Split': {
        const x = bottom(layer);
        layer.tops.forEach((_, i) => define(layer, x, i));
        break;
      }

      case 'Dropout': {
        // Inference: the identity, times ncnn's optional scale.
        const x = bottom(layer);
        const scale = param(layer, 0, 1);
        if (scale === 1) {
          define(layer, x);
        } else {
          const s = g.initializer(float32Tensor(g.freshName(`${layer.name}.scale`), [], [scale]));
          define(layer, { name: g.node('Mul', [x.name, s], [nameFor(layer.tops[0])])[0], channels: x.channels });
        }
        break;
      }

      case 'Softmax': {
        const x = bottom(layer);
        const axis = param(layer, 0, 0);
        if (axis < 0) unsupported(layer, `negative axis ${axis}`);
        const [y] = g.node('Softmax', [x.name], [nameFor(layer.tops[0])], { axis: attr.int(axis + 1) }, layer.name);
        define(layer, { name: y, channels: x.channels });
        break;
      }

      default:
        unsupported(layer, `layer type ${layer.type}`);
    }
  }
  return blobs;
}
