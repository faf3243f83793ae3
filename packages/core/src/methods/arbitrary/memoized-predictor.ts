import type { PlanarImage } from '../../image/image-types.js';
import type { StylePredictorRunner } from './arbitrary-networks.js';

/** How many style vectors a {@link MemoizedPredictor} keeps (100 numbers each: a few kilobytes in all). */
export const STYLE_VECTOR_CACHE_SIZE = 64;

/**
 * A 64-bit hash of float data (two 32-bit multiply–xor lanes over the bit patterns), for telling predictor inputs
 * apart. Not cryptographic: a cache key, where a collision among a few dozen entries is out of reach.
 */
function hashFloats(data: Float32Array): string {
  const words = new Uint32Array(data.buffer, data.byteOffset, data.length);
  let a = 0x811c9dc5 ^ words.length;
  let b = 0x9e3779b9 ^ words.length;
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    a = Math.imul(a ^ w, 0x01000193);
    b = Math.imul(((b ^ w) << 13) | ((b ^ w) >>> 19), 0x5bd1e995) + 0x6b43a9b5;
  }
  return `${(a >>> 0).toString(16)}${(b >>> 0).toString(16)}`;
}

/**
 * A style predictor that remembers the vectors of the images it has seen (by a hash of its input, the image already
 * at the predictor's size), so that a second run with the same painting, or the same content at another strength,
 * skips the network. Least recently used vectors go first.
 */
export class MemoizedPredictor implements StylePredictorRunner {
  private readonly vectors = new Map<string, Float32Array>();

  constructor(
    readonly runner: StylePredictorRunner,
    private readonly capacity = STYLE_VECTOR_CACHE_SIZE,
  ) {}

  get name(): string {
    return this.runner.name;
  }

  get inputSize(): { readonly width: number; readonly height: number } {
    return this.runner.inputSize;
  }

  /** Number of vectors kept. */
  get size(): number {
    return this.vectors.size;
  }

  async predict(image: PlanarImage): Promise<Float32Array> {
    const key = `${image.width}x${image.height}:${hashFloats(image.data)}`;
    const kept = this.vectors.get(key);
    if (kept) {
      this.vectors.delete(key);
      this.vectors.set(key, kept);
      return kept.slice();
    }
    const vector = await this.runner.predict(image);
    this.vectors.set(key, vector.slice());
    if (this.vectors.size > this.capacity) this.vectors.delete(this.vectors.keys().next().value!);
    return vector;
  }
}
