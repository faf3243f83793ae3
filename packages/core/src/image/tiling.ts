import { expectArray, expectInteger, expectObject, expectPositiveInteger, invalidValue } from '../arguments.js';
import { expectPlanarImage } from './planar-checks.js';
import type { PlanarImage } from './image-types.js';

/** One tile of an image, in pixels; `x`, `y` is its top-left corner. */
export interface TileRect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Tile size and the least overlap between neighbours, in pixels. */
export interface TilePlanOptions {
  tileWidth: number;
  tileHeight: number;
  /** Less than the tile size. */
  overlap: number;
}

/**
 * Tile origins along one axis: `n` tiles of `tile` pixels, the first at 0 and the last flush with the
 * end, spaced as evenly as integers allow with the fewest tiles that keep every step <= tile - overlap.
 */
function axisStarts(size: number, tile: number, overlap: number): number[] {
  if (tile >= size) return [0];
  const span = size - tile;
  const steps = Math.ceil(span / (tile - overlap));
  // round(i * span / steps): consecutive starts differ by at most ceil(span / steps) <= tile - overlap.
  const starts: number[] = [];
  for (let i = 0; i <= steps; i++) starts.push(Math.round((i * span) / steps));
  return starts;
}

/**
 * Cuts a `width` x `height` image into tiles of exactly `tileWidth` x `tileHeight` (each clamped to the
 * image in a dimension where the image is smaller), row by row from the top-left. Along each axis the
 * first tile starts at 0, the last is flush with the edge, and the tiles are evenly spaced with the
 * fewest tiles such that neighbours overlap by at least `overlap` pixels.
 */
export function planTiles(width: number, height: number, options: TilePlanOptions): TileRect[] {
  expectPositiveInteger('width', width);
  expectPositiveInteger('height', height);
  expectObject('options', options, '{ tileWidth, tileHeight, overlap }');
  const tileWidth = expectPositiveInteger('options.tileWidth', options.tileWidth);
  const tileHeight = expectPositiveInteger('options.tileHeight', options.tileHeight);
  const overlap = expectInteger('options.overlap', options.overlap, { min: 0 });
  if (overlap >= Math.min(tileWidth, tileHeight)) {
    throw invalidValue('options.overlap', `integer less than the tile size (${tileWidth}x${tileHeight})`, overlap);
  }
  return planTilesUnchecked(width, height, options);
}

/** {@link planTiles} without the argument checks, for the pipeline (overlap below the tile size). */
export function planTilesUnchecked(width: number, height: number, { tileWidth, tileHeight, overlap }: TilePlanOptions): TileRect[] {
  const w = Math.min(tileWidth, width);
  const h = Math.min(tileHeight, height);
  const xs = axisStarts(width, w, overlap);
  const ys = axisStarts(height, h, overlap);
  const tiles: TileRect[] = [];
  for (const y of ys) for (const x of xs) tiles.push({ x, y, width: w, height: h });
  return tiles;
}

/**
 * Feathering window along one tile axis: a raised-cosine ramp over the first / last `overlap` pixels on
 * a side that lies inside the image (where a neighbour takes over), 1 elsewhere. The ramp samples pixel
 * centres, so it never reaches 0, and two ramps facing each other over exactly `overlap` pixels sum to 1.
 */
function axisWindow(start: number, length: number, size: number, overlap: number): Float64Array {
  const win = new Float64Array(length).fill(1);
  const ramp = Math.min(overlap, length);
  const rampBefore = start > 0;
  const rampAfter = start + length < size;
  for (let j = 0; j < ramp; j++) {
    const r = 0.5 - 0.5 * Math.cos((Math.PI * (j + 0.5)) / ramp);
    if (rampBefore) win[j] *= r;
    if (rampAfter) win[length - 1 - j] *= r;
  }
  return win;
}

function expectTiles(tiles: unknown, width: number, height: number): TileRect[] {
  const list = expectArray('tiles', tiles, 'an array of TileRect');
  if (list.length === 0) throw invalidValue('tiles', 'at least one tile', list);
  list.forEach((t, i) => {
    expectObject(`tiles[${i}]`, t, 'TileRect');
    const { x, y, width: w, height: h } = t as TileRect;
    expectInteger(`tiles[${i}].x`, x, { min: 0 });
    expectInteger(`tiles[${i}].y`, y, { min: 0 });
    expectPositiveInteger(`tiles[${i}].width`, w);
    expectPositiveInteger(`tiles[${i}].height`, h);
    if (x + w > width || y + h > height) {
      throw new RangeError(
        `Expected a tile inside the ${width}x${height} image for tiles[${i}] but received x ${x}, y ${y}, width ${w}, height ${h}`,
      );
    }
  });
  return list as TileRect[];
}

