import type { InferenceSession } from 'onnxruntime-node';

/**
 * Each side at its defaults and with its worker threads sleeping instead of spinning while they wait.
 * On a quiet machine spinning is the faster choice; while other processes compete for the 2 cores a
 * spinning thread burns the time slice its partner needs, which slowed both runtimes 3–30× in our
 * measurements (PyTorch's OpenMP pool far more than onnxruntime's). Measuring both and comparing each
 * side's best keeps the comparison fair under whatever load the shared machine has.
 */
export interface PasticheConfig {
  key: 'default' | 'noSpin';
  label: string;
  sessionOptions: InferenceSession.SessionOptions;
}

export interface TorchConfig {
  key: 'default' | 'passive';
  label: string;
  env: Record<string, string>;
}

export function pasticheConfigs(threads: number): PasticheConfig[] {
  return [
    { key: 'default', label: 'defaults', sessionOptions: { intraOpNumThreads: threads } },
    { key: 'noSpin', label: 'allow_spinning 0', sessionOptions: { intraOpNumThreads: threads, extra: { session: { intra_op: { allow_spinning: '0' } } } } },
  ];
}

export const TORCH_CONFIGS: TorchConfig[] = [
  { key: 'default', label: 'defaults', env: {} },
  { key: 'passive', label: 'OMP_WAIT_POLICY=PASSIVE', env: { OMP_WAIT_POLICY: 'PASSIVE' } },
];
