import { attr, float32Tensor, GraphBuilder } from '../onnx/index.js';
import { convertError } from './convert-error.js';
import { conv } from './graph-layers.js';
import { NCNN_PARAM_LABEL, type NcnnLayer } from './ncnn-param.js';
import type { NcnnWeights } from './ncnn-weights.js';

/**
 * An ncnn network (parsed .param, .bin reader) as ONNX nodes, generically for the layer types plain CNN
 * classifiers use: Input, Convolution (with fused ReLU), ReLU, Pooling (max with ncnn's padding modes, global
 * max/average), Concat, Split, Dropout, Softmax.
 */

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
  /** Names the .param in messages, e.g. `squeezenet_v1.1.param`. @default 'the ncnn .param' */
  paramFile?: string;
}

/**
 * Adds the nodes of an ncnn network to `g`, reading the weights in file order. Returns every blob's value.
 * @throws PasticheError `E_CONVERT` naming the .param (and line) for layer types and parameters outside the
 *   supported set, or the .bin for weights that do not fit.
 */
export function addNcnnLayers(g: GraphBuilder, layers: readonly NcnnLayer[], weights: NcnnWeights, options: NcnnGraphOptions): Map<string, NcnnValue> {
  const paramFile = options.paramFile ?? NCNN_PARAM_LABEL;
  const fail = (problem: string): never => {
    throw convertError(paramFile, problem);
  };
  /** A scalar parameter, or its default. */
  const param = (layer: NcnnLayer, key: number, fallback: number): number => {
    const value = layer.params.get(key) ?? fallback;
    if (typeof value !== 'number') fail(`Expected a number for ${key}= of ${layer.type} ${layer.name} (line ${layer.line})`);
    return value as number;
  };
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
    return value ?? fail(`${layer.type} ${layer.name} (line ${layer.line}) reads blob ${layer.bottoms[i]} that no earlier layer makes`);
  };
  const define = (layer: NcnnLayer, value: NcnnValue, i = 0) => {
    if (blobs.has(layer.tops[i])) fail(`Blob ${layer.tops[i]} is made twice (line ${layer.line})`);
    blobs.set(layer.tops[i], value);
  };
  const unsupported = (layer: NcnnLayer, what: string): never => fail(`Unsupported ${what} in ${layer.type} ${layer.name} (line ${layer.line})`);

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
          fail(
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
