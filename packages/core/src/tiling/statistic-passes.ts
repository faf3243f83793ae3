import type { GraphIndex } from './graph-index.js';
import type { StatisticSite } from './statistic-sites.js';

/** The nodes one derived graph runs, and what it reads. */
export interface Closure {
  /** Node indices in topological order; an InstanceNormalization site's node stands for its replacement. */
  nodes: number[];
  /** Cached values (of the checkpoint it starts from) it reads. */
  cached: string[];
  /** Sites whose whole-image statistics it reads. */
  supplied: number[];
  /** Whether it reads the image. */
  image: boolean;
  /** The graph's run inputs it reads (the same for every tile: a style vector). */
  runInputs: string[];
}

/**
 * How the statistics of a network depend on each other. A value's *stage* is the number of statistics passes that
 * must be done before it can be computed tile by tile: 0 for what depends on no statistics, and for a value reading
 * site s's statistics, one more than the stage of s's source. Pass p gathers the statistics of every site whose
 * source has stage p (a plain transform net: one site per pass, 15 or 16 passes); the last pass renders the output.
 *
 * Checkpoint c (1 ≤ c ≤ passes) is what a tile must keep after pass c - 1 so that later passes need not start from
 * the image again: the values of stage < c that nodes of stage ≥ c read.
 */
export class StatisticPasses {
  readonly index: GraphIndex;
  readonly sites: readonly StatisticSite[];
  /** Pass of each site. */
  readonly passOf: readonly number[];
  /** Number of statistics passes. */
  readonly passes: number;
  /** `checkpoints[c]`: the values kept at checkpoint c (`checkpoints[0]` is empty: pass 0 starts from the image). */
  readonly checkpoints: readonly (readonly string[])[];
  /** Site index of each value the derived graphs take as statistics (an IN output, a mean, a variance). */
  private readonly suppliedBy = new Map<string, number>();
  /** Site index of each InstanceNormalization node that a site replaces. */
  private readonly replacedNode = new Map<number, number>();
  private readonly stage = new Map<string, number>();

  constructor(index: GraphIndex, sites: readonly StatisticSite[]) {
    this.index = index;
    this.sites = sites;
    sites.forEach((site, s) => {
      const r = site.replaces;
      if (r.kind === 'instance-norm') {
        this.suppliedBy.set(r.output, s);
        this.replacedNode.set(r.node, s);
      } else {
        this.suppliedBy.set(r.mean.value, s);
        if (r.variance) this.suppliedBy.set(r.variance.value, s);
      }
    });
    const stageOf = (v: string) => (v === '' || index.isTileInvariant(v) ? 0 : (this.stage.get(v) ?? 0));
    const passOf: number[] = new Array(sites.length).fill(0);
    for (const node of index.nodes) {
      const site = node.outputs.map((v) => this.suppliedBy.get(v)).find((s) => s !== undefined);
      if (site !== undefined) {
        passOf[site] = stageOf(sites[site].source);
        for (const v of node.outputs) if (this.suppliedBy.get(v) === site) this.stage.set(v, passOf[site] + 1);
        continue;
      }
      const stage = Math.max(0, ...node.inputs.map(stageOf));
      for (const v of node.outputs) if (v !== '' && !index.isTileInvariant(v)) this.stage.set(v, stage);
    }
    this.passOf = passOf;
    this.passes = sites.length === 0 ? 0 : Math.max(...passOf) + 1;
    this.checkpoints = this.findCheckpoints(stageOf);
  }

  /** The sites that pass `p` gathers statistics for. */
  sitesOf(pass: number): number[] {
    return this.sites.map((_, s) => s).filter((s) => this.passOf[s] === pass);
  }

  /** Whether `value` is a statistic the derived graphs take as an input, and of which site. */
  siteSupplying(value: string): number | undefined {
    return this.suppliedBy.get(value);
  }

  /** The site whose InstanceNormalization node `node` is, if it is one. */
  siteReplacing(node: number): number | undefined {
    return this.replacedNode.get(node);
  }

  /** Inputs of a node as the derived graphs compute it (a replaced InstanceNormalization reads x, scale and bias). */
  private inputsOf(node: number): readonly string[] {
    return this.index.nodes[node].inputs;
  }

