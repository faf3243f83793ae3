import { TensorDataType, type Dim, type ModelProto, type NodeProto, type TensorProto, type ValueInfoProto } from '../onnx/onnx-types.js';
import type { Closure, StatisticPasses } from './statistic-passes.js';

/** An input of a pass graph that carries a site's whole-image statistics. */
export interface StatisticInput {
  name: string;
  site: number;
  /** What it holds, per channel: the mean or the (population) variance. */
  holds: 'mean' | 'variance';
  dims: readonly number[];
}

/** The inputs of a pass graph that select a tile's core at one resolution (1 inside, 0 outside). */
export interface CoreMaskInputs {
  /** Spatial size of the sites at this resolution on the probe image, which fixes their ratio to the tile. */
  probeHeight: number;
  probeWidth: number;
  rows: string;
  cols: string;
  /** Number of core positions, float [1]. */
  count: string;
}

/** The outputs of a pass graph with one site's sums over the tile's core. */
export interface SiteSums {
  site: number;
  /** Per-channel sum, [1,C,1,1]. */
  sum: string;
  /** Per-channel sum of squared deviations from the core's own mean, [1,C,1,1] (sites that need the variance). */
  squares: string | undefined;
  masks: CoreMaskInputs;
}

/** One derived graph: a statistics pass, or the render pass with every statistic supplied. */
export interface PassGraph {
  model: ModelProto;
  closure: Closure;
  statistics: StatisticInput[];
  /** Statistics passes: the sums of the pass's sites. */
  sums: SiteSums[];
  /** Checkpoint values it outputs for the next passes. */
  emitted: string[];
  /** The render pass: the image output's name. */
  output: string | undefined;
}

const PREFIX = 'pastiche_tiling';

/** What a pass graph is: from which checkpoint, which pass (`passes` = the render pass), which checkpoint values it emits. */
export interface PassGraphSpec {
  from: number;
  pass: number;
  emit: readonly string[];
}

/**
 * Builds the graph of one pass for one tile. Statistics pass `pass < passes`: computes the sources of the pass's sites
 * from checkpoint `from` (the image when 0) with the statistics of earlier passes as inputs, and outputs each site's
 * per-channel sum and sum of squared deviations over the core (masks as inputs), plus the checkpoint values in `emit`.
 * Render pass (`pass === passes`): the image output with every statistic supplied. Value names of the network are kept,
 * so cached values pass from one graph to the next by name.
 */
