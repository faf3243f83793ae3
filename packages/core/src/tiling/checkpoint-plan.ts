import { elementBytes } from './shape-probe.js';
import type { ExactTiling } from './tiling-analysis.js';

/** One pass over the tiles: from which checkpoint it starts, and which values of the next checkpoint it outputs. */
export interface PassStep {
  /** 0 … passes - 1: a statistics pass; `passes`: the render pass. */
  pass: number;
  /** Checkpoint it starts from (0: the image). */
  from: number;
  /** Values of checkpoint `pass + 1` it outputs (those the checkpoint it starts from does not hold). */
  emit: string[];
}

/** Sizes that set what passes cost and what caching takes, in pixels. */
export interface TileGeometry {
  /** Pixels of one tile. */
  tileArea: number;
  tiles: number;
}

/** The passes of one exact-tiling run, and what they cost. */
export interface CheckpointPlan {
  steps: PassStep[];
  /** Multiply-adds of all passes over all tiles. */
  cost: number;
  /** Most bytes of cached values held at once, over all tiles. */
  peakBytes: number;
}

/**
 * What checkpoints to keep between passes (activations cached per tile, so that a pass starts where the one before
 * stopped instead of from the image), chosen to do the least work while the values cached at once, over all tiles,
 * stay within `budget` bytes. Dynamic programming over which checkpoints are kept: while pass c' - 1 runs from kept
 * checkpoint c and outputs checkpoint c', tiles move from one to the other. With no budget every pass restarts from the image (the
 * statistics of pass p then cost the network up to site p again); with enough, each pass runs one segment.
 */
export function planCheckpoints(exact: ExactTiling, geometry: TileGeometry, budget: number): CheckpointPlan {
  const { passes, probe } = exact;
  const P = passes.passes;
  const probeArea = probe.width * probe.height;
  // Work is done, and values are kept, per tile.
  const scale = (geometry.tileArea / probeArea) * geometry.tiles;
  const bytes = (v: string) => {
    const info = exact.values.get(v);
    return info ? info.dims.reduce((a, b) => a * b, 1) * elementBytes(info.elemType) * scale : 0;
  };
  const held = (values: Iterable<string>) => [...new Set(values)].reduce((n, v) => n + bytes(v), 0);
  const checkpoint = (c: number) => (c === 0 ? [] : passes.checkpoints[c]);
  const costCache = new Map<string, number>();
  const passCost = (from: number, pass: number, emit: readonly string[]) => {
    const key = `${from}:${pass}:${emit.length}`;
    let cost = costCache.get(key);
    if (cost === undefined) {
      const targets = pass === P ? [passes.index.output] : [...passes.sitesOf(pass).map((s) => passes.sites[s].source), ...emit];
      cost = passes.closure(targets, from, pass).nodes.reduce((n, i) => n + exact.cost[i], 0) * scale;
      costCache.set(key, cost);
    }
    return cost;
  };
  // Tiles move from one checkpoint to the next one at a time: the old one for tiles not yet run, the new one for the
  // others, both for the tile running.
  const transition = (from: number, to: number) =>
    Math.max(held(checkpoint(from)), held(checkpoint(to))) + held([...checkpoint(from), ...checkpoint(to)]) / geometry.tiles;
  const emitted = (from: number, to: number) => {
    const have = new Set(checkpoint(from));
    return checkpoint(to).filter((v) => !have.has(v));
  };

  // best[c]: least cost of passes 0 … c - 1 with checkpoint c kept at their end; via[c]: the checkpoint kept before it.
  const best = new Array<number>(P + 1).fill(Infinity);
  const via = new Array<number>(P + 1).fill(-1);
  best[0] = 0;
  for (let to = 1; to <= P; to++) {
    for (let from = 0; from < to; from++) {
      if (best[from] === Infinity || transition(from, to) > budget) continue;
      let cost = best[from];
      for (let q = from; q < to - 1; q++) cost += passCost(from, q, []);
      cost += passCost(from, to - 1, emitted(from, to));
      if (cost < best[to]) {
        best[to] = cost;
        via[to] = from;
      }
    }
  }
  let last = 0;
  let total = Infinity;
  for (let from = 0; from <= P; from++) {
    if (best[from] === Infinity) continue;
    let cost = best[from];
    for (let q = from; q <= P; q++) cost += passCost(from, q, []);
    if (cost < total) {
      total = cost;
      last = from;
    }
  }
  const kept: number[] = [];
  for (let c = last; c > 0; c = via[c]) kept.unshift(c);
  kept.unshift(0);
  const steps: PassStep[] = [];
  let peakBytes = 0;
  for (let k = 0; k < kept.length; k++) {
    const from = kept[k];
    const next = kept[k + 1];
    const end = next === undefined ? P : next - 1;
    for (let q = from; q <= end; q++) steps.push({ pass: q, from, emit: next !== undefined && q === next - 1 ? emitted(from, next) : [] });
    peakBytes = Math.max(peakBytes, next === undefined ? held(checkpoint(from)) : transition(from, next));
  }
  return { steps, cost: total, peakBytes };
}
