import type { Tensor } from 'onnxruntime-common';
import { PasticheError } from '../errors.js';
import type { PlanarImage } from '../image/image-types.js';
import { cropImageUnchecked } from '../image/padding.js';
import { resizeImageUnchecked } from '../image/resize.js';
import { planarToTensorUnchecked, tensorToPlanarUnchecked } from '../image/tensor-conversion.js';
import type { TileRect } from '../image/tiling.js';
import { planCheckpoints, type CheckpointPlan, type PassStep } from './checkpoint-plan.js';
import { MEMORY_MACS_PER_BYTE, type CheckpointSpill, type CheckpointStore } from './checkpoint-storage.js';
import type { ModelTiling, OpenPass } from './model-tiling.js';
import type { CoreMaskInputs, StatisticInput } from './pass-graph.js';
import { SpilledCheckpoints } from './spilled-checkpoints.js';
import { TileWindows } from './tile-windows.js';
import { WORKING_MEMORY_FACTOR, type ExactTiling } from './tiling-analysis.js';

/** Whole-image statistics of one site, per channel (population variance). */
export interface SiteStatistics {
  mean: Float64Array;
  variance: Float64Array;
}

/** What one exact-tiling run works on. */
export interface ExactTileRunInit {
  tiling: ModelTiling;
  exact: ExactTiling;
  /** The image, padded so that its sides are multiples of the analysis' alignment. */
  image: PlanarImage;
  tiles: readonly TileRect[];
  /** One per tile: disjoint, covering the image, on the alignment grid. */
  cores: readonly TileRect[];
  /** The graph's inputs besides the image (a style vector), the same for every tile. @default {} */
  runInputs?: Readonly<Record<string, Tensor>>;
  /** Bytes of memory for pass sessions and cached activations. */
  budget: number;
  /** Storage beside memory for cached activations (files on Node), used when its plan does less work. */
  spill?: CheckpointSpill;
  signal: AbortSignal | undefined;
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new PasticheError('E_ABORTED', 'Stylization was aborted.', { cause: signal.reason });
}

/** Per-channel running moments (Chan et al.'s parallel update), in float64. */
class Moments {
  count = 0;
  readonly mean: Float64Array;
  readonly squares: Float64Array;

  constructor(channels: number) {
    this.mean = new Float64Array(channels);
    this.squares = new Float64Array(channels);
  }

  /** Adds a part of `n` positions with per-channel sums and sums of squared deviations from the part's own mean. */
  add(n: number, sums: Float32Array, squares: Float32Array | undefined): void {
    const total = this.count + n;
    for (let c = 0; c < this.mean.length; c++) {
      const partMean = sums[c] / n;
      const delta = partMean - this.mean[c];
      this.mean[c] += (delta * n) / total;
      if (squares) this.squares[c] += squares[c] + (delta * delta * this.count * n) / total;
    }
    this.count = total;
  }

  statistics(): SiteStatistics {
    return { mean: this.mean, variance: this.squares.map((s) => Math.max(0, s / this.count)) };
  }
}

/**
 * Exact tiling of one image: the statistics passes (every site's whole-image statistics, gathered over disjoint tile
 * cores, one pass per group of sites, each using the statistics of the passes before), then tiles rendered with all
 * statistics supplied. Activations are cached between passes as {@link planCheckpoints} decides: in memory within the
 * budget, or in the platform's spill storage when that plan does less work. Pass sessions stay open for the next image
 * when they fit the budget as well, and are released after their pass otherwise.
 */
export class ExactTileRun {
  readonly plan: CheckpointPlan;
  /** Passes over the tiles, the render pass included. */
  readonly passCount: number;
  private readonly init: ExactTileRunInit;
  private readonly keepSessions: boolean;
  private readonly statistics: (SiteStatistics | undefined)[];
  /** The values cached between passes: the checkpoint the next pass starts from. */
  private readonly store: CheckpointStore;

