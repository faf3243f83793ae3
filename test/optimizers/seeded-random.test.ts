import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../packages/core/src/optimizers/seeded-random.js';

const take = (random: SeededRandom, count: number) => Array.from({ length: count }, () => random.nextUint32());

describe('SeededRandom', () => {
  it('matches the reference C xoshiro128** with the same seeding', () => {
    // Vigna's xoshiro128starstar.c, state = four outputs of the golden-ratio counter + fmix32 (gcc -O2).
    expect(take(new SeededRandom(0), 6)).toEqual([3809008728, 1133695204, 53579671, 2891528803, 139681546, 2203266335]);
    expect(take(new SeededRandom(42), 6)).toEqual([2837322924, 544945897, 479756282, 3500138142, 339756180, 113173290]);
    expect(take(new SeededRandom(4294967295), 6)).toEqual([835879718, 1921286648, 2356205009, 1885780724, 980451116, 1053911718]);
  });

  it('repeats a sequence for the same seed and differs for another', () => {
    const a = new SeededRandom(7);
    const b = new SeededRandom(7);
    const c = new SeededRandom(8);
    const sa = Array.from({ length: 100 }, () => [a.uniform(), a.normal()]);
    const sb = Array.from({ length: 100 }, () => [b.uniform(), b.normal()]);
    const sc = Array.from({ length: 100 }, () => [c.uniform(), c.normal()]);
    expect(sb).toEqual(sa);
    expect(sc.filter((pair, i) => pair[0] === sa[i][0]).length).toBe(0);
  });

  it('draws uniform values in [0, 1) and standard normal values', () => {
    const random = new SeededRandom(123);
    const n = 200_000;
    let min = Infinity;
    let max = -Infinity;
    let sum = 0;
    for (let i = 0; i < n; i++) {
      const u = random.uniform();
      min = Math.min(min, u);
      max = Math.max(max, u);
      sum += u;
    }
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThan(1);
    // Standard error of the mean is 0.29/√n ≈ 6.5e-4.
    expect(Math.abs(sum / n - 0.5)).toBeLessThan(4e-3);

    let s1 = 0;
    let s2 = 0;
    let beyond = 0;
    for (let i = 0; i < n; i++) {
      const z = random.normal();
      s1 += z;
      s2 += z * z;
      if (Math.abs(z) > 1.959964) beyond++;
    }
    expect(Math.abs(s1 / n)).toBeLessThan(1e-2);
    expect(Math.abs(s2 / n - 1)).toBeLessThan(2e-2);
    expect(Math.abs(beyond / n - 0.05)).toBeLessThan(3e-3);
  });

  it('fills arrays for noise initialisation', () => {
    const noise = new SeededRandom(1).fillUniform(new Float32Array(1000), -20, 20);
    expect(Math.min(...noise)).toBeGreaterThanOrEqual(-20);
    expect(Math.max(...noise)).toBeLessThanOrEqual(20);
    expect(new SeededRandom(1).fillUniform(new Float32Array(1000), -20, 20)).toEqual(noise);

    const normal = new SeededRandom(2).fillNormal(new Float32Array(10_000), 128, 10);
    const mean = normal.reduce((s, v) => s + v, 0) / normal.length;
    expect(Math.abs(mean - 128)).toBeLessThan(0.5);
  });

  it('rejects bad arguments with messages naming them', () => {
    expect(() => new SeededRandom(-1)).toThrow(new RangeError('Expected integer between 0 and 4294967295 for seed but received -1 of type number'));
    expect(() => new SeededRandom(1.5)).toThrow(new RangeError('Expected integer between 0 and 4294967295 for seed but received 1.5 of type number'));
    expect(() => new SeededRandom(2 ** 32)).toThrow(RangeError);
    expect(() => new SeededRandom('7' as unknown as number)).toThrow(
      new TypeError('Expected integer between 0 and 4294967295 for seed but received "7" of type string'),
    );
    const random = new SeededRandom(0);
    expect(() => random.fillUniform([1, 2] as unknown as Float32Array)).toThrow(
      new TypeError('Expected Float32Array for target but received an array of length 2'),
    );
    expect(() => random.fillUniform(new Float32Array(1), 1, 1)).toThrow(new RangeError('Expected number above low (1) for high but received 1 of type number'));
    expect(() => random.fillNormal(new Float32Array(1), 0, -1)).toThrow(new RangeError('Expected number ≥ 0 for std but received -1 of type number'));
    expect(() => random.fillNormal(new Float32Array(1), NaN)).toThrow(new RangeError('Expected finite number for mean but received NaN of type number'));
  });
});
