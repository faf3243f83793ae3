import { PasticheError } from '../errors.js';
import { METADATA_KEYS } from '../models/metadata-keys.js';
import { GraphBuilder, TensorDataType } from '../onnx/index.js';
import { conv } from './graph-layers.js';

/**
 * What every imported loss network shares: the input `image` [1, 3, height, width], RGB 0..255 NCHW, with
 * the network's own preprocessing folded into a first 1×1 Conv (differentiable like any other conv, so a
 * gradient graph needs no special case), and the `pastiche.*` metadata that names the selectable layers.
 */

/** The input of every loss network. */
export const LOSS_INPUT = 'image';
export const LOSS_INPUT_SHAPE = [1, 3, 'height', 'width'] as const;
/** The output of the folded preprocessing conv. */
export const PREPROCESSED = 'preprocessed';

/** What an importer needs to know about a loss network besides its weights (from the catalog). */
export interface LossNetworkInfo {
  /** Short identifier, e.g. `squeezenet1.1`. */
  name: string;
  title: string;
  /** Where the weights come from (a URL). */
  source: string;
  /** SPDX identifier or short licence text. */
  license: string;
}

export interface LossNetworkLayers {
  /** Selectable layer tensors, in network order. */
  layers: readonly string[];
  defaultContentLayers: readonly string[];
  defaultStyleLayers: readonly string[];
}

export function lossNetworkInput(g: GraphBuilder): string {
  return g.input(LOSS_INPUT, TensorDataType.FLOAT, LOSS_INPUT_SHAPE);
}

export interface Preprocessing {
  /** Feed the network BGR instead of RGB. */
  swapRedBlue: boolean;
  /** Subtracted per channel after scaling, in the network's channel order. */
  mean: readonly [number, number, number];
  /** Divided by per channel after the mean, in the network's channel order. @default [1, 1, 1] */
  std?: readonly [number, number, number];
  /** Multiplies the 0..255 input first, e.g. 1/255. @default 1 */
  scale?: number;
}

/**
 * `(permute(x) * scale - mean) / std` as one 1×1 Conv on the RGB 0..255 input: weight[o][i] is
 * scale / std[o] where input channel i feeds network channel o, bias[o] is -mean[o] / std[o].
 */
export function foldPreprocessing(g: GraphBuilder, x: string, p: Preprocessing): string {
  const std = p.std ?? [1, 1, 1];
  const scale = p.scale ?? 1;
  const weight = new Float32Array(9);
  const bias = new Float32Array(3);
  for (let o = 0; o < 3; o++) {
    const i = p.swapRedBlue ? 2 - o : o;
    weight[o * 3 + i] = scale / std[o];
    bias[o] = -p.mean[o] / std[o];
  }
  return conv(g, x, { name: 'preprocess', weight, weightDims: [3, 3, 1, 1], bias, stride: 1, output: PREPROCESSED });
}

/** Declares a feature map [1, channels, *, *] as a graph output, with its own symbolic height and width. */
export function featureOutput(g: GraphBuilder, name: string, channels: number): string {
  return g.output(name, TensorDataType.FLOAT, [1, channels, `${name}_height`, `${name}_width`]);
}

/** Checks that the defaults are selectable layers; throws PasticheError `E_CONVERT` naming the first that is not. */
export function checkLayers(network: string, l: LossNetworkLayers, defined: (name: string) => boolean): void {
  const fail = (problem: string) => new PasticheError('E_CONVERT', `${network}: ${problem}`);
  for (const name of l.layers) if (!defined(name)) throw fail(`the graph has no layer tensor ${name}`);
  for (const name of [...l.defaultContentLayers, ...l.defaultStyleLayers]) {
    if (!l.layers.includes(name)) throw fail(`default layer ${name} is not one of ${l.layers.join(', ')}`);
  }
}

/**
 * The `pastiche.*` metadata of a loss network whose input is RGB 0..255 NCHW (preprocessing folded in, so
 * there is no mean or std to apply outside).
 */
export function lossNetworkMetadata(info: LossNetworkInfo, l: LossNetworkLayers): Record<string, string> {
  const k = METADATA_KEYS;
  return {
    [k.name]: info.name,
    [k.title]: info.title,
    [k.source]: info.source,
    [k.license]: info.license,
    [k.kind]: 'loss-network',
    [k.inputLayout]: 'NCHW',
    [k.inputRange]: '0-255',
    [k.inputChannelOrder]: 'RGB',
    [k.layers]: l.layers.join(','),
    [k.defaultContentLayers]: l.defaultContentLayers.join(','),
    [k.defaultStyleLayers]: l.defaultStyleLayers.join(','),
  };
}
