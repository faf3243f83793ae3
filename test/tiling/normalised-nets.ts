/**
 * Small style networks with image statistics, built by the tests (no assets): instance normalisation as an
 * InstanceNormalization node or spelled out as exporters write it, with random weights.
 */
import { GraphBuilder, SeededRandom, TensorDataType, attr, encodeModel, float32Tensor, int64Tensor } from '@pastiche/core';

const FLOAT = TensorDataType.FLOAT;

/** How a network takes its statistics. */
export type Normalisation =
  /** InstanceNormalization nodes. */
  | 'instance-norm'
  /** ReduceMean over axes 2,3, Sub, Mul, ReduceMean, Add ε, Sqrt, Div, γ, β. */
  | 'spelled'
  /** The same through Reshape [1,C,1,-1] and ReduceMean over axis 3, with Pow 2 (as the gnsmrky exports write it). */
  | 'spelled-reshape'
  /** The same on an NHWC copy of the activations (Transpose, ReduceMean over axes 1,2). */
  | 'spelled-nhwc'
  /** Mean absolute deviation: ReduceMean(|x − mean|), a statistic that needs its own pass after the mean's. */
  | 'mean-abs'
  /** Squeeze-and-excitation: x × sigmoid(GlobalAveragePool(x)), no normalisation. */
  | 'global-pool';

export interface NetOptions {
  normalisation: Normalisation;
  /** A stride-2 convolution and a nearest ×2 Resize back, so statistics are taken at two resolutions. @default true */
  downsample?: boolean;
  seed?: number;
  /** Fixed input size instead of symbolic dims. */
  fixed?: { width: number; height: number };
}

const CHANNELS = 4;

/**
 * Conv 3→4 (3×3, reflect pad) → norm → Relu → [Conv 4→4 (3×3, stride 2) → norm → Relu → Resize ×2] → Add skip → norm →
 * Conv 4→3 (1×1) → Sigmoid × 255. RGB 0..255 in and out, size multiple 4.
 */
export function normalisedNet(options: NetOptions): Uint8Array {
  const { normalisation, downsample = true, seed = 3 } = options;
  const random = new SeededRandom(seed);
  const weights = (n: number, scale: number) => Array.from({ length: n }, () => (2 * random.uniform() - 1) * scale);
  const g = new GraphBuilder(`normalised-${normalisation}`);
  const dims = options.fixed ? [1, 3, options.fixed.height, options.fixed.width] : [1, 3, 'height', 'width'];
  g.input('input', FLOAT, dims);
  let count = 0;
  const initializer = (name: string, d: number[], values: number[]) => g.initializer(float32Tensor(`${name}_${count++}`, d, values));
  const conv = (x: string, cin: number, cout: number, kernel: number, stride = 1) => {
    const pad = (kernel - 1) / 2;
    let input = x;
    if (pad > 0) {
      const pads = g.initializer(int64Tensor(`pads_${count++}`, [8], [0, 0, pad, pad, 0, 0, pad, pad]));
      [input] = g.node('Pad', [x, pads], 1, { mode: attr.string('reflect') });
    }
    const w = initializer('w', [cout, cin, kernel, kernel], weights(cout * cin * kernel * kernel, 1.5 / Math.sqrt(cin * kernel * kernel)));
    const b = initializer('b', [cout], weights(cout, 2));
    return g.node('Conv', [input, w, b], 1, { kernel_shape: attr.ints([kernel, kernel]), strides: attr.ints([stride, stride]) })[0];
  };
  const gamma = () => weights(CHANNELS, 0.5).map((v) => 1 + v);
  const beta = () => weights(CHANNELS, 0.5);
  const reduceMean = (x: string, axes: number[]) => g.node('ReduceMean', [x], 1, { axes: attr.ints(axes), keepdims: attr.int(1) })[0];
  const spelled = (x: string, shaped: (v: string) => string, axes: number[], square: (d: string) => string, affineShape: number[]) => {
    const mean = reduceMean(shaped(x), axes);
    const [d] = g.node('Sub', [x, mean], 1);
    const variance = reduceMean(shaped(square(d)), axes);
    const [std] = g.node('Sqrt', [g.node('Add', [variance, initializer('eps', [], [1e-5])], 1)[0]], 1);
    const [normal] = g.node('Div', [d, std], 1);
    const [scaled] = g.node('Mul', [normal, initializer('gamma', affineShape, gamma())], 1);
    return g.node('Add', [scaled, initializer('beta', affineShape, beta())], 1)[0];
  };
  const norm = (x: string): string => {
    switch (normalisation) {
      case 'instance-norm':
        return g.node('InstanceNormalization', [x, initializer('scale', [CHANNELS], gamma()), initializer('bias', [CHANNELS], beta())], 1, { epsilon: attr.float(1e-5) })[0];
      case 'spelled':
        return spelled(x, (v) => v, [2, 3], (d) => g.node('Mul', [d, d], 1)[0], [1, CHANNELS, 1, 1]);
      case 'spelled-reshape': {
        const shape = g.initializer(int64Tensor(`shape_${count++}`, [4], [1, CHANNELS, 1, -1]));
        const two = initializer('two', [], [2]);
        return spelled(x, (v) => g.node('Reshape', [v, shape], 1)[0], [3], (d) => g.node('Pow', [d, two], 1)[0], [1, CHANNELS, 1, 1]);
      }
      case 'spelled-nhwc': {
        const [nhwc] = g.node('Transpose', [x], 1, { perm: attr.ints([0, 2, 3, 1]) });
        const y = spelled(nhwc, (v) => v, [1, 2], (d) => g.node('Mul', [d, d], 1)[0], [1, 1, 1, CHANNELS]);
        return g.node('Transpose', [y], 1, { perm: attr.ints([0, 3, 1, 2]) })[0];
      }
      case 'mean-abs': {
        const [d] = g.node('Sub', [x, reduceMean(x, [2, 3])], 1);
        const [spread] = g.node('Add', [reduceMean(g.node('Abs', [d], 1)[0], [2, 3]), initializer('eps', [], [1e-3])], 1);
        return g.node('Div', [d, spread], 1)[0];
      }
      case 'global-pool': {
        const [pooled] = g.node('GlobalAveragePool', [x], 1);
        const [gate] = g.node('Sigmoid', [g.node('Mul', [pooled, initializer('k', [], [0.05])], 1)[0]], 1);
        return g.node('Mul', [x, gate], 1)[0];
      }
    }
  };
  const [first] = g.node('Relu', [norm(conv('input', 3, CHANNELS, 3))], 1);
  let body = first;
  if (downsample) {
    const [low] = g.node('Relu', [norm(conv(first, CHANNELS, CHANNELS, 3, 2))], 1);
    const scales = initializer('scales', [4], [1, 1, 2, 2]);
    [body] = g.node('Resize', [low, '', scales], 1, { mode: attr.string('nearest') });
  }
  const [sum] = g.node('Add', [body, first], 1);
  const [out] = g.node('Sigmoid', [conv(norm(sum), CHANNELS, 3, 1)], 1);
  g.node('Mul', [out, initializer('range', [], [255])], ['output']);
  g.output('output', FLOAT, options.fixed ? dims : [1, 3, 'height', 'width']);
  return encodeModel(g.toModel({ opset: 13, metadata: { 'pastiche.name': `normalised-${normalisation}`, 'pastiche.size_multiple': '4' } }));
}
