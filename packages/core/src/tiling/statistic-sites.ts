import { tensorNumbers } from '../onnx/constant-values.js';
import type { NodeProto } from '../onnx/onnx-types.js';
import { floatAttribute, intsAttribute, type GraphIndex } from './graph-index.js';

/** Dims of a value as onnxruntime computed them on a probe image. */
export type ProbedDims = ReadonlyMap<string, readonly number[]>;

/** A value the model computes as a per-channel statistic, which the derived graphs take as an input instead. */
export interface SuppliedValue {
  /** The node computing it (removed from the derived graphs). */
  node: number;
  /** Its output name, which becomes a graph input of that name. */
  value: string;
  /** Its dims (batch 1): C elements in channel order, the other axes 1. */
  dims: readonly number[];
}

/**
 * One place where a network takes per-channel statistics over the whole image: an InstanceNormalization node, or a
 * ReduceMean (or GlobalAveragePool) over the spatial axes as exporters spell instance normalisation out, with the
 * ReduceMean of `(x - mean)²` that goes with it when there is one.
 */
export interface StatisticSite {
  /** The 4-D tensor whose statistics are taken. */
  source: string;
  /** Where its channel axis is: NCHW (axis 1) or NHWC (axis 3). */
  layout: 'NCHW' | 'NHWC';
  channels: number;
  /** Its spatial size on the probe image. */
  height: number;
  width: number;
  /** What the whole-image statistics replace in the derived graphs. */
  replaces:
    | { kind: 'instance-norm'; node: number; epsilon: number; scale: string; bias: string; output: string }
    | { kind: 'moments'; mean: SuppliedValue; variance: SuppliedValue | undefined };
  /** Whether the site needs the variance (sum of squared deviations) as well as the mean. */
  variance: boolean;
}

const isDefaultDomain = (domain: string) => domain === '' || domain === 'ai.onnx';
const product = (dims: readonly number[]) => dims.reduce((a, b) => a * b, 1);

/** A 4-D value that `value` is a reshape of, with the batch and channel axes kept in front (NCHW) or at the back (NHWC). */
function reshapedFrom(index: GraphIndex, value: string, dims: ProbedDims): { source: string; layout: 'NCHW' | 'NHWC' } | undefined {
  const node = index.producerOf(value);
  if (!node || !isDefaultDomain(node.domain) || (node.opType !== 'Reshape' && node.opType !== 'Flatten')) return undefined;
  const source = node.inputs[0];
  const from = dims.get(source);
  const to = dims.get(value);
  if (!from || !to || from.length !== 4 || product(from) !== product(to)) return undefined;
  if (to.length >= 2 && to[0] === from[0] && to[1] === from[1]) return { source, layout: 'NCHW' };
  if (to.length >= 2 && to[0] === from[0] && to[to.length - 1] === from[3]) return { source, layout: 'NHWC' };
  return undefined;
}

/** The reduced axes of a ReduceMean, normalised to 0..rank-1 (from the attribute, or from opset 18's constant input). */
function reducedAxes(index: GraphIndex, node: NodeProto, rank: number): number[] | undefined {
  let axes = intsAttribute(node, 'axes');
  if (axes === undefined && node.inputs[1]) {
    const t = index.constantTensor(node.inputs[1]);
    if (!t) return undefined;
    axes = tensorNumbers(t);
  }
  if (axes === undefined) return Array.from({ length: rank }, (_, i) => i);
  return [...new Set(axes.map((a) => (a < 0 ? a + rank : a)))].sort((a, b) => a - b);
}

interface MeanSite {
  node: number;
  value: string;
  source: string;
  layout: 'NCHW' | 'NHWC';
}

/**
 * A ReduceMean or GlobalAveragePool whose output is one mean per channel of a 4-D tensor over all its positions:
 * directly (axes 2,3 of NCHW, 1,2 of NHWC) or through a reshape that keeps batch and channels (`[1,C,1,-1]`, as some
 * exporters write it).
 */
function spatialMean(index: GraphIndex, i: number, dims: ProbedDims): MeanSite | undefined {
  const node = index.nodes[i];
  if (!isDefaultDomain(node.domain)) return undefined;
  const input = node.inputs[0];
  const value = node.outputs[0];
  const inDims = dims.get(input);
  const outDims = dims.get(value);
  if (!inDims || !outDims || index.isTileInvariant(input)) return undefined;
  if (node.opType === 'GlobalAveragePool') return inDims.length === 4 ? { node: i, value, source: input, layout: 'NCHW' } : undefined;
  if (node.opType !== 'ReduceMean') return undefined;
  const axes = reducedAxes(index, node, inDims.length);
  if (!axes) return undefined;
  if (inDims.length === 4 && axes.join() === '2,3') return { node: i, value, source: input, layout: 'NCHW' };
  if (inDims.length === 4 && axes.join() === '1,2') return { node: i, value, source: input, layout: 'NHWC' };
  const reshaped = reshapedFrom(index, input, dims);
  if (!reshaped) return undefined;
  const src = dims.get(reshaped.source)!;
  const channels = reshaped.layout === 'NCHW' ? src[1] : src[3];
  // Everything but batch and channels is averaged: one value per channel comes out.
  const keptAxis = reshaped.layout === 'NCHW' ? 1 : inDims.length - 1;
  if (product(outDims) !== src[0] * channels || axes.includes(0) || axes.includes(keptAxis)) return undefined;
  return { node: i, value, source: reshaped.source, layout: reshaped.layout };
}

