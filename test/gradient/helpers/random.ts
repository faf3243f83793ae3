/** Seeded PRNG (mulberry32) so every gradient check sees the same weights, images and directions. */
export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  uniform(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Standard normal (Box–Muller). */
  normal(): number {
    const u = 1 - this.uniform();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.uniform());
  }

  normals(count: number, scale = 1): Float32Array {
    return Float32Array.from({ length: count }, () => this.normal() * scale);
  }

  uniforms(count: number, low: number, high: number): Float32Array {
    return Float32Array.from({ length: count }, () => low + (high - low) * this.uniform());
  }
}
