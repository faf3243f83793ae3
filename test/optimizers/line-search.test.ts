import { describe, expect, it } from 'vitest';
import { cubicInterpolate, strongWolfeLineSearch, type LinePoint } from '../../packages/core/src/optimizers/line-search.js';

/** A 1-D line φ(t) with derivative, as LinePoints (x and g are unused by the search). */
function line(phi: (t: number) => number, dphi: (t: number) => number) {
  const trials: number[] = [];
  const at = (t: number): LinePoint => ({ t, f: phi(t), gtd: dphi(t), x: new Float32Array(0), g: new Float32Array(0) });
  return { trials, start: at(0), phi: async (t: number) => (trials.push(t), at(t)) };
}

const options = { c1: 1e-4, c2: 0.9, toleranceChange: 1e-9, maxEvaluations: 25 };

describe('cubicInterpolate', () => {
  it('finds the exact minimiser of a quadratic from two points and slopes', () => {
    // φ(t) = (t − 2)²: φ(0) = 4, φ'(0) = −4, φ(3) = 1, φ'(3) = 2.
    expect(cubicInterpolate(0, 4, -4, 3, 1, 2)).toBeCloseTo(2, 12);
    expect(cubicInterpolate(3, 1, 2, 0, 4, -4)).toBeCloseTo(2, 12);
  });

  it('finds the local minimiser of a cubic', () => {
    // φ(t) = t³ − 3t has its local minimum at t = 1: φ(0) = 0, φ'(0) = −3, φ(2) = 2, φ'(2) = 9.
    expect(cubicInterpolate(0, 0, -3, 2, 2, 9)).toBeCloseTo(1, 12);
  });

  it('clamps into the given bounds and falls back to their midpoint', () => {
    expect(cubicInterpolate(0, 4, -4, 3, 1, 2, 2.5, 10)).toBe(2.5);
    // d1² − g1·g2 < 0: no real minimiser.
    expect(cubicInterpolate(0, 0, -1.5, 1, -1, -1.5, 0, 1)).toBe(0.5);
    expect(cubicInterpolate(0, 0, -1, 1, Infinity, NaN)).toBe(0.5);
  });
});

describe('strongWolfeLineSearch', () => {
  it('accepts the first trial when it already satisfies both conditions', async () => {
    const l = line((t) => (t - 1) ** 2, (t) => 2 * (t - 1));
    const { point, evaluations } = await strongWolfeLineSearch(l.phi, l.start, 1, 1, options);
    expect(evaluations).toBe(1);
    expect(point.t).toBe(1);
  });

  it('extrapolates from a step that is too short', async () => {
    const l = line((t) => (t - 100) ** 2, (t) => 2 * (t - 100));
    const { point, evaluations } = await strongWolfeLineSearch(l.phi, l.start, 1, 1, options);
    expect(l.trials[1]).toBeGreaterThan(1);
    expect(l.trials[1]).toBeLessThanOrEqual(10);
    expect(point.f).toBeLessThanOrEqual(l.start.f + 1e-4 * point.t * l.start.gtd);
    expect(Math.abs(point.gtd)).toBeLessThanOrEqual(0.9 * Math.abs(l.start.gtd));
    expect(evaluations).toBe(l.trials.length);
  });

  it('zooms into a step that is too long', async () => {
    const l = line((t) => (t - 0.01) ** 2, (t) => 2 * (t - 0.01));
    const { point, evaluations } = await strongWolfeLineSearch(l.phi, l.start, 1, 1, options);
    // A cubic through the ends of the bracket [0, 1] is exact on a quadratic.
    expect(evaluations).toBe(2);
    expect(point.t).toBeCloseTo(0.01, 12);
  });

  it('backs off from non-finite values', async () => {
    const l = line((t) => (t > 0.5 ? Infinity : (t - 0.3) ** 2), (t) => (t > 0.5 ? NaN : 2 * (t - 0.3)));
    const { point } = await strongWolfeLineSearch(l.phi, l.start, 1, 1, options);
    expect(point.t).toBeGreaterThan(0);
    expect(point.t).toBeLessThanOrEqual(0.5);
    expect(Number.isFinite(point.f)).toBe(true);
  });

  it('returns the start point when nothing decreases the loss within the budget', async () => {
    // The slope claims descent but the function rises everywhere: a wrong gradient.
    const l = line((t) => t, () => 1);
    const start = { ...l.start, gtd: -1 };
    const { point, evaluations } = await strongWolfeLineSearch(l.phi, start, 1, 1, { ...options, maxEvaluations: 6 });
    expect(point).toBe(start);
    expect(evaluations).toBe(6);
  });

  it('keeps the best sufficient-decrease point when the budget ends while extrapolating', async () => {
    const l = line((t) => -t, () => -1);
    const { point, evaluations } = await strongWolfeLineSearch(l.phi, l.start, 1, 1, { ...options, maxEvaluations: 3 });
    expect(evaluations).toBe(3);
    expect(point.t).toBe(l.trials[2]);
    expect(l.trials[2]).toBeGreaterThan(l.trials[1]);
  });
});
