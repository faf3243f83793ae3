import type { StorageTerms } from './checkpoint-storage.js';
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
  /** Bytes of cached values held while it runs: the checkpoint it reads, and the one it writes. */
  held: number;
}

/** Sizes that set what passes cost and what caching takes, in pixels. */
export interface TileGeometry {
  /** Pixels of one tile. */
  tileArea: number;
  tiles: number;
  /** Pixels of the (padded) image, which the tiles' cores cover once. */
  imageArea: number;
  /**
   * Least distance from a tile's core to its window's edge inside the image: how far a pass may reach from its
   * starting values and still be exact in the core. @default Infinity
   */
  margin?: number;
}

/** The passes of one exact-tiling run, and what they cost. */
export interface CheckpointPlan {
  steps: PassStep[];
  /** Multiply-adds of all passes over all tiles, with cached bytes counted at the storage's cost. */
  cost: number;
  /** Most bytes of cached values held at once. */
  peakBytes: number;
  /**
   * Whether every pass reaches no further than the margin from the values it starts from, so that with stitching the
   * result equals a whole-image run to rounding.
   */
  exact: boolean;
}

/** What a pass that reaches past the margin costs on top: plans that stay exact win whenever memory allows one. */
const INEXACT = 1e18;

/**
 * What checkpoints to keep between passes (activations cached, so that a pass starts where the one before stopped
 * instead of from the image), chosen to do the least work (caching counted as work too, at the storage's cost per
 * byte) while the values cached at once stay within the storage's capacity. Dynamic programming over which
 * checkpoints are kept: while pass c' - 1 runs from kept checkpoint c and outputs checkpoint c', both are held. With
 * no capacity every pass restarts from the image (the statistics of pass p then cost the network up to site p
 * again); with enough, each pass runs one segment.
 */
export function planCheckpoints(exact: ExactTiling, geometry: TileGeometry, storage: StorageTerms): CheckpointPlan {
  const { passes, probe } = exact;
  const P = passes.passes;
  const probeArea = probe.width * probe.height;
  // Work is done per tile; values are kept per tile window, or, on a grid, once for the image as the tiles' cores.
  const scale = (geometry.tileArea / probeArea) * geometry.tiles;
  const cores = storage.keeps === 'image cores';
  const bytes = (v: string) => {
    const info = exact.values.get(v);
    const area = cores && exact.grids.has(v) ? geometry.imageArea / probeArea : scale;
    return info ? info.dims.reduce((a, b) => a * b, 1) * elementBytes(info.elemType) * area : 0;
  };
  const held = (values: Iterable<string>) => [...new Set(values)].reduce((n, v) => n + bytes(v), 0);
  const checkpoint = (c: number) => (c === 0 ? [] : passes.checkpoints[c]);
  const costCache = new Map<string, number>();
  const margin = geometry.margin ?? Infinity;
  const passCost = (from: number, pass: number, emit: readonly string[]) => {
    const key = `${from}:${pass}:${emit.length}`;
    let cost = costCache.get(key);
    if (cost === undefined) {
      const targets = pass === P ? [passes.index.output] : [...passes.sitesOf(pass).map((s) => passes.sites[s].source), ...emit];
      const { nodes } = passes.closure(targets, from, pass);
      const work = nodes.reduce((n, i) => n + exact.cost[i], 0) * scale;
      const inexact = reachOf(nodes, targets) > margin ? INEXACT : 0;
      cost = work + storage.macsPerByte * emit.reduce((n, v) => n + bytes(v), 0) + inexact;
      costCache.set(key, cost);
    }
    return cost;
  };
  // The longest path of node reaches from the values a pass starts from to its targets.
  const reachOf = (nodes: readonly number[], targets: readonly string[]) => {
    const distance = new Map<string, number>();
    for (const i of nodes) {
      const node = passes.index.nodes[i];
      const d = Math.max(0, ...node.inputs.map((v) => distance.get(v) ?? 0)) + exact.reach[i];
      for (const v of node.outputs) distance.set(v, d);
    }
    return Math.max(0, ...targets.map((v) => distance.get(v) ?? 0));
  };
  // Kept per tile window, tiles move from one checkpoint to the next one at a time: the old one for tiles not yet run,
  // the new one for the others, both for the tile running. Kept as cores, tiles read the old checkpoint and write the
  // new one until the pass ends.
  const transition = (from: number, to: number) => {
    const both = held([...checkpoint(from), ...checkpoint(to)]);
    return cores ? both : Math.max(held(checkpoint(from)), held(checkpoint(to))) + both / geometry.tiles;
  };
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
      if (best[from] === Infinity || transition(from, to) > storage.capacity) continue;
      let cost = best[from];
      for (let q = from; q < to - 1; q++) cost += passCost(from, q, []);
      cost += passCost(from, to - 1, emitted(from, to));
      // Ties go to the later checkpoint: nodes the cost leaves out (all but convolutions) are not run again.
      if (cost <= best[to]) {
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
    if (cost <= total) {
      total = cost;
      last = from;
    }
  }
  const kept: number[] = [];
  for (let c = last; c > 0; c = via[c]) kept.unshift(c);
  kept.unshift(0);
  const steps: PassStep[] = [];
  for (let k = 0; k < kept.length; k++) {
    const from = kept[k];
    const next = kept[k + 1];
    const end = next === undefined ? P : next - 1;
    for (let q = from; q <= end; q++) {
      const emits = next !== undefined && q === next - 1;
      steps.push({ pass: q, from, emit: emits ? emitted(from, next) : [], held: emits ? transition(from, next) : held(checkpoint(from)) });
    }
  }
  const peakBytes = Math.max(0, ...steps.map((s) => s.held));
  return { steps, cost: total % INEXACT, peakBytes, exact: total < INEXACT };
}