/** Indices of the tiles that cover each image row. */
function tilesByRow(tiles: readonly TileRect[], height: number): number[][] {
  const rows: number[][] = Array.from({ length: height }, () => []);
  tiles.forEach((t, i) => {
    for (let y = t.y; y < t.y + t.height; y++) rows[y].push(i);
  });
  return rows;
}

/**
 * Per-tile blending weights (tile-sized, row-major): a separable raised-cosine feather over `overlap`
 * pixels at each tile edge that lies inside the image (never at the image border), normalised so that
 * at every image pixel the weights of the tiles covering it sum to 1. Throws a RangeError if the tiles
 * leave a pixel uncovered.
 */
export function tileBlendWeights(tiles: TileRect[], width: number, height: number, overlap: number): Float32Array[] {
  expectPositiveInteger('width', width);
  expectPositiveInteger('height', height);
  expectTiles(tiles, width, height);
  expectInteger('overlap', overlap, { min: 0 });
  return tileBlendWeightsUnchecked(tiles, width, height, overlap);
}

/**
 * {@link tileBlendWeights} without the argument checks, for the pipeline. It still throws a RangeError for a
 * pixel no tile covers: that costs nothing, the sums are computed anyway.
 */
export function tileBlendWeightsUnchecked(tiles: readonly TileRect[], width: number, height: number, overlap: number): Float32Array[] {
  const winX = tiles.map((t) => axisWindow(t.x, t.width, width, overlap));
  const winY = tiles.map((t) => axisWindow(t.y, t.height, height, overlap));
  const weights = tiles.map((t) => new Float32Array(t.width * t.height));
  const rows = tilesByRow(tiles, height);
  const sum = new Float64Array(width);
  // Row by row: the unnormalised weight is winX * winY, summed over the covering tiles in float64.
  for (let y = 0; y < height; y++) {
    const covering = rows[y];
    sum.fill(0);
    for (const i of covering) {
      const t = tiles[i];
      const wy = winY[i][y - t.y];
      const wx = winX[i];
      for (let j = 0; j < t.width; j++) sum[t.x + j] += wx[j] * wy;
    }
    for (let x = 0; x < width; x++) {
      if (sum[x] === 0) {
        throw new RangeError(`Expected tiles covering the whole ${width}x${height} image but pixel (${x}, ${y}) is not covered`);
      }
    }
    for (const i of covering) {
      const t = tiles[i];
      const wy = winY[i][y - t.y];
      const wx = winX[i];
      const out = weights[i];
      const row = (y - t.y) * t.width;
      for (let j = 0; j < t.width; j++) out[row + j] = (wx[j] * wy) / sum[t.x + j];
    }
  }
  return weights;
}

/**
 * Composes per-tile outputs (each the size of its tile) into one `width` x `height` image with the
 * weights of {@link tileBlendWeights}, so seams are feathered across the overlaps.
 */
export function blendTiles(
  outputs: PlanarImage[],
  tiles: TileRect[],
  width: number,
  height: number,
  overlap: number,
): PlanarImage {
  expectArray('outputs', outputs, 'an array of PlanarImage');
  expectPositiveInteger('width', width);
  expectPositiveInteger('height', height);
  expectTiles(tiles, width, height);
  expectInteger('overlap', overlap, { min: 0 });
  if (outputs.length !== tiles.length) {
    throw invalidValue('outputs', `one output per tile (${tiles.length})`, outputs);
  }
  outputs.forEach((o, i) => {
    expectPlanarImage(`outputs[${i}]`, o);
    if (o.width !== tiles[i].width || o.height !== tiles[i].height) {
      throw new RangeError(
        `Expected the tile's size ${tiles[i].width}x${tiles[i].height} for outputs[${i}] but received ${o.width}x${o.height}`,
      );
    }
  });
  return blendTilesUnchecked(outputs, tiles, width, height, overlap);
}

