import type { NodeProto } from '../../onnx/onnx-types.js';
import { intAttr, intsAttr, stringAttr } from '../node-attributes.js';
import { unsupported } from './backward-rule.js';

/** Sliding-window attributes of Conv and the pools, one entry per spatial axis, defaults applied. */
export interface WindowGeometry {
  kernel: number[];
  strides: number[];
  dilations: number[];
  padsBegin: number[];
  padsEnd: number[];
  ceilMode: boolean;
}

/**
 * Reads kernel/strides/dilations/pads/ceil_mode. SAME_* auto padding depends on the input size, so it is
 * refused rather than guessed; VALID means zero pads.
 */
export function windowGeometry(node: NodeProto, kernel: readonly number[]): WindowGeometry {
  const n = kernel.length;
  const autoPad = stringAttr(node, 'auto_pad', 'NOTSET');
  if (autoPad !== 'NOTSET' && autoPad !== 'VALID') throw unsupported(node, `auto_pad ${autoPad} is not supported (export with explicit pads)`);
  const pads = autoPad === 'VALID' ? new Array<number>(2 * n).fill(0) : intsAttr(node, 'pads', new Array<number>(2 * n).fill(0))!;
  return {
    kernel: [...kernel],
    strides: intsAttr(node, 'strides', new Array<number>(n).fill(1))!,
    dilations: intsAttr(node, 'dilations', new Array<number>(n).fill(1))!,
    padsBegin: pads.slice(0, n),
    padsEnd: pads.slice(n),
    ceilMode: intAttr(node, 'ceil_mode', 0) === 1,
  };
}

/** Effective kernel extent d·(k−1)+1 per axis. */
export function effectiveKernel(g: WindowGeometry): number[] {
  return g.kernel.map((k, i) => g.dilations[i] * (k - 1) + 1);
}

/** The spatial axes 2, 3, … of an N,C,spatial… tensor. */
export function spatialAxes(g: WindowGeometry): number[] {
  return g.kernel.map((_, i) => i + 2);
}
