import type { TileRect } from '../image/tiling.js';

/** The cores of a row-major tile grid (disjoint, covering the image), found from any window over it. */
export class CoreGrid {
  private readonly columns: number;
  private readonly xEdges: number[];
  private readonly yEdges: number[];

  constructor(tiles: readonly TileRect[], cores: readonly TileRect[]) {
    this.columns = tiles.filter((t) => t.y === tiles[0].y).length;
    const last = cores[cores.length - 1];
    this.xEdges = [...cores.slice(0, this.columns).map((c) => c.x), cores[this.columns - 1].x + cores[this.columns - 1].width];
    this.yEdges = [...cores.filter((_, i) => i % this.columns === 0).map((c) => c.y), last.y + last.height];
  }

  /** Indices of the cores that meet `window`. */
  meeting(window: TileRect): number[] {
    const found: number[] = [];
    for (const i of intervals(this.yEdges, window.y, window.y + window.height)) {
      for (const j of intervals(this.xEdges, window.x, window.x + window.width)) found.push(i * this.columns + j);
    }
    return found;
  }
}

/** Which intervals between consecutive `edges` meet `[from, to)`. */
function intervals(edges: readonly number[], from: number, to: number): number[] {
  const found: number[] = [];
  for (let i = 0; i + 1 < edges.length; i++) if (edges[i] < to && edges[i + 1] > from) found.push(i);
  return found;
}

/** Copies `n` values: a plain loop for short runs, where a typed-array `set` call costs more than it saves. */
export function copyRun(src: Float32Array, s: number, dst: Float32Array, d: number, n: number): void {
  if (n >= 64) dst.set(src.subarray(s, s + n), d);
  else for (let j = 0; j < n; j++) dst[d + j] = src[s + j];
}
