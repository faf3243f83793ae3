import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { METADATA_KEYS } from '../../packages/core/src/models/metadata-keys.js';
import { decodeModel, encodeModel, TensorDataType } from '../../packages/core/src/onnx/index.js';
import { importNcnnTransformerNet } from '../../packages/core/src/converters/ncnn-transformer-net.js';
import { catalogStyle, importStyle, readSource } from './catalog-assets.js';

describe.each(['mosaic', 'ml5-matta'])('importer output for %s', (name) => {
  const bytes = encodeModel(importStyle(name));

  it('has the documented signature and pastiche.* metadata', () => {
    const model = decodeModel(bytes);
    const shape = [1, 3, 'height', 'width'];
    expect(model.graph.inputs).toEqual([{ name: 'input', elemType: TensorDataType.FLOAT, shape }]);
    expect(model.graph.outputs).toEqual([{ name: 'output', elemType: TensorDataType.FLOAT, shape }]);
    expect(model.opsetImports).toEqual([{ domain: '', version: 17 }]);
    expect(model.irVersion).toBe(8);
    const k = METADATA_KEYS;
    expect(model.metadataProps).toMatchObject({
      [k.name]: name,
      [k.kind]: 'style-transfer',
      [k.sizeMultiple]: '4',
      [k.inputLayout]: 'NCHW',
      [k.inputRange]: '0-255',
      [k.inputChannelOrder]: 'RGB',
      [k.license]: catalogStyle(name).license,
    });
    expect(model.graph.initializers.every((t) => t.dataType !== TensorDataType.FLOAT || t.rawData)).toBe(true);
  });

  it('keeps any multiple-of-4 size (dynamic height and width)', async () => {
    const session = await ort.InferenceSession.create(bytes);
    const input = new ort.Tensor('float32', new Float32Array(3 * 36 * 52).fill(128), [1, 3, 36, 52]);
    const { output } = await session.run({ input });
    expect(output.dims).toEqual([1, 3, 36, 52]);
    await session.release();
  });
});

describe('ncnn importer', () => {
  it('rejects a truncated or foreign .bin with the reason', () => {
    const bin = readSource(catalogStyle('candy'), 'candy.bin');
    const info = { name: 'x', title: 'x', source: 'x', license: 'x' };
    expect(() => importNcnnTransformerNet(bin.subarray(0, bin.length - 4), info)).toThrow(/ncnn weights end early/);
    expect(() => importNcnnTransformerNet(new Uint8Array(64), info)).toThrow(/Expected the ncnn fp16 tag 0x1306b47 before conv 1 at byte 0/);
  });
});
