/**
 * The free-size twin of a gnsmrky fixed-size export: the same graph and weights with symbolic height and width, its
 * nearest ×2 upsampling (spelled as Reshape [-1,1], Concat, Reshape [-1,2W], Concat, Reshape [-1,C,2H,2W], whose shapes
 * fix the size) replaced by one Upsample node. The tests check that it equals the original at the original's size.
 */
import { decodeModel, encodeModel, float32Tensor, type ModelProto, type NodeProto } from '@pastiche/core';
import { tensorNumbers } from '../../packages/core/src/onnx/constant-values.js';

function constantValues(model: ModelProto, name: string): number[] | undefined {
  const init = model.graph.initializers.find((t) => t.name === name);
  if (init) return tensorNumbers(init);
  const node = model.graph.nodes.find((n) => n.outputs[0] === name && n.opType === 'Constant');
  const t = node?.attributes.find((a) => a.name === 'value')?.t;
  return t && tensorNumbers(t);
}

export function freeSizeTwin(bytes: Uint8Array): Uint8Array {
  const model = decodeModel(bytes);
  const { graph } = model;
  const consumer = (value: string) => graph.nodes.filter((n) => n.inputs.includes(value));
  const removed = new Set<NodeProto>();
  const replacements = new Map<NodeProto, NodeProto>();
  let count = 0;
  for (const first of graph.nodes) {
    if (first.opType !== 'Reshape' || constantValues(model, first.inputs[1])?.join() !== '-1,1') continue;
    const chain = [first];
    for (const [op, test] of [
      ['Concat', (n: NodeProto) => n.inputs[0] === n.inputs[1]],
      ['Reshape', (n: NodeProto) => constantValues(model, n.inputs[1])?.length === 2],
      ['Concat', (n: NodeProto) => n.inputs[0] === n.inputs[1]],
      ['Reshape', (n: NodeProto) => constantValues(model, n.inputs[1])?.length === 4],
    ] as const) {
      const next = consumer(chain[chain.length - 1].outputs[0]);
      if (next.length !== 1 || next[0].opType !== op || !test(next[0])) throw new Error(`unexpected upsampling chain at '${first.name}'`);
      chain.push(next[0]);
    }
    const scales = float32Tensor(`twin_scales_${count}`, [4], [1, 1, 2, 2]);
    graph.initializers.push(scales);
    const last = chain[chain.length - 1];
    replacements.set(last, {
      name: `twin_upsample_${count++}`,
      opType: 'Upsample',
      domain: '',
      inputs: [first.inputs[0], scales.name],
      outputs: [...last.outputs],
      attributes: [{ name: 'mode', type: 3, s: new TextEncoder().encode('nearest') }],
    });
    for (const n of chain.slice(0, -1)) removed.add(n);
  }
  if (count === 0) throw new Error('no fixed-size upsampling found');
  graph.nodes = graph.nodes.filter((n) => !removed.has(n)).map((n) => replacements.get(n) ?? n);
  for (const v of [...graph.inputs.filter((i) => !graph.initializers.some((t) => t.name === i.name)), ...graph.outputs]) {
    v.shape = [1, 3, 'height', 'width'];
  }
  return encodeModel(model);
}
