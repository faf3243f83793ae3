import { attr } from '../onnx/graph-builder.js';
import type { GraphEmitter } from './graph-emitter.js';

/** A Gram matrix and the pieces its gradient reuses. */
export interface GramParts {
  /** G = F Fᵀ / (H·W), [C, C]. */
  readonly gram: string;
  /** F as [C, H·W]. */
  readonly flat: string;
  /** 1 / (H·W) as a float scalar, from the run-time shape. */
  readonly invArea: string;
}

/**
 * Gram matrix of a feature map [1, C, H, W]: G = F Fᵀ / (H·W) with F = [C, H·W] (normalised by the number of
 * positions so that layers of every resolution weigh alike). `name` names the output value.
 */
export function emitGram(e: GraphEmitter, features: string, name?: string): GramParts {
  const flat = e.op('Flatten', [features], { axis: attr.int(2) });
  const product = e.op('MatMul', [flat, e.op('Transpose', [flat], { perm: attr.ints([1, 0]) })]);
  // 1/(H·W) = sqrt(C²) / (C·H·W), from element counts (see GraphEmitter.count); sqrt of a square is exact.
  const invArea = e.op('Div', [e.op('Sqrt', [e.count(product)]), e.count(flat)]);
  const gram = e.builder.node('Mul', [product, invArea], name ? [name] : 1)[0];
  return { gram, flat, invArea };
}
