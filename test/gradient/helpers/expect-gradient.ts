import { expect } from 'vitest';
import type { ModelProto } from '@pastiche/core';
import { type BuildLossGraphsOptions, type LossSpec } from '../../../packages/core/src/gradient/index.js';
import { checkGradient, LossGraphRunner, type GradientCheckResult } from './gradient-check.js';

/*
 * Finite-difference tolerances of the op checks (float32 forward, float64 loss, step 1/4 on 0..255):
 *   loss terms vs float64 reference     relative < 1e-4
 *   directional derivatives (3 random)  relative < 1e-2 (retried likewise)
 *   every element (small images)        |g − FD| < 5e-3 · max|g| (an element over 1e-3 is retried with
 *                                       steps 1/16, 1/64, 1/256 first: a kink inside the step spoils it)
 * Measured errors are ~1e-4 to 2e-3: float32 noise and the odd ReLU/max kink inside the step.
 */
export const TOLERANCE = { term: 1e-4, directional: 1e-2, element: 5e-3 } as const;

/** The sizes every op is checked at: odd and even, so ceil modes, stride remainders and reflect edges differ. */
export const SIZES: readonly (readonly [number, number])[] = [
  [7, 9],
  [8, 10],
];

/** Collected results, printed by {@link printReport} when GRADIENT_REPORT is set. */
const results: { name: string; size: string; result: GradientCheckResult }[] = [];

/**
 * Builds the loss graphs of `model` for `spec` (default: content loss on `layer`) and checks the gradient
 * against finite differences at each size with one pair of graphs (so also that one graph serves all sizes).
 */
export async function expectGradient(
  name: string,
  model: ModelProto,
  spec: LossSpec,
  options: { sizes?: readonly (readonly [number, number])[]; perElement?: boolean; weights?: Float32Array; build?: BuildLossGraphsOptions } = {},
): Promise<GradientCheckResult[]> {
  const runner = await LossGraphRunner.create(model, spec, options.build);
  const out: GradientCheckResult[] = [];
  for (const [height, width] of options.sizes ?? SIZES) {
    const result = await checkGradient(runner, { height, width, perElement: options.perElement ?? true, weights: options.weights });
    results.push({ name, size: `${height}x${width}`, result });
    expect(result.gradMax, `${name} ${height}x${width}: gradient is zero`).toBeGreaterThan(0);
    expect(result.termError, `${name} ${height}x${width}: loss terms`).toBeLessThan(TOLERANCE.term);
    expect(result.directionalError, `${name} ${height}x${width}: directional FD`).toBeLessThan(TOLERANCE.directional);
    if (options.perElement ?? true) expect(result.elementError, `${name} ${height}x${width}: per-element FD`).toBeLessThan(TOLERANCE.element);
    out.push(result);
  }
  return out;
}

/** A content term on one layer (and a style term when the layer is a 4-D feature map). */
export function specFor(layer: string, options: { style?: boolean } = {}): LossSpec {
  return { content: [{ layer, weight: 1 }], style: options.style ? [{ layer, weight: 1 }] : [], tvWeight: 0 };
}

export function printReport(): void {
  if (!process.env.GRADIENT_REPORT) return;
  const fmt = (x: number) => (Number.isNaN(x) ? '-' : x.toExponential(1));
  for (const { name, size, result } of results) {
    console.log(`${name.padEnd(48)} ${size.padEnd(6)} term ${fmt(result.termError)}  dir ${fmt(result.directionalError)}  elem ${fmt(result.elementError)}  retried ${result.retried}`);
  }
}
