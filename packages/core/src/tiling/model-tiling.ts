import { PasticheError } from '../errors.js';
import type { DerivedSession } from '../models/derived-sessions.js';
import { buildPassGraph, type PassGraph, type PassGraphSpec } from './pass-graph.js';
import type { DerivableModel } from './shape-probe.js';
import { analyzeTiling, type ExactTiling, type TilingAnalysis } from './tiling-analysis.js';

/** A pass graph and its session. */
export interface OpenPass {
  graph: PassGraph;
  session: DerivedSession;
}

/**
 * Pass sessions run one after another, each with its own thread pool: threads that spin after a run (onnxruntime's
 * default) would compete with the next session's (candy, 1024² in 256² tiles, on 2 cores: 15 s of CPU with spinning,
 * 10.5 s without).
 */
const DERIVED_SESSION_CONFIG = { 'session.intra_op.allow_spinning': '0' } as const;

const specKey = (spec: PassGraphSpec) => `${spec.from}:${spec.pass}:${spec.emit.join(',')}`;

/**
 * What tiling keeps per loaded model: its analysis (found on first use) and the sessions of its pass graphs, kept
 * between images when memory allows. The model's `dispose()` releases the sessions.
 */
export class ModelTiling {
  readonly model: DerivableModel;
  private analysisPromise: Promise<TilingAnalysis> | undefined;
  private readonly sessions = new Map<string, Promise<OpenPass>>();
  private queue: Promise<unknown> = Promise.resolve();

  constructor(model: DerivableModel) {
    this.model = model;
  }

  /**
   * The model's analysis, found once. A graph onnxruntime cannot probe (an odd third-party export) tiles with
   * per-tile statistics, with the reason; a disposed model is E_DISPOSED.
   */
  analysis(): Promise<TilingAnalysis> {
    this.analysisPromise ??= analyzeTiling(this.model).catch((cause: unknown) => {
      this.analysisPromise = undefined;
      if (cause instanceof PasticheError && cause.code === 'E_DISPOSED') throw cause;
      return { workingBytesPerPixel: NaN, exact: undefined, reason: `probing its shapes failed: ${(cause as Error)?.message ?? cause}` };
    });
    return this.analysisPromise;
  }

  /** Runs `work` after the exact-tiling runs queued before it: one run at a time owns the pass sessions. */
  exclusive<T>(work: () => Promise<T>): Promise<T> {
    const result = this.queue.then(work);
    this.queue = result.catch(() => undefined);
    return result;
  }

  /** The session of one pass graph, opened on first use. */
  open(exact: ExactTiling, spec: PassGraphSpec): Promise<OpenPass> {
    const key = specKey(spec);
    let open = this.sessions.get(key);
    if (!open) {
      const types = new Map([...exact.values].map(([k, v]) => [k, { elemType: v.elemType, rank: v.dims.length }]));
      const graph = buildPassGraph(exact.passes, spec, types);
      const label = spec.pass === exact.passes.passes ? 'the render pass of exact tiling' : `statistics pass ${spec.pass + 1} of exact tiling`;
      open = this.model.openDerivedSession(graph.model, label, DERIVED_SESSION_CONFIG).then((session) => ({ graph, session }));
      open.catch(() => this.sessions.delete(key));
      this.sessions.set(key, open);
    }
    return open;
  }

  /** Releases the session of one pass graph, if open. */
  async release(spec: PassGraphSpec): Promise<void> {
    const key = specKey(spec);
    const open = this.sessions.get(key);
    this.sessions.delete(key);
    await (await open?.catch(() => undefined))?.session.release();
  }

  /** Releases the sessions of every pass graph but those of `keep`. */
  async releaseAllBut(keep: readonly PassGraphSpec[]): Promise<void> {
    const kept = new Set(keep.map(specKey));
    const dropped = [...this.sessions.keys()].filter((k) => !kept.has(k));
    const opens = dropped.map((k) => this.sessions.get(k)!);
    for (const k of dropped) this.sessions.delete(k);
    await Promise.all(opens.map(async (o) => (await o.catch(() => undefined))?.session.release()));
  }
}

const tilings = new WeakMap<DerivableModel, ModelTiling>();

/** The tiling state of a loaded model (one per model object). */
export function modelTiling(model: DerivableModel): ModelTiling {
  let tiling = tilings.get(model);
  if (!tiling) {
    tiling = new ModelTiling(model);
    tilings.set(model, tiling);
  }
  return tiling;
}
