import { TensorDataType } from '../onnx/onnx-types.js';
import { GraphIndex } from './graph-index.js';
import { nodeReach } from './node-reach.js';
import { elementBytes, probeValues, type DerivableModel, type ProbedValue } from './shape-probe.js';
import { StatisticPasses } from './statistic-passes.js';
import { findStatisticSites, siteProbeValues } from './statistic-sites.js';

/** What exact tiling knows about a network with statistics. */
export interface ExactTiling {
  passes: StatisticPasses;
  /** Input size of the probe runs: the fixed size, or a small square for free-size networks. */
  probe: { width: number; height: number };
  /** Tile positions, tile cores and the padded image are multiples of this, so that every site's grid splits exactly. */
  alignment: number;
  /** Dims and element types on the probe image of every checkpoint value and every convolution's input and output. */
  values: ReadonlyMap<string, ProbedValue>;
  /** Multiply-adds of each node on the probe image (convolutions; other nodes count 0). */
  cost: readonly number[];
  /** Bytes of the largest convolution input plus output of each node on the probe image (other nodes count 0). */
  convolutionBytes: readonly number[];
  /** How far each node's output reaches beyond its input's positions, in pixels of the image ({@link nodeReach}). */
  reach: readonly number[];
  /**
   * Checkpoint values on a grid that scales with the image (float32, 4-D): after the pass that makes them, each tile
   * takes the part of its window outside its core from its neighbours' cores, so that later passes start from
   * whole-image values. Other checkpoint values are kept per tile as they come.
   */
  grids: ReadonlyMap<string, ValueGrid>;
}

/** Where a 4-D value's spatial axes are, and its size relative to the input's. */
export interface ValueGrid {
  layout: 'NCHW' | 'NHWC';
  /** Its height (and width) over the input's. */
  scale: number;
}

/** What the planner knows about a network, found once per loaded model. */
export interface TilingAnalysis {
  /** Estimated onnxruntime working memory of one run, in bytes per input pixel. */
  workingBytesPerPixel: number;
  /** Set when the network takes statistics over the image that tiles can share. */
  exact: ExactTiling | undefined;
  /** Why tiles keep per-tile statistics, when `exact` is undefined. */
  reason: string | undefined;
}

/**
 * onnxruntime's working memory of a run over the largest convolution input plus output: the CPU arena holds several
 * live tensors besides them and grows in steps (candy: 384 bytes of convolution input and output per pixel, 1.4 kB per
 * pixel measured as peak RSS growth).
 */
export const WORKING_MEMORY_FACTOR = 3.7;
/** Working memory per pixel assumed for a network without convolutions. */
const FALLBACK_WORKING_BYTES = 1024;

/** Side of the square probe image of free-size networks (rounded up to the size multiple). */
export const PROBE_SIDE = 64;

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
const lcm = (a: number, b: number) => (a / gcd(a, b)) * b;
const isDefaultDomain = (domain: string) => domain === '' || domain === 'ai.onnx';

/** Convolution nodes' working bytes (input + output) on the probe image, from probed dims. */
function convolutionBytes(index: GraphIndex, values: ReadonlyMap<string, ProbedValue>): number[] {
  const size = (v: string) => {
    const info = values.get(v);
    return info ? info.dims.reduce((a, b) => a * b, 1) * elementBytes(info.elemType) : 0;
  };
  return index.nodes.map((node) => (isConvolution(node.opType, node.domain) ? size(node.inputs[0]) + size(node.outputs[0]) : 0));
}

const isConvolution = (opType: string, domain: string) => isDefaultDomain(domain) && (opType === 'Conv' || opType === 'ConvTranspose');

function convolutionValues(index: GraphIndex): string[] {
  return index.nodes.filter((n) => isConvolution(n.opType, n.domain)).flatMap((n) => [n.inputs[0], n.outputs[0]]);
}

/**
 * Finds a network's statistics sites and how its passes depend on each other, probing shapes with onnxruntime on a small
 * image (two sizes for a free-size network, to check that each site's grid scales with the input), and estimates its
 * working memory. Networks without sites, or whose graphs cannot be taken apart, get a reason instead: they tile with
 * per-tile statistics.
 */
