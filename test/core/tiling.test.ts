import { describe, expect, it } from 'vitest';
import { cropImage } from '../../packages/core/src/image/padding.js';
import { blendTiles, planTiles, tileBlendWeights, type TileRect } from '../../packages/core/src/image/tiling.js';
import { expectError, maxAbsDiff, randomPlanar } from './image-helpers.js';

const CONFIGS = [
  { width: 451, height: 300, tile: 256, overlap: 32 },
  { width: 1024, height: 1024, tile: 256, overlap: 32 },
  { width: 1000, height: 37, tile: 128, overlap: 16 },
  { width: 300, height: 451, tile: 64, overlap: 20 },
  { width: 257, height: 256, tile: 256, overlap: 8 },
  { width: 100, height: 700, tile: 256, overlap: 64 },
  { width: 97, height: 61, tile: 16, overlap: 0 },
  { width: 11, height: 9, tile: 4, overlap: 3 },
];

function sumOfWeights(tiles: TileRect[], weights: Float32Array[], width: number, height: number): Float64Array {
  const sum = new Float64Array(width * height);
  tiles.forEach((t, i) => {
    for (let y = 0; y < t.height; y++) {
      for (let x = 0; x < t.width; x++) sum[(t.y + y) * width + t.x + x] += weights[i][y * t.width + x];
    }
  });
  return sum;
}

describe('planTiles', () => {
  it('places evenly spaced, flush tiles (hand-computed)', () => {
    // 451: span 195 <= 224 = 256 - 32, so one step; 300: span 44.
    expect(planTiles(451, 300, { tileWidth: 256, tileHeight: 256, overlap: 32 })).toEqual([
      { x: 0, y: 0, width: 256, height: 256 },
      { x: 195, y: 0, width: 256, height: 256 },
      { x: 0, y: 44, width: 256, height: 256 },
      { x: 195, y: 44, width: 256, height: 256 },
    ]);
    // 1024: span 768 over steps of at most 224 -> 4 steps of 192.
    expect(planTiles(1024, 1, { tileWidth: 256, tileHeight: 256, overlap: 32 }).map((t) => t.x)).toEqual([0, 192, 384, 576, 768]);
    // span 6 over steps of at most 3 -> 0, 3, 6; a 1-pixel height clamps the tile height.
    expect(planTiles(10, 1, { tileWidth: 4, tileHeight: 4, overlap: 1 })).toEqual([
      { x: 0, y: 0, width: 4, height: 1 },
      { x: 3, y: 0, width: 4, height: 1 },
      { x: 6, y: 0, width: 4, height: 1 },
    ]);
    // Uneven: span 10 in 3 steps of at most 4 -> round(10/3 * i) = 0, 3, 7, 10.
    expect(planTiles(14, 2, { tileWidth: 4, tileHeight: 2, overlap: 0 }).map((t) => t.x)).toEqual([0, 3, 7, 10]);
  });

  it('gives a single tile of the image size when the image fits in a tile', () => {
    expect(planTiles(200, 100, { tileWidth: 256, tileHeight: 256, overlap: 32 })).toEqual([{ x: 0, y: 0, width: 200, height: 100 }]);
    expect(planTiles(256, 256, { tileWidth: 256, tileHeight: 256, overlap: 32 })).toEqual([{ x: 0, y: 0, width: 256, height: 256 }]);
  });

  it.each(CONFIGS)('covers $width x $height with exact tiles overlapping by >= $overlap', ({ width, height, tile, overlap }) => {
    const tiles = planTiles(width, height, { tileWidth: tile, tileHeight: tile, overlap });
    const tw = Math.min(tile, width);
    const th = Math.min(tile, height);
    const xs = [...new Set(tiles.map((t) => t.x))];
    const ys = [...new Set(tiles.map((t) => t.y))];
    expect(tiles.length).toBe(xs.length * ys.length);
    for (const t of tiles) {
      expect([t.width, t.height]).toEqual([tw, th]);
      expect(t.x + t.width).toBeLessThanOrEqual(width);
      expect(t.y + t.height).toBeLessThanOrEqual(height);
    }
    for (const [starts, size, t] of [[xs, width, tw], [ys, height, th]] as const) {
      expect(starts[0]).toBe(0);
      expect(starts[starts.length - 1] + t).toBe(size);
      for (let i = 1; i < starts.length; i++) {
        expect(starts[i]).toBeGreaterThan(starts[i - 1]);
        if (t < size) expect(starts[i - 1] + t - starts[i]).toBeGreaterThanOrEqual(overlap);
      }
      // Fewest tiles: one fewer could not keep the overlap.
      if (starts.length > 1) expect((starts.length - 2) * (t - overlap) + t).toBeLessThan(size);
    }
    const covered = new Uint8Array(width * height);
    for (const t of tiles) for (let y = t.y; y < t.y + t.height; y++) covered.fill(1, y * width + t.x, y * width + t.x + t.width);
    expect(covered.every((v) => v === 1)).toBe(true);
  });

  it('validates its arguments', () => {
    expectError(
      () => planTiles(100, 100, { tileWidth: 64, tileHeight: 32, overlap: 32 }),
      RangeError,
      'Expected integer less than the tile size (64x32) for options.overlap but received 32 of type number',
    );
    expectError(
      () => planTiles(100, 100, { tileWidth: 0, tileHeight: 32, overlap: 0 }),
      RangeError,
      'Expected positive integer for options.tileWidth but received 0 of type number',
    );
    expectError(
      () => planTiles(100, 100, { tileWidth: 64, tileHeight: 32, overlap: -1 }),
      RangeError,
      'Expected non-negative integer for options.overlap but received -1 of type number',
    );
    expectError(() => planTiles(100, 0, { tileWidth: 64, tileHeight: 64, overlap: 0 }), RangeError, 'Expected positive integer for height but received 0 of type number');
    expectError(() => planTiles(100, 100, undefined as never), TypeError, 'Expected { tileWidth, tileHeight, overlap } for options but received undefined');
  });
});

