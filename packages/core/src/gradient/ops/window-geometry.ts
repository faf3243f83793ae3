import type { NodeProto } from '../../onnx/onnx-types.js';
import { intAttr, intsAttr, stringAttr } from '../../onnx/node-attributes.js';
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
  const geometry = {
    kernel: [...kernel],
    strides: intsAttr(node, 'strides', new Array<number>(n).fill(1))!,
    dilations: intsAttr(node, 'dilations', new Array<number>(n).fill(1))!,
    padsBegin: pads.slice(0, n),
    padsEnd: pads.slice(n),
    ceilMode: intAttr(node, 'ceil_mode', 0) === 1,
  };
  checkGeometry(node, geometry, pads);
  return geometry;
}

/**
 * Refuses a window no network has: sizes that are not positive integers, or a pad wider than the (dilated) kernel,
 * which only adds padding to the map (a pad of 100000 made one run of a 16×16 image take ten seconds).
 */
function checkGeometry(node: NodeProto, g: WindowGeometry, pads: readonly number[]): void {
  const n = g.kernel.length;
  const positive = (values: readonly number[]) => values.length === n && values.every((v) => Number.isInteger(v) && v >= 1);
  for (const [name, values] of [['kernel_shape', g.kernel], ['strides', g.strides], ['dilations', g.dilations]] as const) {
    if (!positive(values)) throw unsupported(node, `${name} [${values.join(', ')}] is not ${n} positive integers`);
  }
  const extent = effectiveKernel(g);
  const wide = (i: number) => pads[i] > extent[i % n];
  if (pads.length !== 2 * n || pads.some((p) => !Number.isInteger(p) || p < 0) || pads.some((_, i) => wide(i))) {
    throw unsupported(node, `pads [${pads.join(', ')}] are not ${2 * n} integers from 0 to the kernel's extent [${extent.join(', ')}]`);
  }
}

/** Effective kernel extent d·(k−1)+1 per axis. */
export function effectiveKernel(g: WindowGeometry): number[] {
  return g.kernel.map((k, i) => g.dilations[i] * (k - 1) + 1);
}

/** The spatial axes 2, 3, … of an N,C,spatial… tensor. */
export function spatialAxes(g: WindowGeometry): number[] {
  return g.kernel.map((_, i) => i + 2);
}
