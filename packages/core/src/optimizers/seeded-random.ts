import { expectInstance, expectInteger, expectNumber, invalidValue } from '../arguments.js';

/**
 * A small reproducible PRNG for noise initialisation: xoshiro128** (Blackman & Vigna). The 128-bit state
 * is four outputs of a golden-ratio counter hashed with MurmurHash3's fmix32, so nearby seeds give
 * unrelated streams. Not for cryptography.
 */
export class SeededRandom {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  /** Second Box–Muller variate, kept for the next `normal()` call. */
  private spare: number | undefined;

  /** @param seed an integer in [0, 2³² − 1]. */
  constructor(seed: number) {
    expectInteger('seed', seed, { min: 0, max: 0xffffffff });
    let state = seed | 0;
    const next = (): number => {
      state = (state + 0x9e3779b9) | 0;
      let z = state;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) | 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
  }

  /** The next 32 random bits as an unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9);
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result >>> 0;
  }

  /** Uniform in [0, 1), with 32 bits of resolution. */
  uniform(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Standard normal (Box–Muller; two variates per pair of uniforms). */
  normal(): number {
    if (this.spare !== undefined) {
      const value = this.spare;
      this.spare = undefined;
      return value;
    }
    const radius = Math.sqrt(-2 * Math.log(1 - this.uniform()));
    const angle = 2 * Math.PI * this.uniform();
    this.spare = radius * Math.sin(angle);
    return radius * Math.cos(angle);
  }

  /** Fills `target` with uniform values in [low, high) and returns it. */
  fillUniform(target: Float32Array, low = 0, high = 1): Float32Array {
    expectInstance('target', target, Float32Array);
    expectNumber('low', low);
    expectNumber('high', high);
    if (!(low < high)) throw invalidValue('high', `number above low (${low})`, high);
    for (let i = 0; i < target.length; i++) target[i] = low + (high - low) * this.uniform();
    return target;
  }

  /** Fills `target` with normal values of the given mean and standard deviation and returns it. */
  fillNormal(target: Float32Array, mean = 0, std = 1): Float32Array {
    expectInstance('target', target, Float32Array);
    expectNumber('mean', mean);
    expectNumber('std', std, { min: 0 });
    for (let i = 0; i < target.length; i++) target[i] = mean + std * this.normal();
    return target;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