/** `d` when `value` is `d * d` or `d ^ 2`. */
function squaredOf(index: GraphIndex, value: string): string | undefined {
  const node = index.producerOf(value);
  if (!node || !isDefaultDomain(node.domain)) return undefined;
  if (node.opType === 'Mul' && node.inputs[0] === node.inputs[1]) return node.inputs[0];
  if (node.opType === 'Pow') {
    const exponent = index.constantTensor(node.inputs[1]);
    if (exponent && tensorNumbers(exponent).every((e) => e === 2)) return node.inputs[0];
  }
  return undefined;
}

/**
 * Finds the statistics sites of a network, in network order. `dims` holds what a probe run measured for the inputs and
 * outputs of every InstanceNormalization, ReduceMean and GlobalAveragePool node and the inputs of the reshapes before
 * them. A ReduceMean of `(x - m)²` where `m` is the spatial mean of `x` joins the site of `m` as its variance.
 */
export function findStatisticSites(index: GraphIndex, dims: ProbedDims): StatisticSite[] {
  const means = new Map<string, MeanSite>();
  const found: { at: number; site: StatisticSite }[] = [];
  index.nodes.forEach((node, i) => {
    if (node.opType === 'InstanceNormalization' && isDefaultDomain(node.domain)) {
      const d = dims.get(node.inputs[0]);
      if (!d || d.length !== 4) return;
      found.push({
        at: i,
        site: {
          source: node.inputs[0],
          layout: 'NCHW',
          channels: d[1],
          height: d[2],
          width: d[3],
          replaces: { kind: 'instance-norm', node: i, epsilon: floatAttribute(node, 'epsilon') ?? 1e-5, scale: node.inputs[1], bias: node.inputs[2], output: node.outputs[0] },
          variance: true,
        },
      });
      return;
    }
    const mean = spatialMean(index, i, dims);
    if (mean) means.set(mean.value, mean);
  });

  // Pair each variance with its mean: ReduceMean((x - m)²) where m = ReduceMean(x) over the same positions.
  const varianceOf = new Map<string, MeanSite>();
  const paired = new Set<string>();
  for (const site of means.values()) {
    const d = squaredOf(index, site.source);
    const sub = d === undefined ? undefined : index.producerOf(d);
    if (!sub || sub.opType !== 'Sub' || !isDefaultDomain(sub.domain)) continue;
    const mean = means.get(sub.inputs[1]);
    if (!mean || mean.source !== sub.inputs[0] || mean.layout !== site.layout || varianceOf.has(mean.value)) continue;
    varianceOf.set(mean.value, site);
    paired.add(site.value);
  }
  for (const site of means.values()) {
    if (paired.has(site.value)) continue;
    const src = dims.get(site.source)!;
    const variance = varianceOf.get(site.value);
    const supplied = (m: MeanSite): SuppliedValue => ({ node: m.node, value: m.value, dims: dims.get(m.value)! });
    found.push({
      at: site.node,
      site: {
        source: site.source,
        layout: site.layout,
        channels: site.layout === 'NCHW' ? src[1] : src[3],
        height: site.layout === 'NCHW' ? src[2] : src[1],
        width: site.layout === 'NCHW' ? src[3] : src[2],
        replaces: { kind: 'moments', mean: supplied(site), variance: variance && supplied(variance) },
        variance: variance !== undefined,
      },
    });
  }
  return found.sort((a, b) => a.at - b.at).map((f) => f.site);
}

/** The values whose dims {@link findStatisticSites} needs from a probe run. */
export function siteProbeValues(index: GraphIndex): string[] {
  const values = new Set<string>();
  for (const node of index.nodes) {
    if (!isDefaultDomain(node.domain)) continue;
    if (node.opType === 'InstanceNormalization' || node.opType === 'GlobalAveragePool') values.add(node.inputs[0]);
    if (node.opType !== 'ReduceMean') continue;
    values.add(node.inputs[0]);
    values.add(node.outputs[0]);
    const before = index.producerOf(node.inputs[0]);
    if (before && (before.opType === 'Reshape' || before.opType === 'Flatten')) values.add(before.inputs[0]);
  }
  for (const node of index.nodes) if (node.opType === 'GlobalAveragePool' && isDefaultDomain(node.domain)) values.add(node.outputs[0]);
  return [...values].filter((v) => !index.isTileInvariant(v));
}
