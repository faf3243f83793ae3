import type { Quantization, TfliteGraph } from './tflite-graph.js';
import { FusedActivation } from './translate-activation.js';

/**
 * The integer arithmetic of full-integer files, emulated in float32 exactly as XNNPACK (the TFLite CPU runtime's
 * delegate) computes it, so that converted int8 networks give the file's own integers rather than a float
 * approximation of them. Values hold `q − zero_point`; sums of products of such integers are exact in float32
 * while they stay below 2^24, which convolutions of int8 networks do.
 *
 * - Convolutions: integer accumulation, then `acc · scale` in float32 with scale = float32(float32(input scale ·
 *   filter scale) / output scale), clamped, rounded half to even ("fp32 requantization").
 * - ADD, SUB: fixed point with 20 bits of multiplier and a rounding shift (in INT32 ops: float32 would round).
 * - MUL: the product of integers times float32(float32(a scale · b scale) / output scale).
 * - MEAN: the integer sum times input scale / (output scale · count).
 */

const f32 = Math.fround;

/** The integer range a fused activation leaves, in `q − zero_point` (TFLite rounds the bounds half away from zero). */
export function activationBounds(ctx: TfliteGraph, code: number, q: Quantization): [number, number] {
  const at = (real: number) => q.zeroPoint + Math.sign(real / q.scale) * Math.round(Math.abs(real / q.scale));
  let lo = q.min;
  let hi = q.max;
  switch (code) {
    case FusedActivation.NONE:
      break;
    case FusedActivation.RELU:
      lo = Math.max(lo, at(0));
      break;
    case FusedActivation.RELU6:
      lo = Math.max(lo, at(0));
      hi = Math.min(hi, at(6));
      break;
    case FusedActivation.RELU_N1_TO_1:
      lo = Math.max(lo, at(-1));
      hi = Math.min(hi, at(1));
      break;
    default:
      throw ctx.fail(`fused activation ${code} on int8 values is not simulated (NONE, RELU, RELU6 and RELU_N1_TO_1 are)`);
  }
  return [lo - q.zeroPoint, hi - q.zeroPoint];
}

/** XNNPACK's requantization scale of a convolution's output channel, in float32 as it computes it. */
export const convolutionScale = (input: number, filter: number, output: number): number => f32(f32(input * filter) / output);

/** Integers `acc` times `scale` (a scalar or an initializer), clamped to `bounds` and rounded half to even, named `out`. */
export function requantize(ctx: TfliteGraph, acc: string, scale: string, bounds: [number, number], out: string): string {
  const scaled = ctx.node('Mul', [acc, scale], `${out}/scaled`);
  const clamped = ctx.node('Clip', [scaled, ctx.scalar(bounds[0]), ctx.scalar(bounds[1])], `${out}/clamped`);
  return ctx.g.node('Round', [clamped], [out])[0];
}

/** The exponent of a positive float32 (its bits, as XNNPACK reads them). */
function exponent(x: number): number {
  const view = new DataView(new ArrayBuffer(4));
  view.setFloat32(0, x);
  return (view.getUint32(0) >>> 23) - 127;
}

/** Round half to even, as lrintf in the default rounding mode. */
function roundEven(x: number): number {
  const f = Math.floor(x);
  const d = x - f;
  return d > 0.5 || (d === 0.5 && f % 2 !== 0) ? f + 1 : f;
}

/** Fixed-point parameters of XNNPACK's int8 addition: multipliers of 20 bits and the shift that scales them back. */
export interface AddParameters {
  aMultiplier: number;
  bMultiplier: number;
  shift: number;
}

/** XNNPACK's qs8 add parameters; undefined when the scales lie outside the range it accepts. */
export function addParameters(a: Quantization, b: Quantization, out: Quantization, subtract: boolean): AddParameters | undefined {
  const aRatio = f32(a.scale / out.scale);
  const bRatio = f32(b.scale / out.scale);
  const max = Math.max(aRatio, bRatio);
  if (Math.min(aRatio, bRatio) < 2 ** -10 || max >= 2 ** 8) return undefined;
  const shift = 20 - exponent(max);
  if (shift < 12 || shift > 30) return undefined;
  // Adding `shift` to the exponent multiplies exactly by 2^shift; lrintf rounds half to even.
  const aMultiplier = roundEven(aRatio * 2 ** shift);
  const bMultiplier = roundEven(bRatio * 2 ** shift);
  return { aMultiplier, bMultiplier: subtract ? -bMultiplier : bMultiplier, shift };
}
