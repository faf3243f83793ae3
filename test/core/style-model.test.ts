import { describe, expect, it } from 'vitest';
import {
  GraphBuilder,
  METADATA_KEYS,
  PasticheError,
  StyleModel,
  TensorDataType,
  attr,
  encodeModel,
  float32Tensor,
  stylizePlanar,
  type Dim,
  type PlanarImage,
} from '@pastiche/core';
import { nodePlatform } from '../../packages/node/src/node-platform.js';

const nodeRuntime = nodePlatform.runtime;

const FLOAT = TensorDataType.FLOAT;

/** y = x * factor: the simplest image-to-image network, with whatever shape and metadata a test needs. */
function scaleModel(shape: Dim[], factor: number, metadata: Record<string, string> = {}): Uint8Array {
  const g = new GraphBuilder('scale');
  g.input('x', FLOAT, shape);
  const k = g.initializer(float32Tensor('k', [], [factor]));
  g.node('Mul', ['x', k], ['y']);
  g.output('y', FLOAT, shape);
  return encodeModel(g.toModel({ metadata }));
}

/** Swaps the first and last channel of an NCHW tensor: makes channel-order conventions observable. */
function swapChannelsModel(metadata: Record<string, string>): Uint8Array {
  const g = new GraphBuilder('swap');
  g.input('x', FLOAT, [1, 3, 'h', 'w']);
  const [r, gr, b] = g.node('Split', ['x', g.initializer({ name: 's', dims: [3], dataType: TensorDataType.INT64, int64Data: [1, 1, 1] })], 3, { axis: attr.int(1) });
  g.node('Concat', [b, gr, r], ['y'], { axis: attr.int(1) });
  g.output('y', FLOAT, [1, 3, 'h', 'w']);
  return encodeModel(g.toModel({ metadata }));
}

function image(width: number, height: number): PlanarImage {
  const data = new Float32Array(3 * width * height);
  for (let i = 0; i < data.length; i++) data[i] = (i * 37) % 200;
  return { data, width, height };
}

async function errorOf(promise: Promise<unknown>): Promise<PasticheError> {
  const e = await promise.then(() => undefined, (x: unknown) => x);
  expect(e).toBeInstanceOf(PasticheError);
  return e as PasticheError;
}

