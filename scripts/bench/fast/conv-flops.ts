import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { decodeModel } from '../../../packages/core/src/index.js';

interface ProfileEvent {
  cat: string;
  name: string;
  args?: { op_name?: string; input_type_shape?: Record<string, number[]>[]; output_type_shape?: Record<string, number[]>[] };
}

const count = (dims: readonly number[]) => dims.reduce((a, b) => a * b, 1);
const dimsOf = (shapes: Record<string, number[]>[] | undefined, i: number) => Object.values(shapes?.[i] ?? {})[0] ?? [];

/**
 * Floating-point operations (2 per multiply-add) of a model's Conv and ConvTranspose nodes on a size × size image,
 * from the weights' dims and the activations' shapes in onnxruntime's profile of one run with graph optimisations
 * off (so the nodes are the model's own).
 */
export async function convFlops(modelPath: string, size: number): Promise<number> {
  const graph = decodeModel(await readFile(modelPath)).graph;
  const weightDims = new Map(graph.initializers.map((t) => [t.name, t.dims]));
  const weightOf = new Map(graph.nodes.map((n) => [n.name, weightDims.get(n.inputs[1] ?? '') ?? []]));
  const dir = await mkdtemp(join(tmpdir(), 'pastiche-flops-'));
  try {
    const session = await ort.InferenceSession.create(modelPath, {
      graphOptimizationLevel: 'disabled',
      enableProfiling: true,
      profileFilePrefix: join(dir, 'profile'),
      logSeverityLevel: 3,
    });
    const input = new ort.Tensor('float32', new Float32Array(3 * size * size), [1, 3, size, size]);
    await session.run({ [session.inputNames[0]!]: input });
    session.endProfiling();
    await session.release();
    const file = (await readdir(dir)).find((f) => f.startsWith('profile'));
    if (!file) throw new Error(`onnxruntime wrote no profile for ${modelPath}`);
    const events = JSON.parse(await readFile(join(dir, file), 'utf8')) as ProfileEvent[];
    let flops = 0;
    for (const e of events) {
      if (e.cat !== 'Node' || !e.name.endsWith('_kernel_time')) continue;
      const weight = weightOf.get(e.name.replace(/_kernel_time$/, '')) ?? [];
      if (e.args?.op_name === 'Conv') {
        // Each output element: one multiply-add per weight of its output channel.
        flops += 2 * count(dimsOf(e.args.output_type_shape, 0)) * (count(weight) / weight[0]!);
      } else if (e.args?.op_name === 'ConvTranspose') {
        // Each input element scatters into one multiply-add per weight of its input channel.
        flops += 2 * count(dimsOf(e.args.input_type_shape, 0)) * (count(weight) / weight[0]!);
      }
    }
    return flops;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
