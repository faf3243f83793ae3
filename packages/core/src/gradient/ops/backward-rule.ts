import { PasticheError } from '../../errors.js';
import type { NodeProto } from '../../onnx/onnx-types.js';
import type { ConstantValues } from '../../onnx/constant-values.js';
import type { GraphEmitter } from '../graph-emitter.js';
import { describeNode } from '../../onnx/node-attributes.js';

/** What a backward rule gets for one forward node. Value names are those of the gradient graph. */
export interface BackwardArgs {
  readonly node: NodeProto;
  readonly e: GraphEmitter;
  /** d loss / d output, per output; undefined where no gradient reaches that output. */
  readonly dOutputs: readonly (string | undefined)[];
  /** Per input: whether it depends on `image` (only those need a gradient). */
  readonly needsGrad: readonly boolean[];
  readonly constants: ConstantValues;
}

/** Reverse-mode rule of one op: d loss / d input for each input that needs it (undefined elsewhere). */
export type BackwardRule = (args: BackwardArgs) => (string | undefined)[];

/** The error for a node whose gradient a rule cannot form; says why and what to do. */
export function unsupported(node: NodeProto, why: string): PasticheError {
  return new PasticheError(
    'E_MODEL_SIGNATURE',
    `Cannot differentiate ${describeNode(node)}: ${why}. Re-export the loss network without it, or choose layers before it.`,
  );
}

/** Throws when an input other than those listed needs a gradient (e.g. Conv weights computed from the image). */
export function onlyGradFor(args: BackwardArgs, differentiable: readonly number[]): void {
  args.needsGrad.forEach((needs, i) => {
    if (needs && !differentiable.includes(i)) throw unsupported(args.node, `its input ${i} ('${args.node.inputs[i]}') depends on the image`);
  });
}