export function buildPassGraph(
  passes: StatisticPasses,
  spec: PassGraphSpec,
  types: ReadonlyMap<string, { elemType: number; rank: number }>,
): PassGraph {
  const { index } = passes;
  const render = spec.pass === passes.passes;
  const siteIds = render ? [] : passes.sitesOf(spec.pass);
  const targets = render ? [index.output] : [...siteIds.map((s) => passes.sites[s].source), ...spec.emit];
  const closure = passes.closure(targets, spec.from, spec.pass);

  const taken = new Set<string>([...index.producer.keys(), ...index.initializers.keys(), ...index.model.graph.inputs.map((v) => v.name)]);
  const fresh = (base: string) => {
    let name = `${PREFIX}/${base}`;
    for (let i = 1; taken.has(name); i++) name = `${PREFIX}/${base}_${i}`;
    taken.add(name);
    return name;
  };
  const nodes: NodeProto[] = [];
  const initializers: TensorProto[] = [];
  const inputs: ValueInfoProto[] = [];
  const outputs: ValueInfoProto[] = [];
  const statistics: StatisticInput[] = [];
  const node = (opType: string, ins: string[], out: string, attributes: NodeProto['attributes'] = []) => {
    nodes.push({ name: fresh(`${opType}`), opType, domain: '', inputs: ins, outputs: [out], attributes });
    return out;
  };
  const symbolic = (base: string, rank: number): Dim[] => Array.from({ length: rank }, (_, i) => `${base}_d${i}`);
  const statInput = (site: number, holds: StatisticInput['holds'], name: string, dims: readonly number[]) => {
    statistics.push({ name, site, holds, dims });
    inputs.push({ name, elemType: TensorDataType.FLOAT, shape: [...dims] });
    return name;
  };

  if (closure.image) inputs.push(index.model.graph.inputs.find((v) => v.name === index.input)!);
  for (const v of closure.runInputs) inputs.push(index.model.graph.inputs.find((i) => i.name === v)!);
  for (const v of closure.cached) {
    const t = types.get(v);
    if (!t) throw new Error(`internal: no probed type for cached value '${v}'`);
    inputs.push({ name: v, elemType: t.elemType, shape: symbolic(v, t.rank) });
  }

  const used = new Set<string>();
  for (const i of closure.nodes) {
    const original = index.nodes[i];
    const s = passes.siteReplacing(i);
    if (s === undefined) {
      nodes.push(original);
      for (const v of original.inputs) used.add(v);
      continue;
    }
    // InstanceNormalization with whole-image statistics: BatchNormalization with them as its mean and variance.
    const r = passes.sites[s].replaces;
    if (r.kind !== 'instance-norm') throw new Error('internal: a replaced node that is not an InstanceNormalization');
    const dims = [passes.sites[s].channels];
    const mean = statInput(s, 'mean', fresh(`mean_${s}`), dims);
    const variance = statInput(s, 'variance', fresh(`variance_${s}`), dims);
    node('BatchNormalization', [original.inputs[0], r.scale, r.bias, mean, variance], r.output, [{ name: 'epsilon', type: 1, f: r.epsilon }]);
    for (const v of [original.inputs[0], r.scale, r.bias]) used.add(v);
  }
  for (const s of closure.supplied) {
    const r = passes.sites[s].replaces;
    if (r.kind !== 'moments') continue;
    statInput(s, 'mean', r.mean.value, r.mean.dims);
    if (r.variance) statInput(s, 'variance', r.variance.value, r.variance.dims);
  }
  for (const v of used) {
    const t = index.initializers.get(v);
    if (t && !initializers.includes(t)) initializers.push(t);
  }

  // Sums over the core: MatMul(rows [1,H], MatMul(x [1,C,H,W], cols [W,1])) = [1,C,1,1].
  const masks = new Map<string, CoreMaskInputs>();
  const sums: SiteSums[] = [];
  for (const s of siteIds) {
    const site = passes.sites[s];
    const key = `${site.height}x${site.width}`;
    let m = masks.get(key);
    if (!m) {
      m = { probeHeight: site.height, probeWidth: site.width, rows: fresh(`rows_${key}`), cols: fresh(`cols_${key}`), count: fresh(`count_${key}`) };
      inputs.push({ name: m.rows, elemType: TensorDataType.FLOAT, shape: [1, `${m.rows}_h`] });
      inputs.push({ name: m.cols, elemType: TensorDataType.FLOAT, shape: [`${m.cols}_w`, 1] });
      inputs.push({ name: m.count, elemType: TensorDataType.FLOAT, shape: [1] });
      masks.set(key, m);
    }
    const mask = m;
    const x =
      site.layout === 'NCHW'
        ? site.source
        : node('Transpose', [site.source], fresh(`nchw_${s}`), [{ name: 'perm', type: 7, ints: [0, 3, 1, 2] }]);
    const coreSum = (t: string, name: string) => node('MatMul', [mask.rows, node('MatMul', [t, mask.cols], fresh(`${name}_rows`))], fresh(name));
    const sum = coreSum(x, `sum_${s}`);
    let squares: string | undefined;
    if (site.variance) {
      const centred = node('Sub', [x, node('Div', [sum, mask.count], fresh(`core_mean_${s}`))], fresh(`core_centred_${s}`));
      squares = coreSum(node('Mul', [centred, centred], fresh(`core_squared_${s}`)), `squares_${s}`);
    }
    outputs.push({ name: sum, elemType: TensorDataType.FLOAT, shape: [1, site.channels, 1, 1] });
    if (squares) outputs.push({ name: squares, elemType: TensorDataType.FLOAT, shape: [1, site.channels, 1, 1] });
    sums.push({ site: s, sum, squares, masks: mask });
  }
  const emitted = [...spec.emit];
  for (const v of emitted) outputs.push({ name: v, elemType: 0 });
  if (render) outputs.push(index.model.graph.outputs[0]);

  const model: ModelProto = {
    irVersion: index.model.irVersion,
    opsetImports: index.model.opsetImports,
    producerName: 'pastiche-tiling',
    producerVersion: '',
    docString: '',
    metadataProps: {},
    graph: { name: `${index.model.graph.name}_pass${spec.pass}_from${spec.from}`, nodes, initializers, inputs, outputs, valueInfo: [] },
  };
  return { model, closure, statistics, sums, emitted, output: render ? index.output : undefined };
}
