/**
 * Small ONNX models the tests build themselves (no assets): a random-weight style network of the usual shape, and
 * networks that misbehave on purpose (NaN outputs, an output of another size than the input).
 */
import { GraphBuilder, SeededRandom, TensorDataType, attr, encodeModel, float32Tensor, int64Tensor } from '@pastiche/core';

const FLOAT = TensorDataType.FLOAT;

/**
 * A style network as exported ones are, with random weights from `seed`: reflect Pad 1 → Conv 3→8 (3×3) → Relu →
 * Conv 8→3 (1×1) → Sigmoid × 255, symbolic height and width, RGB 0..255 in and out. About 1.4 kB.
 */
export function tinyStyleModel(seed = 1): Uint8Array {
  const random = new SeededRandom(seed);
  const weights = (n: number, scale: number) => Array.from({ length: n }, () => (2 * random.uniform() - 1) * scale);
  const g = new GraphBuilder('tiny-style');
  g.input('input', FLOAT, [1, 3, 'height', 'width']);
  const pads = g.initializer(int64Tensor('pads', [8], [0, 0, 1, 1, 0, 0, 1, 1]));
  const [padded] = g.node('Pad', ['input', pads], ['padded'], { mode: attr.string('reflect') });
  const w1 = g.initializer(float32Tensor('w1', [8, 3, 3, 3], weights(8 * 27, 0.02)));
  const b1 = g.initializer(float32Tensor('b1', [8], weights(8, 0.5)));
  const [conv1] = g.node('Conv', [padded, w1, b1], ['conv1'], { kernel_shape: attr.ints([3, 3]) });
  const [relu] = g.node('Relu', [conv1], ['relu']);
  const w2 = g.initializer(float32Tensor('w2', [3, 8, 1, 1], weights(24, 0.5)));
  const b2 = g.initializer(float32Tensor('b2', [3], weights(3, 0.5)));
  const [conv2] = g.node('Conv', [relu, w2, b2], ['conv2']);
  const [sigmoid] = g.node('Sigmoid', [conv2], ['sigmoid']);
  g.node('Mul', [sigmoid, g.initializer(float32Tensor('scale', [], [255]))], ['output']);
  g.output('output', FLOAT, [1, 3, 'height', 'width']);
  return encodeModel(g.toModel({ metadata: { 'pastiche.name': 'tiny-style', 'pastiche.title': 'Tiny random style' } }));
}

/** Every output value NaN (the input times NaN): a broken network. */
export function nanModel(): Uint8Array {
  const g = new GraphBuilder('nan');
  g.input('x', FLOAT, [1, 3, 'h', 'w']);
  g.node('Mul', ['x', g.initializer(float32Tensor('k', [], [NaN]))], ['y']);
  g.output('y', FLOAT, [1, 3, 'h', 'w']);
  return encodeModel(g.toModel({ metadata: { 'pastiche.name': 'nan' } }));
}

/** The input cropped by `crop` pixels on every side: an output smaller than its input. */
export function croppingModel(crop = 2): Uint8Array {
  const g = new GraphBuilder('cropping');
  g.input('x', FLOAT, [1, 3, 'h', 'w']);
  const starts = g.initializer(int64Tensor('starts', [2], [crop, crop]));
  const ends = g.initializer(int64Tensor('ends', [2], [-crop, -crop]));
  const axes = g.initializer(int64Tensor('axes', [2], [2, 3]));
  g.node('Slice', ['x', starts, ends, axes], ['y']);
  g.output('y', FLOAT, [1, 3, 'h2', 'w2']);
  return encodeModel(g.toModel({ metadata: { 'pastiche.name': 'cropping' } }));
}

/**
 * A loss network as the optimisation method takes one, with random weights from `seed`: `image` [1,3,H,W] RGB 0..255
 * → scale → Conv 3→4 (3×3) → Relu `relu1` → MaxPool 2 → Conv 4→4 (3×3) → Relu `relu2`; content relu2, style both.
 */
export function tinyLossNetwork(seed = 2): Uint8Array {
  const random = new SeededRandom(seed);
  const weights = (n: number, scale: number) => Array.from({ length: n }, () => (2 * random.uniform() - 1) * scale);
  const g = new GraphBuilder('tiny-loss');
  g.input('image', FLOAT, [1, 3, 'height', 'width']);
  const [scaled] = g.node('Mul', ['image', g.initializer(float32Tensor('unit', [], [1 / 128]))], ['scaled']);
  const conv = (x: string, cin: number, name: string) =>
    g.node('Conv', [x, g.initializer(float32Tensor(`${name}.w`, [4, cin, 3, 3], weights(4 * cin * 9, 0.3))), g.initializer(float32Tensor(`${name}.b`, [4], weights(4, 0.1)))], [name], {
      kernel_shape: attr.ints([3, 3]),
      pads: attr.ints([1, 1, 1, 1]),
    })[0];
  const [relu1] = g.node('Relu', [conv(scaled, 3, 'conv1')], ['relu1']);
  const [pool] = g.node('MaxPool', [relu1], ['pool1'], { kernel_shape: attr.ints([2, 2]), strides: attr.ints([2, 2]) });
  g.node('Relu', [conv(pool, 4, 'conv2')], ['relu2']);
  g.output('relu1', FLOAT, [1, 4, 'height', 'width']);
  g.output('relu2', FLOAT, [1, 4, 'h2', 'w2']);
  return encodeModel(
    g.toModel({
      metadata: {
        'pastiche.name': 'tiny-loss',
        'pastiche.kind': 'loss-network',
        'pastiche.layers': 'relu1,relu2',
        'pastiche.default_content_layers': 'relu2',
        'pastiche.default_style_layers': 'relu1,relu2',
      },
    }),
  );
}
