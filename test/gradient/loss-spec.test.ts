import { describe, expect, it } from 'vitest';
import { PasticheError } from '@pastiche/core';
import { buildLossGraphs, checkSpecLayers, lossNetworkLayers, lossWeights, validateLossSpec } from '../../packages/core/src/gradient/index.js';
import { NetBuilder } from './helpers/nets.js';

const ok = { content: [{ layer: 'a', weight: 1 }], style: [{ layer: 'b', weight: 0.5 }], tvWeight: 0 };

describe('validateLossSpec', () => {
  it('accepts a well-formed spec', () => {
    expect(() => validateLossSpec(ok)).not.toThrow();
    expect(() => validateLossSpec({ content: [], style: [{ layer: 'b', weight: 0 }], tvWeight: 1e3 })).not.toThrow();
  });

  it('names the field on wrong types', () => {
    expect(() => validateLossSpec(null)).toThrow(new TypeError('Expected a loss spec { content, style, tvWeight } for spec but received null'));
    expect(() => validateLossSpec({ ...ok, content: 'relu1_1' })).toThrow(
      new TypeError(`Expected an array of { layer, weight } for spec.content but received "relu1_1" of type string`),
    );
    expect(() => validateLossSpec({ ...ok, style: [{ layer: 3, weight: 1 }] })).toThrow(
      new TypeError('Expected a non-empty string for spec.style[0].layer but received 3 of type number'),
    );
    expect(() => validateLossSpec({ ...ok, style: [{ layer: 'b', weight: '1' }] })).toThrow(
      new TypeError(`Expected number ≥ 0 for spec.style[0].weight but received "1" of type string`),
    );
    expect(() => validateLossSpec({ ...ok, tvWeight: undefined })).toThrow(new TypeError('Expected number ≥ 0 for spec.tvWeight but received undefined'));
  });

  it('names the field on bad values', () => {
    expect(() => validateLossSpec({ ...ok, content: [{ layer: 'a', weight: -1 }] })).toThrow(
      new RangeError('Expected number ≥ 0 for spec.content[0].weight but received -1 of type number'),
    );
    expect(() => validateLossSpec({ ...ok, tvWeight: Number.NaN })).toThrow(new RangeError('Expected number ≥ 0 for spec.tvWeight but received NaN of type number'));
    expect(() => validateLossSpec({ ...ok, style: [{ layer: 'b', weight: 1 }, { layer: 'b', weight: 2 }] })).toThrow(
      new RangeError('Expected a layer not listed before in spec.style for spec.style[1].layer but received "b" of type string'),
    );
    expect(() => validateLossSpec({ content: [], style: [], tvWeight: 1 })).toThrow(
      new RangeError('Expected at least one layer when spec.content is empty for spec.style but received an array of length 0'),
    );
  });
});

describe('layers of a loss network', () => {
  const b = new NetBuilder(1);
  b.layer(b.op('Relu', [b.conv(b.preprocess(), 3, 4)], {}, 'relu1'));
  const model = b.build();

  it('come from pastiche.layers, or every node output without it', () => {
    expect(lossNetworkLayers(model)).toEqual(['relu1']);
    const bare = { ...model, metadataProps: {} };
    expect(lossNetworkLayers(bare)).toContain('relu1');
    expect(lossNetworkLayers(bare).length).toBe(model.graph.nodes.length);
  });

  it('an unknown layer is a PasticheError that lists the available ones', () => {
    expect(() => checkSpecLayers({ content: [], style: [{ layer: 'relu9', weight: 1 }], tvWeight: 0 }, ['relu1', 'relu2'])).toThrow(
      new PasticheError('E_MODEL_SIGNATURE', "Unknown layer 'relu9' in 'spec.style[0].layer': the loss network's layers are relu1, relu2"),
    );
    let error: unknown;
    try {
      buildLossGraphs(model, { content: [{ layer: 'conv0', weight: 1 }], style: [], tvWeight: 0 });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PasticheError);
    expect((error as PasticheError).code).toBe('E_MODEL_SIGNATURE');
    expect((error as PasticheError).message).toContain('layers are relu1');
  });

  it('lossWeights orders content, style, then TV', () => {
    const spec = { content: [{ layer: 'a', weight: 2 }], style: [{ layer: 'b', weight: 3 }, { layer: 'c', weight: 4 }], tvWeight: 5 };
    expect(Array.from(lossWeights(spec))).toEqual([2, 3, 4, 5]);
  });

  it('buildLossGraphs checks its other arguments', () => {
    expect(() => buildLossGraphs(undefined as never, ok)).toThrow(TypeError);
    expect(() => buildLossGraphs(model, { content: [{ layer: 'relu1', weight: 1 }], style: [], tvWeight: 0 }, { pooling: 'min' as never })).toThrow(
      new RangeError(`Expected one of 'max', 'average' for options.pooling but received "min" of type string`),
    );
  });
});