export async function analyzeTiling(model: DerivableModel): Promise<TilingAnalysis> {
  const index = new GraphIndex(model.graph, model.signature.input.name);
  const multiple = model.conventions.sizeMultiple;
  const side = Math.ceil(PROBE_SIDE / multiple) * multiple;
  const probe = model.fixedSize ?? { width: side, height: side };
  const probeArea = probe.width * probe.height;
  const unsupported = index.unsupportedReason();
  const candidates = unsupported ? [] : siteProbeValues(index);
  const values = await probeValues(model, [...new Set([...candidates, ...convolutionValues(index)])].filter((v) => !index.isTileInvariant(v)), probe.width, probe.height);
  const convBytes = convolutionBytes(index, values);
  const largest = Math.max(0, ...convBytes);
  const workingBytesPerPixel = largest > 0 ? (WORKING_MEMORY_FACTOR * largest) / probeArea : FALLBACK_WORKING_BYTES;
  const without = (reason: string): TilingAnalysis => ({ workingBytesPerPixel, exact: undefined, reason });
  if (unsupported) return without(unsupported);

  const sites = findStatisticSites(index, new Map([...values].map(([k, v]) => [k, v.dims])));
  if (sites.length === 0) return without('it takes no statistics over the image');
  const passes = new StatisticPasses(index, sites);
  const checkpointValues = [...new Set(passes.checkpoints.flat())];
  const all = new Map(values);
  const missing = checkpointValues.filter((v) => !values.has(v));
  if (missing.length > 0) for (const [k, v] of await probeValues(model, missing, probe.width, probe.height)) all.set(k, v);
  // A free-size network is probed at twice the size too: each site's grid must scale with the input, or tile cores
  // could not be mapped onto it, and checkpoint values that scale are kept as image-sized maps.
  const twice = model.fixedSize
    ? undefined
    : await probeValues(model, [...new Set([...sites.map((s) => s.source), ...checkpointValues])], 2 * probe.width, 2 * probe.height);
  if (twice) {
    for (const site of sites) {
      const d = twice.get(site.source)?.dims;
      const [h, w] = site.layout === 'NCHW' ? [d?.[2], d?.[3]] : [d?.[1], d?.[2]];
      if (h !== 2 * site.height || w !== 2 * site.width) return without(`the size of '${site.source}' does not scale with the image`);
    }
  }
  const grids = new Map<string, ValueGrid>();
  for (const v of checkpointValues) {
    const grid = valueGrid(all.get(v), twice?.get(v), probe);
    if (grid) grids.set(v, grid);
  }
  let alignment = multiple;
  const align = (size: number, probeSize: number) => (alignment = lcm(alignment, probeSize / gcd(size, probeSize)));
  for (const site of sites) {
    align(site.height, probe.height);
    align(site.width, probe.width);
  }
  for (const grid of grids.values()) {
    align(grid.scale * probe.height, probe.height);
    align(grid.scale * probe.width, probe.width);
  }
  if (alignment > Math.min(probe.width, probe.height)) return without(`its statistics are taken on a grid too coarse to split (${alignment} pixels)`);

  const cost = index.nodes.map((node) => {
    // A convolution of the style vector (no image in it) costs the same whatever the tile.
    if (!isConvolution(node.opType, node.domain) || index.isTileInvariant(node.outputs[0])) return 0;
    const weight = index.constantTensor(node.inputs[1])?.dims ?? all.get(node.inputs[1])?.dims;
    const io = all.get(node.opType === 'Conv' ? node.outputs[0] : node.inputs[0])?.dims;
    if (!weight || !io || weight.length < 2) return 0;
    const perElement = weight.reduce((a, b) => a * b, 1) / weight[0];
    return io.reduce((a, b) => a * b, 1) * perElement;
  });
  const reach = nodeReach(index);
  return { workingBytesPerPixel, reason: undefined, exact: { passes, probe, alignment, values: all, cost, convolutionBytes: convBytes, grids, reach } };
}

/**
 * The grid of a float32 4-D value whose spatial axes (2, 3 for NCHW or 1, 2 for NHWC) are the input's size times one
 * power of two, and double when the input does (when probed at twice the size).
 */
function valueGrid(value: ProbedValue | undefined, twice: ProbedValue | undefined, probe: { width: number; height: number }): ValueGrid | undefined {
  if (!value || value.elemType !== TensorDataType.FLOAT || value.dims.length !== 4) return undefined;
  for (const layout of ['NCHW', 'NHWC'] as const) {
    const [h, w] = layout === 'NCHW' ? [value.dims[2], value.dims[3]] : [value.dims[1], value.dims[2]];
    const scale = h / probe.height;
    if (w / probe.width !== scale || !Number.isInteger(Math.log2(scale))) continue;
    if (twice) {
      const d = twice.dims;
      const [h2, w2] = layout === 'NCHW' ? [d[2], d[3]] : [d[1], d[2]];
      const other = layout === 'NCHW' ? [d[0], d[1]] : [d[0], d[3]];
      const same = layout === 'NCHW' ? [value.dims[0], value.dims[1]] : [value.dims[0], value.dims[3]];
      if (h2 !== 2 * h || w2 !== 2 * w || other[0] !== same[0] || other[1] !== same[1]) continue;
    }
    return { layout, scale };
  }
  return undefined;
}