/** {@link blendTiles} without the argument checks, for the pipeline (one output of its tile's size per tile). */
export function blendTilesUnchecked(
  outputs: readonly PlanarImage[],
  tiles: readonly TileRect[],
  width: number,
  height: number,
  overlap: number,
): PlanarImage {
  const weights = tileBlendWeightsUnchecked(tiles, width, height, overlap);
  const n = width * height;
  const out = new Float32Array(3 * n);
  const rows = tilesByRow(tiles, height);
  // Accumulate a row in float64 so overlapping tiles add up without float32 rounding at each step.
  const acc = new Float64Array(3 * width);
  for (let y = 0; y < height; y++) {
    acc.fill(0);
    for (const i of rows[y]) addTileRow(acc, tiles[i], outputs[i].data, weights[i], y, width);
    for (let c = 0; c < 3; c++) out.set(acc.subarray(c * width, (c + 1) * width), c * n + y * width);
  }
  return { data: out, width, height };
}

/**
 * Adds row `y` of one tile's output, times its blend weights, into a float64 row accumulator of the whole image
 * (3 planes of `width`): the one inner loop of blendTiles and of the fast method's blending as tiles finish.
 */
export function addTileRow(acc: Float64Array, tile: TileRect, src: Float32Array, weights: Float32Array, y: number, width: number): void {
  const tn = tile.width * tile.height;
  const row = (y - tile.y) * tile.width;
  for (let c = 0; c < 3; c++) {
    const a = c * width + tile.x;
    const s = c * tn + row;
    for (let j = 0; j < tile.width; j++) acc[a + j] += src[s + j] * weights[row + j];
  }
}

/** Tile size, least overlap and the grid tile positions keep, in pixels. */
export interface AlignedTilePlanOptions extends TilePlanOptions {
  /** Tile positions, sizes and core edges are multiples of it; so must the image's width and height be. */
  alignment: number;
}

/** Tiles, and their cores: disjoint rectangles, one inside each tile, that cover the image together. */
export interface AlignedTilePlan {
  tiles: TileRect[];
  cores: TileRect[];
}

/**
 * Tile origins along one axis on a grid of `alignment`: the first at 0, the last flush with the end, evenly spaced
 * with the fewest tiles that keep every step at most `tile - overlap`. Core edges fall on the grid near the middle of
 * each overlap.
 */
function alignedAxis(size: number, tile: number, overlap: number, alignment: number): { starts: number[]; edges: number[] } {
  if (tile >= size) return { starts: [0], edges: [0, size] };
  const span = (size - tile) / alignment;
  const maxStep = Math.max(1, Math.floor((tile - overlap) / alignment));
  const steps = Math.ceil(span / maxStep);
  const starts: number[] = [];
  for (let i = 0; i <= steps; i++) starts.push(alignment * Math.round((i * span) / steps));
  const edges = [0];
  for (let i = 0; i < steps; i++) {
    const middle = alignment * Math.round((starts[i + 1] + starts[i] + tile) / (2 * alignment));
    edges.push(Math.min(Math.max(middle, starts[i + 1]), starts[i] + tile));
  }
  edges.push(size);
  return { starts, edges };
}

/**
 * {@link planTiles} on a grid, with each tile's core: for exact tiling, whose per-tile sums over the cores must add up
 * to whole-image sums on every resolution a network works at. `width`, `height` and the tile size must be multiples of
 * `alignment`, and the overlap below the tile size. Row by row from the top-left, as planTiles.
 */
export function planAlignedTilesUnchecked(width: number, height: number, options: AlignedTilePlanOptions): AlignedTilePlan {
  const w = Math.min(options.tileWidth, width);
  const h = Math.min(options.tileHeight, height);
  const xs = alignedAxis(width, w, options.overlap, options.alignment);
  const ys = alignedAxis(height, h, options.overlap, options.alignment);
  const tiles: TileRect[] = [];
  const cores: TileRect[] = [];
  ys.starts.forEach((y, j) => {
    xs.starts.forEach((x, i) => {
      tiles.push({ x, y, width: w, height: h });
      cores.push({ x: xs.edges[i], y: ys.edges[j], width: xs.edges[i + 1] - xs.edges[i], height: ys.edges[j + 1] - ys.edges[j] });
    });
  });
  return { tiles, cores };
}

/**
 * Blending weights that take each pixel from the one tile whose core holds it (1 there, 0 elsewhere in the tile): for
 * tiles that are exact in their cores, where feathering would only mix in the less exact values near tile edges.
 */
export function coreBlendWeightsUnchecked(tiles: readonly TileRect[], cores: readonly TileRect[]): Float32Array[] {
  return tiles.map((t, i) => {
    const c = cores[i];
    const weights = new Float32Array(t.width * t.height);
    for (let y = c.y - t.y; y < c.y - t.y + c.height; y++) weights.fill(1, y * t.width + c.x - t.x, y * t.width + c.x - t.x + c.width);
    return weights;
  });
}
