import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GatysEngine } from '../../../packages/core/src/index.js';
import type { Problem } from './inputs.js';
import type { TorchWorker } from './torch-worker.js';

/** Relative differences of loss, worst term and gradient (‖Δ‖₂/‖g‖₂ and max|Δ|/max|g|) against a reference. */
export interface Difference {
  loss: number;
  terms: number;
  gradL2: number;
  gradMax: number;
}

/** Pastiche against PyTorch (both float32), and each against PyTorch in float64 at the same point. */
export interface Agreement {
  pasticheVsTorch: Difference;
  pasticheVs64: Difference;
  torchVs64: Difference;
}

interface Result {
  loss: number;
  terms: Record<string, number>;
  grad: Float32Array | Float64Array;
}

function difference(a: Result, ref: Result): Difference {
  const rel = (x: number, y: number) => Math.abs(x - y) / Math.abs(y);
  let diff2 = 0;
  let ref2 = 0;
  let diffMax = 0;
  let refMax = 0;
  for (let i = 0; i < ref.grad.length; i++) {
    const d = a.grad[i] - ref.grad[i];
    diff2 += d * d;
    ref2 += ref.grad[i] ** 2;
    diffMax = Math.max(diffMax, Math.abs(d));
    refMax = Math.max(refMax, Math.abs(ref.grad[i]));
  }
  return {
    loss: rel(a.loss, ref.loss),
    terms: Math.max(...Object.keys(ref.terms).map((k) => rel(a.terms[k], ref.terms[k]))),
    gradL2: Math.sqrt(diff2 / ref2),
    gradMax: diffMax / refMax,
  };
}

function readFloats(path: string, bytes: 4 | 8): Float32Array | Float64Array {
  const b = readFileSync(path);
  const copy = b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength);
  return bytes === 4 ? new Float32Array(copy) : new Float64Array(copy);
}

/** Evaluates the problem on both sides (and in float64 on PyTorch's) and compares; `dir` holds the gradient files. */
export async function checkAgreement(engine: GatysEngine, worker: TorchWorker, p: Problem, dir: string): Promise<Agreement> {
  const pastiche = await engine.evaluate(p.x, p.width, p.height, p.targets, p.weights);
  const ask = async (command: string, file: string, bytes: 4 | 8): Promise<Result> => {
    const r = await worker.request<{ loss: number; terms: Record<string, number> }>(`${command} ${join(dir, file)}`);
    return { ...r, grad: readFloats(join(dir, file), bytes) };
  };
  const torch = await ask('check', 'grad-torch.f32', 4);
  const torch64 = await ask('check64', 'grad-torch.f64', 8);
  return {
    pasticheVsTorch: difference(pastiche, torch),
    pasticheVs64: difference(pastiche, torch64),
    torchVs64: difference(torch, torch64),
  };
}