describe('tileBlendWeights', () => {
  it('uses raised-cosine ramps that sum to 1 where they face each other (hand-computed)', () => {
    const tiles = planTiles(10, 1, { tileWidth: 4, tileHeight: 4, overlap: 2 });
    expect(tiles.map((t) => t.x)).toEqual([0, 2, 4, 6]);
    const lo = 0.5 - 0.5 * Math.cos(Math.PI / 4);
    const hi = 0.5 - 0.5 * Math.cos((3 * Math.PI) / 4);
    const w = tileBlendWeights(tiles, 10, 1, 2);
    const expected = [
      [1, 1, hi, lo],
      [lo, hi, hi, lo],
      [lo, hi, hi, lo],
      [lo, hi, 1, 1],
    ];
    w.forEach((wi, i) => expect(maxAbsDiff(wi, expected[i])).toBeLessThan(1e-7));
  });

  it('normalises a 1-pixel overlap to halves', () => {
    const tiles = planTiles(10, 1, { tileWidth: 4, tileHeight: 4, overlap: 1 });
    const w = tileBlendWeights(tiles, 10, 1, 1).map((a) => Array.from(a));
    expect(w).toEqual([
      [1, 1, 1, 0.5],
      [0.5, 1, 1, 0.5],
      [0.5, 1, 1, 1],
    ]);
  });

  it.each(CONFIGS)('sums to 1 at every pixel of $width x $height, never 0 in a tile', ({ width, height, tile, overlap }) => {
    const tiles = planTiles(width, height, { tileWidth: tile, tileHeight: tile, overlap });
    const weights = tileBlendWeights(tiles, width, height, overlap);
    weights.forEach((w, i) => {
      expect(w.length).toBe(tiles[i].width * tiles[i].height);
      expect(w.every((v) => v > 0 && v <= 1)).toBe(true);
    });
    const sum = sumOfWeights(tiles, weights, width, height);
    expect(maxAbsDiff(sum, new Float64Array(sum.length).fill(1))).toBeLessThan(1e-6);
  });

  it('does not fade at the image border, only toward neighbours', () => {
    const tiles = planTiles(451, 300, { tileWidth: 256, tileHeight: 256, overlap: 32 });
    const w = tileBlendWeights(tiles, 451, 300, 32);
    // Top-left tile: the image corner and its top and left borders outside other tiles are 1.
    expect(w[0][0]).toBe(1);
    expect(w[0][194]).toBe(1); // (194, 0): only tile 0 covers it
    expect(w[0][43 * 256]).toBe(1); // (0, 43)
    // Bottom-right tile: its image-corner pixel (450, 299) is covered by it alone.
    expect(w[3][255 * 256 + 255]).toBe(1);
    // Inside the overlap the right neighbour takes over toward tile 0's right edge.
    expect(w[0][255]).toBeLessThan(0.05);
    expect(w[1][0]).toBeLessThan(0.05);
  });

  it('gives all-1 weights for a single tile covering the image', () => {
    const tiles = planTiles(200, 100, { tileWidth: 256, tileHeight: 256, overlap: 32 });
    const [w] = tileBlendWeights(tiles, 200, 100, 32);
    expect(w.every((v) => v === 1)).toBe(true);
  });

  it('rejects tiles that leave pixels uncovered or leave the image', () => {
    expectError(
      () => tileBlendWeights([{ x: 0, y: 0, width: 4, height: 2 }], 5, 2, 0),
      RangeError,
      'Expected tiles covering the whole 5x2 image but pixel (4, 0) is not covered',
    );
    expectError(
      () => tileBlendWeights([{ x: 2, y: 0, width: 4, height: 2 }], 5, 2, 0),
      RangeError,
      'Expected a tile inside the 5x2 image for tiles[0] but received x 2, y 0, width 4, height 2',
    );
    expectError(() => tileBlendWeights([], 5, 2, 0), RangeError, 'Expected at least one tile for tiles but received an array of length 0');
    expectError(
      () => tileBlendWeights([{ x: 0, y: 0, width: 5, height: 2 }], 5, 2, 1.5),
      RangeError,
      'Expected non-negative integer for overlap but received 1.5 of type number',
    );
  });
});

