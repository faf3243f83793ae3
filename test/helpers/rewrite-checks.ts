/** What the graph-rewrite tests share: seeded weights and inputs, and "the rewritten graph gives the same output". */
import * as ort from 'onnxruntime-node';
import { expect } from 'vitest';

/** Deterministic pseudo-random numbers in [-scale, scale). */
export function noise(count: number, seed: number, scale: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length: count }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s / 2 ** 32 - 0.5) * 2 * scale;
  });
}

/** Runs a test network (input `x` [1,3,H,W], output `y`) on seeded 0..255 pixels of the given size. */
export async function runNetwork(bytes: Uint8Array, width: number, height: number): Promise<{ data: Float32Array; dims: readonly number[] }> {
  const session = await ort.InferenceSession.create(bytes, { logSeverityLevel: 3 });
  try {
    const x = new ort.Tensor('float32', noise(3 * width * height, width * 7 + height, 127.5).map((v) => v + 127.5), [1, 3, height, width]);
    const y = (await session.run({ x })).y!;
    return { data: y.data as Float32Array, dims: y.dims };
  } finally {
    await session.release();
  }
}

/**
 * At each size, the rewritten network's output has the original's shape and differs by at most 1e-3, on outputs that
 * reach past `minRange` (so that an all-zero output cannot pass).
 */
export async function expectSameOutput(original: Uint8Array, rewritten: Uint8Array, sizes: readonly (readonly [number, number])[], minRange: number): Promise<void> {
  for (const [w, h] of sizes) {
    const [a, b] = [await runNetwork(rewritten, w, h), await runNetwork(original, w, h)];
    expect(a.dims, `${w}×${h}`).toEqual(b.dims);
    let max = 0;
    let range = 0;
    for (let i = 0; i < a.data.length; i++) {
      max = Math.max(max, Math.abs(a.data[i]! - b.data[i]!));
      range = Math.max(range, Math.abs(b.data[i]!));
    }
    expect(range, `${w}×${h}: outputs far from zero`).toBeGreaterThan(minRange);
    expect(max, `${w}×${h}`).toBeLessThanOrEqual(1e-3);
  }
}
