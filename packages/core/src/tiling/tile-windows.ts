import type { Tensor } from 'onnxruntime-common';
import type { TileRect } from '../image/tiling.js';
import type { CheckpointStore } from './checkpoint-storage.js';
import { CoreGrid, copyRun } from './core-grid.js';
import type { ExactTiling } from './tiling-analysis.js';

/**
 * Cached values in memory, per tile as onnxruntime returned them over the tile's window (fed back without a copy).
 * After the pass that makes a value on a grid, each tile takes the part of its window outside its core from the cores
 * of the tiles there ({@link stitch}).
 */
export class TileWindows implements CheckpointStore {
  private readonly exact: ExactTiling;
  private readonly tiles: readonly TileRect[];
  private readonly grid: CoreGrid;
  private readonly store: Map<string, Tensor>[];

  constructor(exact: ExactTiling, tiles: readonly TileRect[], cores: readonly TileRect[]) {
    this.exact = exact;
    this.tiles = tiles;
    this.grid = new CoreGrid(tiles, cores);
    this.store = tiles.map(() => new Map());
  }

  keep(t: number, outputs: Readonly<Record<string, Tensor>>, emit: readonly string[], next: readonly string[]): void {
    // Tiles move to the next checkpoint one at a time: this one lets go of what the checkpoint does not hold.
    const kept = new Set(next);
    const store = this.store[t];
    for (const v of [...store.keys()]) if (!kept.has(v)) store.delete(v);
    for (const v of emit) store.set(v, outputs[v]);
  }

  endPass(emit: readonly string[]): void {
    for (const v of emit) if (this.exact.grids.has(v)) this.stitch(v);
  }

  read(t: number, value: string): Tensor | undefined {
    return this.store[t].get(value);
  }

  tileDone(t: number): void {
    this.store[t].clear();
  }

  close(): void {
    for (const m of this.store) m.clear();
  }

  /**
   * Makes a cached value on a grid what one run over the whole image would give: each tile's value is exact in its core
   * (its context reaches well past it) but not near its window's edges, so every tile takes the part of its window
   * outside its core from the cores of the tiles there. Later passes then start from whole-image values, and the
   * edge errors of a pass do not add up over the passes.
   */
  private stitch(value: string): void {
    const { tiles, exact } = this;
    const { scale, layout } = exact.grids.get(value)!;
    const nchw = layout === 'NCHW';
    const dims = exact.values.get(value)!.dims;
    const channels = nchw ? dims[1] : dims[3];
    const data = (t: number) => {
      const tensor = this.store[t].get(value);
      const h = tiles[t].height * scale;
      const w = tiles[t].width * scale;
      const expected = nchw ? [1, channels, h, w] : [1, h, w, channels];
      if (!tensor || !(tensor.data instanceof Float32Array) || tensor.dims.join() !== expected.join()) {
        throw new Error(`internal: tile ${t} holds '${value}' of dims [${tensor?.dims.join(', ')}], not [${expected.join(', ')}]`);
      }
      return tensor.data;
    };
    tiles.forEach((tile, t) => {
      const dst = data(t);
      const [h, w] = [tile.height * scale, tile.width * scale];
      for (const { core: u, part } of this.grid.overlaps(tile)) {
        if (u === t) continue;
        const from = tiles[u];
        copyBlock(
          data(u), from.height * scale, from.width * scale, (part.y - from.y) * scale, (part.x - from.x) * scale,
          dst, h, w, (part.y - tile.y) * scale, (part.x - tile.x) * scale,
          part.height * scale, part.width * scale, channels, nchw,
        );
      }
    });
  }
}

/**
 * Copies a `rows`×`cols` block of every channel from one window tensor (`h`×`w`, at `y`, `x`) to another (`h2`×`w2`, at
 * `y2`, `x2`), both NCHW or both NHWC.
 */
function copyBlock(
  src: Float32Array, h: number, w: number, y: number, x: number,
  dst: Float32Array, h2: number, w2: number, y2: number, x2: number,
  rows: number, cols: number, channels: number, nchw: boolean,
): void {
  if (nchw) {
    for (let c = 0; c < channels; c++) {
      for (let r = 0; r < rows; r++) copyRun(src, (c * h + y + r) * w + x, dst, (c * h2 + y2 + r) * w2 + x2, cols);
    }
  } else {
    for (let r = 0; r < rows; r++) copyRun(src, ((y + r) * w + x) * channels, dst, ((y2 + r) * w2 + x2) * channels, cols * channels);
  }
}
