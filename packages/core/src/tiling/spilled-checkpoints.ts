import type { Tensor } from 'onnxruntime-common';
import type { TileRect } from '../image/tiling.js';
import type { CheckpointStorage, CheckpointStore, StoredBlock } from './checkpoint-storage.js';
import { CoreGrid, copyRun } from './core-grid.js';
import type { ExactTiling, ValueGrid } from './tiling-analysis.js';

/** What a spilled store needs of the run. */
export interface SpilledCheckpointsInit {
  exact: ExactTiling;
  tiles: readonly TileRect[];
  /** Disjoint, covering the image. */
  cores: readonly TileRect[];
  /** Wraps a window read back for a run. */
  createTensor(data: Float32Array, dims: readonly number[]): Tensor;
  /** Opens the platform's storage, on first use. */
  open(): CheckpointStorage;
}

/**
 * Cached values in a platform's spill storage (scratch files), for images whose values do not fit the memory budget.
 * A value on a grid is kept once for the image as the tiles' cores ({@link CoreCanvas}); other values, per tile in
 * memory as they come.
 */
export class SpilledCheckpoints implements CheckpointStore {
  private readonly init: SpilledCheckpointsInit;
  private readonly grid: CoreGrid;
  private storage: CheckpointStorage | undefined;
  private readonly canvases = new Map<string, CoreCanvas>();
  private readonly perTile: Map<string, Tensor>[];

  constructor(init: SpilledCheckpointsInit) {
    this.init = init;
    this.grid = new CoreGrid(init.tiles, init.cores);
    this.perTile = init.tiles.map(() => new Map());
  }

  keep(t: number, outputs: Readonly<Record<string, Tensor>>, emit: readonly string[]): void {
    for (const v of emit) {
      const grid = this.init.exact.grids.get(v);
      if (!grid) {
        this.perTile[t].set(v, outputs[v]);
        continue;
      }
      const data = outputs[v].data;
      if (!(data instanceof Float32Array)) throw new Error(`internal: '${v}' came back as ${outputs[v].type}, not float32`);
      this.canvas(v, grid).writeCore(t, data);
    }
  }

  endPass(_emit: readonly string[], next: readonly string[]): void {
    const kept = new Set(next);
    for (const [v, canvas] of this.canvases) {
      if (kept.has(v)) continue;
      canvas.release();
      this.canvases.delete(v);
    }
    for (const store of this.perTile) for (const v of [...store.keys()]) if (!kept.has(v)) store.delete(v);
  }

  read(t: number, value: string): Tensor | undefined {
    const canvas = this.canvases.get(value);
    return canvas ? this.init.createTensor(canvas.readWindow(t), canvas.windowDims(t)) : this.perTile[t].get(value);
  }

  tileDone(t: number): void {
    this.perTile[t].clear();
  }

  close(): void {
    for (const canvas of this.canvases.values()) canvas.release();
    this.canvases.clear();
    for (const m of this.perTile) m.clear();
    this.storage?.close();
    this.storage = undefined;
  }

  private canvas(value: string, grid: ValueGrid): CoreCanvas {
    let canvas = this.canvases.get(value);
    if (!canvas) {
      const storage = (this.storage ??= this.init.open());
      const dims = this.init.exact.values.get(value)!.dims;
      const channels = grid.layout === 'NCHW' ? dims[1] : dims[3];
      canvas = new CoreCanvas(grid, channels, this.init.tiles, this.init.cores, this.grid, (length) => storage.allocate(value, length));
      this.canvases.set(value, canvas);
    }
    return canvas;
  }
}

/**
 * One value over the whole image, as the tiles' cores: each tile writes the part of its output inside its core, where
 * it is exact (its context reaches well past it), and reads its window back from the cores it meets, so that a later
 * pass starts from what one run over the whole image would give. The cores lie one after another, each row by row
 * with the channels of a row together: writing a core is one write, reading a window's part of a core one read.
 */
class CoreCanvas {
  private readonly block: StoredBlock;
  /** Float offset of each core in the block. */
  private readonly offsets: number[] = [];
  /**
   * Window arrays by length, reused from tile to tile: a window is read only by the run it feeds, which ends before the
   * next one is read, and a fresh array of several MB per tile costs more than filling it.
   */
  private readonly windows = new Map<number, Float32Array>();

  constructor(
    private readonly grid: ValueGrid,
    private readonly channels: number,
    private readonly tiles: readonly TileRect[],
    private readonly cores: readonly TileRect[],
    private readonly coreGrid: CoreGrid,
    allocate: (length: number) => StoredBlock,
  ) {
    let offset = 0;
    for (const core of cores) {
      this.offsets.push(offset);
      offset += core.width * core.height * grid.scale * grid.scale * channels;
    }
    this.block = allocate(offset);
  }

  windowDims(t: number): number[] {
    const { scale, layout } = this.grid;
    const [h, w] = [this.tiles[t].height * scale, this.tiles[t].width * scale];
    return layout === 'NCHW' ? [1, this.channels, h, w] : [1, h, w, this.channels];
  }

  writeCore(t: number, window: Float32Array): void {
    const { scale, layout } = this.grid;
    const { channels } = this;
    const [tile, core] = [this.tiles[t], this.cores[t]];
    const [h, w] = [tile.height * scale, tile.width * scale];
    if (window.length !== channels * h * w) throw new Error(`internal: tile ${t}'s value holds ${window.length} floats, not ${channels * h * w}`);
    const [rows, cols] = [core.height * scale, core.width * scale];
    const rowLength = cols * channels;
    const [y0, x0] = [(core.y - tile.y) * scale, (core.x - tile.x) * scale];
    const part = this.block.writable(this.offsets[t], rows * rowLength);
    for (let r = 0; r < rows; r++) {
      if (layout === 'NCHW') {
        for (let c = 0; c < channels; c++) copyRun(window, (c * h + y0 + r) * w + x0, part, r * rowLength + c * cols, cols);
      } else {
        copyRun(window, ((y0 + r) * w + x0) * channels, part, r * rowLength, rowLength);
      }
    }
    this.block.write(this.offsets[t], part);
  }

  /** The value over tile `t`'s window; valid until the next call. */
  readWindow(t: number): Float32Array {
    const { scale, layout } = this.grid;
    const { channels } = this;
    const tile = this.tiles[t];
    const [h, w] = [tile.height * scale, tile.width * scale];
    let window = this.windows.get(channels * h * w);
    if (!window) this.windows.set(channels * h * w, (window = new Float32Array(channels * h * w)));
    for (const { core: u, part } of this.coreGrid.overlaps(tile)) {
      const core = this.cores[u];
      const coreCols = core.width * scale;
      const rowLength = coreCols * channels;
      const rows = part.height * scale;
      const stored = this.block.read(this.offsets[u] + (part.y - core.y) * scale * rowLength, rows * rowLength);
      const [cols, from] = [part.width * scale, (part.x - core.x) * scale];
      const [wy, wx] = [(part.y - tile.y) * scale, (part.x - tile.x) * scale];
      for (let r = 0; r < rows; r++) {
        if (layout === 'NCHW') {
          for (let c = 0; c < channels; c++) copyRun(stored, r * rowLength + c * coreCols + from, window, (c * h + wy + r) * w + wx, cols);
        } else {
          copyRun(stored, r * rowLength + from * channels, window, ((wy + r) * w + wx) * channels, cols * channels);
        }
      }
    }
    return window;
  }

  release(): void {
    this.block.release();
    this.windows.clear();
  }
}