describe('StyleModel conventions', () => {
  it('detects NHWC from the channel axis and honours a 0..1 range from metadata', async () => {
    const model = await StyleModel.load(scaleModel([1, 'h', 'w', 3], 0.5, { [METADATA_KEYS.inputRange]: '0-1' }), nodeRuntime);
    expect(model.conventions.input).toMatchObject({ layout: 'NHWC', range: '0-1', batch: true });
    const input = image(5, 4);
    const out = await stylizePlanar(model, input);
    for (let i = 0; i < input.data.length; i++) expect(out.data[i]).toBeCloseTo(input.data[i] * 0.5, 3);
  });

  it('reads channel order from metadata, and options override metadata', async () => {
    const bytes = swapChannelsModel({ [METADATA_KEYS.inputChannelOrder]: 'BGR', [METADATA_KEYS.outputChannelOrder]: 'RGB' });
    const input = image(4, 4);
    // Input fed as BGR, swapped by the net, read back as RGB: the round trip is the identity.
    const asDeclared = await StyleModel.load(bytes, nodeRuntime);
    expect(Array.from((await asDeclared.run(input)).data)).toEqual(Array.from(input.data));
    // Overriding the output order to BGR makes the swap visible: R and B planes trade places.
    const overridden = await StyleModel.load(bytes, nodeRuntime, { conventions: { outputChannelOrder: 'BGR' } });
    const out = await overridden.run(input);
    const plane = 16;
    expect(Array.from(out.data.subarray(0, plane))).toEqual(Array.from(input.data.subarray(2 * plane)));
  });

  it('pads free-size models to their size multiple and crops back', async () => {
    const model = await StyleModel.load(scaleModel([1, 3, 'h', 'w'], 1, { [METADATA_KEYS.sizeMultiple]: '8' }), nodeRuntime);
    expect(model.conventions.sizeMultiple).toBe(8);
    const out = await stylizePlanar(model, image(13, 7));
    expect([out.width, out.height]).toEqual([13, 7]);
    expect(Array.from(out.data)).toEqual(Array.from(image(13, 7).data));
  });

  it('rejects malformed metadata values with the key in the message', async () => {
    // The model's fault, not an argument's: E_MODEL_SIGNATURE.
    const range = await errorOf(StyleModel.load(scaleModel([1, 3, 'h', 'w'], 1, { [METADATA_KEYS.inputRange]: '0-100' }), nodeRuntime));
    expect(range.code).toBe('E_MODEL_SIGNATURE');
    expect(range.message).toBe(
      "Expected one of '0-255', '0-1', '-1-1' for metadata 'pastiche.input.range' but received \"0-100\" of type string. " +
        "Fix the model's metadata, or override it with the conventions load option.",
    );
    for (const [key, value] of [[METADATA_KEYS.inputMean, '1,2'], [METADATA_KEYS.inputStd, '0,0,0'], [METADATA_KEYS.sizeMultiple, '0'], [METADATA_KEYS.sizeMultiple, '1e9']]) {
      const error = await errorOf(StyleModel.load(scaleModel([1, 3, 'h', 'w'], 1, { [key]: value }), nodeRuntime));
      expect(error.code).toBe('E_MODEL_SIGNATURE');
      expect(error.message).toContain(`for metadata '${key}' but received "${value}"`);
    }
    expect((await errorOf(StyleModel.load(scaleModel([1, 3, 'h', 'w'], 1, { [METADATA_KEYS.sizeMultiple]: '1e9' }), nodeRuntime))).message).toMatch(
      /^Expected integer between 1 and 1024 for metadata 'pastiche\.size_multiple'/,
    );
  });
});

describe('StyleModel rejects graphs that cannot be image-to-image networks', () => {
  it('a classifier output', async () => {
    const g = new GraphBuilder('classifier');
    g.input('x', FLOAT, [1, 3, 224, 224]);
    g.node('GlobalAveragePool', ['x'], ['p']);
    g.node('Flatten', ['p'], ['y']);
    g.output('y', FLOAT, [1, 3]);
    const e = await errorOf(StyleModel.load(encodeModel(g.toModel()), nodeRuntime));
    expect(e.code).toBe('E_MODEL_SIGNATURE');
    expect(e.message).toContain("Model output 'y' has shape [1,3] of rank 2");
  });

  it('two inputs', async () => {
    const g = new GraphBuilder('two');
    g.input('a', FLOAT, [1, 3, 'h', 'w']);
    g.input('b', FLOAT, [1, 3, 'h', 'w']);
    g.node('Add', ['a', 'b'], ['y']);
    g.output('y', FLOAT, [1, 3, 'h', 'w']);
    const e = await errorOf(StyleModel.load(encodeModel(g.toModel()), nodeRuntime));
    expect(e.message).toBe(
      "Expected a model with exactly one image input but it has 2 ('a', 'b'). Export the style network with a single image input.",
    );
  });

  it('an integer input and a 4-channel input', async () => {
    const g = new GraphBuilder('ints');
    g.input('x', TensorDataType.INT64, [1, 3, 'h', 'w']);
    g.node('Identity', ['x'], ['y']);
    g.output('y', TensorDataType.INT64, [1, 3, 'h', 'w']);
    expect((await errorOf(StyleModel.load(encodeModel(g.toModel()), nodeRuntime))).message).toContain('has element type 7, not float');
    const e = await errorOf(StyleModel.load(scaleModel([1, 4, 'h', 'w'], 1, { [METADATA_KEYS.inputLayout]: 'NCHW' }), nodeRuntime));
    expect(e.message).toContain("Model input 'x' has 4 channels in layout NCHW");
  });
});