  /** Every node needed for the output and the sources, in the graph where statistics are inputs. */
  private neededNodes(): Set<number> {
    const needed = new Set<number>();
    const stack = [this.index.output, ...this.sites.map((s) => s.source)];
    const seen = new Set<string>();
    while (stack.length > 0) {
      const v = stack.pop()!;
      if (seen.has(v) || v === '') continue;
      seen.add(v);
      if (this.suppliedBy.has(v) && this.replacedNode.get(this.index.producer.get(v) ?? -1) === undefined) continue;
      const node = this.index.producer.get(v);
      if (node === undefined || needed.has(node)) continue;
      needed.add(node);
      stack.push(...this.inputsOf(node));
    }
    return needed;
  }

  private findCheckpoints(stageOf: (v: string) => number): string[][] {
    const needed = this.neededNodes();
    // For each value: the latest stage of a needed node reading it (a site's source is read by its own pass too).
    const lastReader = new Map<string, number>();
    const read = (v: string, stage: number) => lastReader.set(v, Math.max(lastReader.get(v) ?? -1, stage));
    for (const i of needed) {
      const node = this.index.nodes[i];
      const site = this.replacedNode.get(i);
      const stage = site !== undefined ? this.passOf[site] + 1 : Math.max(0, ...node.inputs.map(stageOf));
      for (const v of this.inputsOf(i)) if (v !== '') read(v, stage);
    }
    read(this.index.output, Infinity);
    const checkpoints: string[][] = [[]];
    for (let c = 1; c <= this.passes; c++) {
      const kept: string[] = [];
      for (const [v, last] of lastReader) {
        // Values the same in every tile are computed again in each pass from the constants and run inputs.
        if (v === this.index.input || this.index.isTileInvariant(v) || (this.suppliedBy.has(v) && !this.isInstanceNormOutput(v))) continue;
        if (stageOf(v) <= c - 1 && last >= c) kept.push(v);
      }
      checkpoints.push(kept.sort());
    }
    return checkpoints;
  }

  private isInstanceNormOutput(v: string): boolean {
    const node = this.index.producer.get(v);
    return node !== undefined && this.replacedNode.has(node);
  }

  /**
   * The nodes that compute `targets` in a tile, starting from checkpoint `from` (0: the image), with the statistics of
   * the passes before `pass` supplied. Throws when a target needs statistics of pass `pass` or later.
   */
  closure(targets: readonly string[], from: number, pass: number): Closure {
    const cachedSet = new Set(from > 0 ? this.checkpoints[from] : []);
    const nodes = new Set<number>();
    const cached = new Set<string>();
    const supplied = new Set<number>();
    const runInputs = new Set<string>();
    let image = false;
    const seen = new Set<string>();
    const stack = [...targets];
    while (stack.length > 0) {
      const v = stack.pop()!;
      if (v === '' || seen.has(v)) continue;
      seen.add(v);
      if (v === this.index.input) {
        image = true;
        continue;
      }
      if (this.index.runInputs.has(v)) {
        runInputs.add(v);
        continue;
      }
      if (cachedSet.has(v)) {
        cached.add(v);
        continue;
      }
      if (this.index.initializers.has(v)) continue;
      const site = this.suppliedBy.get(v);
      if (site !== undefined) {
        if (this.passOf[site] >= pass) throw new Error(`internal: '${v}' needs the statistics of pass ${this.passOf[site]} in pass ${pass}`);
        supplied.add(site);
        if (!this.isInstanceNormOutput(v)) continue;
      }
      const node = this.index.producer.get(v);
      if (node === undefined) throw new Error(`internal: '${v}' is neither made nor cached (checkpoint ${from}, pass ${pass})`);
      if (nodes.has(node)) continue;
      nodes.add(node);
      stack.push(...this.inputsOf(node));
    }
    return {
      nodes: [...nodes].sort((a, b) => a - b),
      cached: [...cached].sort(),
      supplied: [...supplied].sort((a, b) => a - b),
      image,
      runInputs: [...runInputs].sort(),
    };
  }
}
