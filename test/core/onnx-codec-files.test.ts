/**
 * decodeModel / encodeModel on files from ../shared/assets (third-party models, a PNG): the `models` tier.
 * The cases on built graphs and hand-written bytes are in onnx-codec.test.ts (`unit`).
 */
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { PasticheError } from '../../packages/core/src/errors.js';
import { decodeModel, encodeModel, TensorDataType } from '../../packages/core/src/onnx/index.js';
import { contentImage, thirdPartyModel } from '../helpers/assets.js';

describe('encodeModel / decodeModel on shared files', () => {
  it('decodes the third-party gnsmrky model with its fixed input shape', () => {
    const model = decodeModel(new Uint8Array(readFileSync(thirdPartyModel('candy'))));
    const [input] = model.graph.inputs.filter((i) => !model.graph.initializers.some((t) => t.name === i.name));
    expect(input.shape).toEqual([1, 3, 256, 256]);
    expect(input.elemType).toBe(TensorDataType.FLOAT);
    expect(model.graph.nodes.length).toBeGreaterThan(10);
  });

  it('re-encodes a third-party model (ir_version 3, opset 9) into one that computes the same output', async () => {
    const original = new Uint8Array(readFileSync(thirdPartyModel('mosaic')));
    const model = decodeModel(original);
    expect([model.irVersion, model.opsetImports[0].version, model.producerName]).toEqual([3, 9, 'pytorch']);
    const inputName = model.graph.inputs[0].name;
    const x = new ort.Tensor('float32', Float32Array.from({ length: 3 * 256 * 256 }, (_, i) => (i * 37) % 256), [1, 3, 256, 256]);
    const outputs = [];
    for (const bytes of [original, encodeModel(model)]) {
      const session = await ort.InferenceSession.create(bytes);
      outputs.push(Array.from((await session.run({ [inputName]: x }))[session.outputNames[0]].data as Float32Array));
      await session.release();
    }
    expect(outputs[1]).toEqual(outputs[0]);
  });

  it('raises E_ONNX_PARSE on a PNG file, naming the byte where the ModelProto breaks', () => {
    let caught: unknown;
    try {
      decodeModel(new Uint8Array(readFileSync(contentImage('chelsea_448x300.png'))));
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(PasticheError);
    expect((caught as PasticheError).code).toBe('E_ONNX_PARSE');
    expect((caught as Error).message).toMatch(/a well-formed ModelProto, but its field at byte \d+ of \d+ is cut off or malformed/);
  });
});