  constructor(init: ExactTileRunInit) {
    this.init = init;
    const { exact, tiles, budget, image } = init;
    const tileArea = tiles[0].width * tiles[0].height;
    const scale = tileArea / (exact.probe.width * exact.probe.height);
    const arena = (step: PassStep) => {
      const passes = exact.passes;
      const targets = step.pass === passes.passes ? [passes.index.output] : [...passes.sitesOf(step.pass).map((s) => passes.sites[s].source), ...step.emit];
      const nodes = passes.closure(targets, step.from, step.pass).nodes;
      return WORKING_MEMORY_FACTOR * Math.max(0, ...nodes.map((i) => exact.convolutionBytes[i])) * scale;
    };
    const largest = WORKING_MEMORY_FACTOR * Math.max(0, ...exact.convolutionBytes) * scale;
    const geometry = { tileArea, tiles: tiles.length, imageArea: image.width * image.height, margin: coreMargin(tiles, init.cores, image) };
    const inMemory = planCheckpoints(exact, geometry, { keeps: 'tile windows', capacity: Math.max(0, budget - largest), macsPerByte: MEMORY_MACS_PER_BYTE });
    const onDisk = init.spill && planCheckpoints(exact, geometry, { keeps: 'image cores', ...init.spill.terms() });
    // A plan that stays exact wins; between two that do (or two that do not), the one with less work.
    const spilled = onDisk !== undefined && (onDisk.exact === inMemory.exact ? onDisk.cost < inMemory.cost : onDisk.exact);
    this.plan = spilled ? onDisk! : inMemory;
    // Sessions kept open pile up over the passes while the cached values come and go.
    let opened = 0;
    let peak = 0;
    for (const step of this.plan.steps) {
      opened += arena(step);
      peak = Math.max(peak, opened + (spilled ? 0 : step.held));
    }
    this.keepSessions = peak <= budget;
    this.passCount = this.plan.steps.length;
    this.statistics = exact.passes.sites.map(() => undefined);
    this.store = spilled
      ? new SpilledCheckpoints({ exact, tiles, cores: init.cores, createTensor: (data, dims) => init.tiling.model.createTensor(data, dims), open: () => init.spill!.open() })
      : new TileWindows(exact, tiles, init.cores);
  }

  /** Runs the statistics passes; `onRun` after each tile of each. */
  async gatherStatistics(onRun: (pass: number) => void): Promise<void> {
    const { exact } = this.init;
    // Sessions an earlier image kept but this plan does not use would hold their memory through it.
    await this.init.tiling.releaseAllBut(this.plan.steps);
    for (const step of this.plan.steps) {
      if (step.pass === exact.passes.passes) break;
      const open = await this.init.tiling.open(exact, step);
      const moments = new Map(exact.passes.sitesOf(step.pass).map((s) => [s, new Moments(exact.passes.sites[s].channels)]));
      const statFeeds = this.statisticFeeds(open.graph.statistics);
      for (let t = 0; t < this.init.tiles.length; t++) {
        throwIfAborted(this.init.signal);
        const masks = new Map<string, number>();
        const feeds = { ...statFeeds, ...this.tileFeeds(open, t), ...this.maskFeeds(open, t, masks) };
        const out = await open.session.run(feeds, [...open.graph.sums.flatMap((s) => (s.squares ? [s.sum, s.squares] : [s.sum])), ...step.emit]);
        for (const sums of open.graph.sums) {
          const data = (name: string | undefined) => (name === undefined ? undefined : (out[name].data as Float32Array));
          moments.get(sums.site)!.add(masks.get(sums.masks.count)!, data(sums.sum)!, data(sums.squares));
        }
        if (step.emit.length > 0) this.store.keep(t, out, step.emit, exact.passes.checkpoints[step.pass + 1]);
        onRun(step.pass);
      }
      if (step.emit.length > 0) this.store.endPass(step.emit, exact.passes.checkpoints[step.pass + 1]);
      for (const [s, m] of moments) this.statistics[s] = m.statistics();
      if (!this.keepSessions) await this.init.tiling.release(step);
    }
  }

  /** Renders tile `t` with every statistic supplied, at the tile's size. */
  async renderTile(t: number): Promise<PlanarImage> {
    const { exact, tiles, tiling } = this.init;
    const step = this.plan.steps[this.plan.steps.length - 1];
    const open = await tiling.open(exact, step);
    const feeds = { ...this.statisticFeeds(open.graph.statistics), ...this.tileFeeds(open, t) };
    const name = open.graph.output!;
    const out = (await open.session.run(feeds, [name]))[name];
    const tile = tiles[t];
    if (!(out.data instanceof Float32Array)) throw new PasticheError('E_INFERENCE', `Model '${tiling.model.name}' returned ${out.type} data; expected float32.`);
    checkFinite(out.data, tiling.model.name);
    let image = tensorToPlanarUnchecked(out.data, out.dims, tiling.model.conventions.output);
    if (image.width !== tile.width || image.height !== tile.height) image = resizeImageUnchecked(image, tile.width, tile.height);
    this.store.tileDone(t);
    return image;
  }

