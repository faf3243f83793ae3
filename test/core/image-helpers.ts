import { expect } from 'vitest';
import type { PlanarImage } from '../../packages/core/src/image/image-types.js';

/** Asserts that `fn` throws an instance of `type` with exactly `message`. */
export function expectError(fn: () => unknown, type: new (...args: never[]) => Error, message: string): void {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught, 'expected a throw').toBeInstanceOf(type);
  expect((caught as Error).message).toBe(message);
}

/** A planar image from its three planes, each listed row by row. */
export function planar(width: number, height: number, r: number[], g: number[], b: number[]): PlanarImage {
  return { data: Float32Array.from([...r, ...g, ...b]), width, height };
}

/** Deterministic pseudo-random image with values in 0..255 (mulberry32). */
export function randomPlanar(width: number, height: number, seed = 1): PlanarImage {
  let s = seed >>> 0;
  const data = new Float32Array(3 * width * height);
  for (let i = 0; i < data.length; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    data[i] = (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 255;
  }
  return { data, width, height };
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
