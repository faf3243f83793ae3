import type { InferenceSession } from 'onnxruntime-node';

type SessionOptions = InferenceSession.SessionOptions;

export interface OptionCandidate {
  name: string;
  sessionOptions: SessionOptions;
  /** False for settings an adapter cannot use for every image (they fix the input size). */
  generic: boolean;
}

/**
 * Session options worth trying on CPU, each as a change from the baseline (`intraOpNumThreads: T`,
 * everything else at onnxruntime's defaults, which is what `loadStyle` passes today).
 */
export function optionCandidates(threads: number): OptionCandidate[] {
  const base: SessionOptions = { intraOpNumThreads: threads };
  const c = (name: string, extra: SessionOptions, generic = true): OptionCandidate => ({
    name,
    sessionOptions: { ...base, ...extra },
    generic,
  });
  return [
    c('baseline (ORT defaults, intraOp T)', {}),
    { name: 'no options at all (plain loadStyle)', sessionOptions: {}, generic: true },
    c("graphOptimizationLevel 'all' (explicit)", { graphOptimizationLevel: 'all' }),
    c("graphOptimizationLevel 'extended' (no NCHWc layout)", { graphOptimizationLevel: 'extended' }),
    c("graphOptimizationLevel 'basic'", { graphOptimizationLevel: 'basic' }),
    c("executionMode 'parallel', interOp 2", { executionMode: 'parallel', interOpNumThreads: 2 }),
    c('enableCpuMemArena false', { enableCpuMemArena: false }),
    c('enableMemPattern false', { enableMemPattern: false }),
    c('intraOpNumThreads 1', { intraOpNumThreads: 1 }),
    c('allow_spinning 0', { extra: { session: { intra_op: { allow_spinning: '0' } } } }),
    c('set_denormal_as_zero 1', { extra: { session: { set_denormal_as_zero: '1' } } }),
    // Not an adapter default (one session per input size), but shows what static shapes buy.
    c('freeDimensionOverrides = input size', {}, false),
  ];
}

/** Fills in per-size settings (the fixed-shape candidate needs the size). */
export function sessionOptionsFor(candidate: OptionCandidate, size: number): SessionOptions {
  if (candidate.generic) return candidate.sessionOptions;
  return { ...candidate.sessionOptions, freeDimensionOverrides: { height: size, width: size } };
}