  /** Releases what this run holds: the cached values (spilled files included), and the pass sessions unless they stay for the next image. */
  async finish(): Promise<void> {
    this.store.close();
    if (!this.keepSessions) await this.init.tiling.releaseAllBut([]);
  }

  /** The image crop and the cached values a pass graph reads for tile `t`. */
  private tileFeeds(open: OpenPass, t: number): Record<string, Tensor> {
    const { tiling, tiles, image } = this.init;
    const feeds: Record<string, Tensor> = {};
    const closure = open.graph.closure;
    if (closure.image) {
      const { data, dims } = planarToTensorUnchecked(cropImageUnchecked(image, tiles[t]), tiling.model.conventions.input);
      feeds[tiling.model.signature.input.name] = tiling.model.createTensor(data, dims);
    }
    for (const v of closure.runInputs) {
      const value = this.init.runInputs?.[v];
      if (!value) throw new Error(`internal: no value for the run input '${v}'`);
      feeds[v] = value;
    }
    for (const v of closure.cached) {
      const value = this.store.read(t, v);
      if (!value) throw new Error(`internal: tile ${t} has no cached '${v}'`);
      feeds[v] = value;
    }
    return feeds;
  }

  /** The core masks of tile `t` at each resolution a pass graph sums at; `counts` gets each mask's number of positions. */
  private maskFeeds(open: OpenPass, t: number, counts: Map<string, number>): Record<string, Tensor> {
    const { exact, tiling, tiles, cores } = this.init;
    const tile = tiles[t];
    const core = cores[t];
    const feeds: Record<string, Tensor> = {};
    const seen = new Set<CoreMaskInputs>();
    for (const { masks } of open.graph.sums) {
      if (seen.has(masks)) continue;
      seen.add(masks);
      const h = (tile.height * masks.probeHeight) / exact.probe.height;
      const w = (tile.width * masks.probeWidth) / exact.probe.width;
      const along = (length: number, from: number, to: number, size: number) => {
        const mask = new Float32Array(length);
        mask.fill(1, Math.round((from * length) / size), Math.round((to * length) / size));
        return mask;
      };
      const rows = along(h, core.y - tile.y, core.y + core.height - tile.y, tile.height);
      const cols = along(w, core.x - tile.x, core.x + core.width - tile.x, tile.width);
      const count = rows.reduce((a, b) => a + b, 0) * cols.reduce((a, b) => a + b, 0);
      feeds[masks.rows] = tiling.model.createTensor(rows, [1, h]);
      feeds[masks.cols] = tiling.model.createTensor(cols, [w, 1]);
      feeds[masks.count] = tiling.model.createTensor(Float32Array.of(count), [1]);
      counts.set(masks.count, count);
    }
    return feeds;
  }

  /** Tensors for the statistics a pass graph takes, from the statistics gathered so far. */
  private statisticFeeds(inputs: readonly StatisticInput[]): Record<string, Tensor> {
    const feeds: Record<string, Tensor> = {};
    for (const input of inputs) {
      const stats = this.statistics[input.site];
      if (!stats) throw new Error(`internal: statistics of site ${input.site} are needed before they are gathered`);
      feeds[input.name] = this.init.tiling.model.createTensor(Float32Array.from(input.holds === 'mean' ? stats.mean : stats.variance), input.dims);
    }
    return feeds;
  }
}

/** The least distance from a core to its tile's edge, over the tile edges inside the image. */
function coreMargin(tiles: readonly TileRect[], cores: readonly TileRect[], image: { width: number; height: number }): number {
  let margin = Infinity;
  tiles.forEach((t, i) => {
    const c = cores[i];
    if (t.x > 0) margin = Math.min(margin, c.x - t.x);
    if (t.y > 0) margin = Math.min(margin, c.y - t.y);
    if (t.x + t.width < image.width) margin = Math.min(margin, t.x + t.width - (c.x + c.width));
    if (t.y + t.height < image.height) margin = Math.min(margin, t.y + t.height - (c.y + c.height));
  });
  return margin;
}

function checkFinite(data: Float32Array, model: string): void {
  let bad = 0;
  for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i])) bad++;
  if (bad === 0) return;
  throw new PasticheError(
    'E_NUMERIC',
    `Style network '${model}' returned ${bad} NaN or infinite value${bad === 1 ? '' : 's'} for a tile rendered with whole-image ` +
      `statistics, which would come out as black or white pixels. Try tileMode: 'fast', the CPU device, or another model.`,
  );
}
