import type { TileRect } from '../image/tiling.js';

/** The cores of a row-major tile grid (disjoint, covering the image), found from any window over it. */
export class CoreGrid {
  private readonly columns: number;
  private readonly xEdges: number[];
  private readonly yEdges: number[];
  private readonly cores: readonly TileRect[];

  constructor(tiles: readonly TileRect[], cores: readonly TileRect[]) {
    this.cores = cores;
    this.columns = tiles.filter((t) => t.y === tiles[0].y).length;
    const last = cores[cores.length - 1];
    this.xEdges = [...cores.slice(0, this.columns).map((c) => c.x), cores[this.columns - 1].x + cores[this.columns - 1].width];
    this.yEdges = [...cores.filter((_, i) => i % this.columns === 0).map((c) => c.y), last.y + last.height];
  }

  /** The cores that meet `window`, each with its part inside the window (pixels of the image). */
  overlaps(window: TileRect): { core: number; part: TileRect }[] {
    const found: { core: number; part: TileRect }[] = [];
    for (const i of intervals(this.yEdges, window.y, window.y + window.height)) {
      for (const j of intervals(this.xEdges, window.x, window.x + window.width)) {
        const core = this.cores[i * this.columns + j];
        const x = Math.max(core.x, window.x);
        const y = Math.max(core.y, window.y);
        const width = Math.min(core.x + core.width, window.x + window.width) - x;
        const height = Math.min(core.y + core.height, window.y + window.height) - y;
        found.push({ core: i * this.columns + j, part: { x, y, width, height } });
      }
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
