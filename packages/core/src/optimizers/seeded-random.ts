import { describeValue } from '../errors.js';

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
    if (typeof seed !== 'number' || Number.isNaN(seed)) {
      throw new TypeError(`Expected integer between 0 and 4294967295 for seed but received ${describeValue(seed)}`);
    }
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
      throw new RangeError(`Expected integer between 0 and 4294967295 for seed but received ${seed}`);
    }
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
    checkTarget(target);
    if (!isFiniteNumber(low)) throw new TypeError(`Expected finite number for low but received ${describeValue(low)}`);
    if (!isFiniteNumber(high)) throw new TypeError(`Expected finite number for high but received ${describeValue(high)}`);
    if (!(low < high)) throw new RangeError(`Expected low < high but received low ${low} and high ${high}`);
    for (let i = 0; i < target.length; i++) target[i] = low + (high - low) * this.uniform();
    return target;
  }

  /** Fills `target` with normal values of the given mean and standard deviation and returns it. */
  fillNormal(target: Float32Array, mean = 0, std = 1): Float32Array {
    checkTarget(target);
    if (!isFiniteNumber(mean)) throw new TypeError(`Expected finite number for mean but received ${describeValue(mean)}`);
    if (!isFiniteNumber(std)) throw new TypeError(`Expected non-negative number for std but received ${describeValue(std)}`);
    if (std < 0) throw new RangeError(`Expected non-negative number for std but received ${std}`);
    for (let i = 0; i < target.length; i++) target[i] = mean + std * this.normal();
    return target;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

function checkTarget(target: unknown): void {
  if (!(target instanceof Float32Array)) throw new TypeError(`Expected Float32Array for target but received ${describeValue(target)}`);
}