describe('blendTiles', () => {
  it('returns the single tile that covers the image', () => {
    const img = randomPlanar(200, 100, 5);
    const tiles = planTiles(200, 100, { tileWidth: 256, tileHeight: 256, overlap: 32 });
    const out = blendTiles([img], tiles, 200, 100, 32);
    expect([out.width, out.height]).toEqual([200, 100]);
    expect(Array.from(out.data)).toEqual(Array.from(img.data));
  });

  it('reconstructs 451x300 with 256 tiles from crops of a random image', () => {
    const img = randomPlanar(451, 300, 9);
    const tiles = planTiles(451, 300, { tileWidth: 256, tileHeight: 256, overlap: 32 });
    const out = blendTiles(tiles.map((t) => cropImage(img, t)), tiles, 451, 300, 32);
    expect(maxAbsDiff(out.data, img.data)).toBeLessThan(1e-4);
  });

  it('cross-fades between different tile outputs across the overlap', () => {
    const tiles = planTiles(10, 1, { tileWidth: 6, tileHeight: 6, overlap: 2 });
    expect(tiles.map((t) => t.x)).toEqual([0, 4]);
    const flat = (v: number) => ({ data: new Float32Array(18).fill(v), width: 6, height: 1 });
    const out = blendTiles([flat(0), flat(100)], tiles, 10, 1, 2);
    const lo = 100 * (0.5 - 0.5 * Math.cos(Math.PI / 4));
    expect(maxAbsDiff(out.data.subarray(0, 10), [0, 0, 0, 0, lo, 100 - lo, 100, 100, 100, 100])).toBeLessThan(1e-4);
  });

  it('validates outputs against the tiles', () => {
    const tiles = planTiles(10, 1, { tileWidth: 6, tileHeight: 6, overlap: 2 });
    const img = randomPlanar(6, 1);
    expectError(() => blendTiles([img], tiles, 10, 1, 2), RangeError, 'Expected one output per tile (2) for outputs but received an array of length 1');
    expectError(
      () => blendTiles([img, randomPlanar(5, 1)], tiles, 10, 1, 2),
      RangeError,
      "Expected the tile's size 6x1 for outputs[1] but received 5x1",
    );
    expectError(() => blendTiles(img as never, tiles, 10, 1, 2), TypeError, 'Expected an array of PlanarImage for outputs but received an object of type Object');
  });
});
