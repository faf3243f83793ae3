/**
 * Box constraints `lower ≤ x ≤ upper`, the same for every element. Infinite ends mean unbounded, so the
 * unconstrained case runs the same code.
 */

/** Clamps every element of `x` into the box, in place. */
export function projectInPlace(x: Float32Array, lower: number, upper: number): Float32Array {
  if (lower === -Infinity && upper === Infinity) return x;
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    if (v < lower) x[i] = lower;
    else if (v > upper) x[i] = upper;
  }
  return x;
}

/**
 * Whether element i is held by its bound: it sits on the bound and the gradient pushes it outwards, so
 * a descent step cannot move it.
 */
export function isBound(x: number, g: number, lower: number, upper: number): boolean {
  return (x <= lower && g > 0) || (x >= upper && g < 0);
}

/** Largest absolute component of the projected gradient: bound elements count as zero. */
export function projectedGradientNorm(x: Float32Array, g: Float32Array, lower: number, upper: number): number {
  let max = 0;
  for (let i = 0; i < g.length; i++) {
    if (isBound(x[i], g[i], lower, upper)) continue;
    const a = Math.abs(g[i]);
    if (a > max) max = a;
  }
  return max;
}
