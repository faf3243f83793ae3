import type { TileRect } from '../image/tiling.js';
import type { StoredBlock } from './checkpoint-storage.js';
import type { ValueGrid } from './tiling-analysis.js';

/**
 * One cached value of exact tiling, kept for the whole image as the tiles' cores: each tile writes the part of its
 * output inside its core, where it is exact (its context reaches well past it), and reads its window back from the
 * cores it meets. A later pass so starts from what one run over the whole image would give, and the errors near the
 * window edges of a pass do not add up over the passes. Cores are stored row by row, the channels of a row together,
 * so that reading a window's part of a core is one contiguous read.
 */
export class CoreCanvas {
  private readonly block: StoredBlock;
  private readonly grid: ValueGrid;
  private readonly channels: number;
  private readonly tiles: readonly TileRect[];
  private readonly cores: readonly TileRect[];
  /** Float offset of each core in the block. */
  private readonly offsets: number[];
  private readonly columns: number;
  private readonly xEdges: number[];
  private readonly yEdges: number[];

  constructor(block: StoredBlock, grid: ValueGrid, channels: number, tiles: readonly TileRect[], cores: readonly TileRect[]) {
    this.block = block;
    this.grid = grid;
    this.channels = channels;
    this.tiles = tiles;
    this.cores = cores;
    this.offsets = [];
    let offset = 0;
    for (const core of cores) {
      this.offsets.push(offset);
      offset += core.width * core.height * grid.scale * grid.scale * channels;
    }
    this.columns = tiles.filter((t) => t.y === tiles[0].y).length;
    this.xEdges = [...cores.slice(0, this.columns).map((c) => c.x), cores[this.columns - 1].x + cores[this.columns - 1].width];
    this.yEdges = [...cores.filter((_, i) => i % this.columns === 0).map((c) => c.y), cores[cores.length - 1].y + cores[cores.length - 1].height];
  }

  /** Floats the canvas holds: the cores of the whole image. */
  static length(grid: ValueGrid, channels: number, cores: readonly TileRect[]): number {
    return cores.reduce((n, c) => n + c.width * c.height, 0) * grid.scale * grid.scale * channels;
  }

  /** Dims of tile `t`'s window of the value. */
  windowDims(t: number): number[] {
    const { scale, layout } = this.grid;
    const [h, w] = [this.tiles[t].height * scale, this.tiles[t].width * scale];
    return layout === 'NCHW' ? [1, this.channels, h, w] : [1, h, w, this.channels];
  }

  /** Keeps the core of tile `t` from `window`, the value over its whole window. */
  writeCore(t: number, window: Float32Array): void {
    const { scale } = this.grid;
    const tile = this.tiles[t];
    const core = this.cores[t];
    const [h, w] = [tile.height * scale, tile.width * scale];
    if (window.length !== this.channels * h * w) throw new Error(`internal: tile ${t}'s value holds ${window.length} floats, not ${this.channels * h * w}`);
    const rows = core.height * scale;
    const cols = core.width * scale;
    const rowLength = cols * this.channels;
    const y0 = (core.y - tile.y) * scale;
    const x0 = (core.x - tile.x) * scale;
    const part = this.block.writable(this.offsets[t], rows * rowLength);
    for (let r = 0; r < rows; r++) {
      if (this.grid.layout === 'NCHW') {
        for (let c = 0; c < this.channels; c++) copyRun(window, (c * h + y0 + r) * w + x0, part, r * rowLength + c * cols, cols);
      } else {
        copyRun(window, ((y0 + r) * w + x0) * this.channels, part, r * rowLength, rowLength);
      }
    }
    this.block.write(this.offsets[t], part);
  }

  /** The value over tile `t`'s window, read from the cores it meets. */
  readWindow(t: number): Float32Array {
    const { scale } = this.grid;
    const tile = this.tiles[t];
    const [h, w] = [tile.height * scale, tile.width * scale];
    const window = new Float32Array(this.channels * h * w);
    for (const i of meeting(this.yEdges, tile.y, tile.y + tile.height)) {
      for (const j of meeting(this.xEdges, tile.x, tile.x + tile.width)) {
        const u = i * this.columns + j;
        const core = this.cores[u];
        // The part of core u inside the window, in pixels of the image.
        const y0 = Math.max(core.y, tile.y);
        const y1 = Math.min(core.y + core.height, tile.y + tile.height);
        const x0 = Math.max(core.x, tile.x);
        const x1 = Math.min(core.x + core.width, tile.x + tile.width);
        const coreCols = core.width * scale;
        const rowLength = coreCols * this.channels;
        const rows = (y1 - y0) * scale;
        const part = this.block.read(this.offsets[u] + (y0 - core.y) * scale * rowLength, rows * rowLength);
        const cols = (x1 - x0) * scale;
        const from = (x0 - core.x) * scale;
        const wy = (y0 - tile.y) * scale;
        const wx = (x0 - tile.x) * scale;
        for (let r = 0; r < rows; r++) {
          if (this.grid.layout === 'NCHW') {
            for (let c = 0; c < this.channels; c++) copyRun(part, r * rowLength + c * coreCols + from, window, (c * h + wy + r) * w + wx, cols);
          } else {
            copyRun(part, r * rowLength + from * this.channels, window, ((wy + r) * w + wx) * this.channels, cols * this.channels);
          }
        }
      }
    }
    return window;
  }

  release(): void {
    this.block.release();
  }
}

/** Copies `n` values: a plain loop for short runs, where a typed-array `set` call costs more than it saves. */
function copyRun(src: Float32Array, s: number, dst: Float32Array, d: number, n: number): void {
  if (n >= 64) dst.set(src.subarray(s, s + n), d);
  else for (let j = 0; j < n; j++) dst[d + j] = src[s + j];
}

/** The intervals of a tile grid's cores along one axis, and which of them meet `[from, to)`. */
function meeting(edges: readonly number[], from: number, to: number): number[] {
  const found: number[] = [];
  for (let i = 0; i + 1 < edges.length; i++) if (edges[i] < to && edges[i + 1] > from) found.push(i);
  return found;
}
