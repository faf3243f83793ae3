import { describe, expect, it } from 'vitest';
import { PasticheError } from '../../packages/core/src/errors.js';
import type { PlanarImage } from '../../packages/core/src/image/image-types.js';
import { resizeImage } from '../../packages/core/src/image/resize.js';
import {
  blendStyleVectors,
  expectStyleVector,
  MIN_TRANSFER_SIDE,
  mixStyleVectors,
  predictStyle,
  resolveArbitraryOptions,
  stylizeArbitrary,
  transferPadded,
  type StylePredictorRunner,
  type StyleTransferRunner,
} from '../../packages/core/src/methods/arbitrary/index.js';

/**
 * The arbitrary-style method's core with stand-in networks: what reaches the networks (sizes, vectors), what comes
 * back, and the argument checks. The real networks are in test/importers/arbitrary-method.test.ts.
 */

const image = (width: number, height: number, seed = 1): PlanarImage => ({
  width,
  height,
  data: Float32Array.from({ length: 3 * width * height }, (_, i) => ((i * 37 + seed * 101) % 256)),
});

/** A predictor whose vector is the image's mean per channel and its size, recording what it was given. */
function stubPredictor(): StylePredictorRunner & { seen: PlanarImage[] } {
  const seen: PlanarImage[] = [];
  return {
    name: 'stub predictor',
    inputSize: { width: 8, height: 8 },
    seen,
    async predict(img) {
      seen.push(img);
      const n = img.width * img.height;
      const mean = [0, 1, 2].map((c) => img.data.subarray(c * n, (c + 1) * n).reduce((s, v) => s + v, 0) / n);
      return Float32Array.of(...mean, img.width);
    },
  };
}

/** An identity network (the content back), recording sizes and vectors. */
function stubTransfer(): StyleTransferRunner & { seen: { width: number; height: number; style: Float32Array }[] } {
  const seen: { width: number; height: number; style: Float32Array }[] = [];
  return {
    name: 'stub transfer',
    sizeMultiple: 4,
    styleLength: 4,
    seen,
    async transfer(content, style) {
      expect(content.width % 4).toBe(0);
      expect(content.height % 4).toBe(0);
      seen.push({ width: content.width, height: content.height, style: style.slice() });
      return { ...content, data: content.data.slice() };
    },
  };
}

describe('arbitrary method: style vectors', () => {
  it('blends by weights scaled to sum to 1, equal weights by default', () => {
    const a = Float32Array.of(1, 2, 3);
    const b = Float32Array.of(3, 6, -3);
    expect(Array.from(blendStyleVectors([a, b]))).toEqual([2, 4, 0]);
    expect(Array.from(blendStyleVectors([a, b], [3, 1]))).toEqual([1.5, 3, 1.5]);
    expect(Array.from(blendStyleVectors([a, b], [0, 2]))).toEqual([3, 6, -3]);
    expect(() => blendStyleVectors([a, b], [0, 0])).toThrow(RangeError);
    expect(() => blendStyleVectors([a, b], [1])).toThrow(RangeError);
    expect(() => blendStyleVectors([a, Float32Array.of(1)])).toThrow(new RangeError('Expected 3, the length of vectors[0] for vectors[1].length but received 1 of type number'));
  });

  it('mixes style and content for strength: exactly the style at 1, the content at 0', () => {
    const style = Float32Array.of(1, -2, 4);
    const content = Float32Array.of(3, 2, 0);
    expect(Array.from(mixStyleVectors(style, content, 1))).toEqual([1, -2, 4]);
    expect(Array.from(mixStyleVectors(style, content, 0))).toEqual([3, 2, 0]);
    expect(Array.from(mixStyleVectors(style, content, 0.25))).toEqual([2.5, 1, 1]);
  });

  it('takes kept vectors as Float32Array or JSON arrays of finite numbers', () => {
    const json = [0.5, -1, 2];
    expect(expectStyleVector('v', json, 3)).toEqual(Float32Array.from(json));
    const same = Float32Array.of(1, 2);
    expect(expectStyleVector('v', same)).toBe(same);
    expect(() => expectStyleVector('v', [1, Number.NaN], 2)).toThrow(new RangeError('Expected a finite number for v[1] but received NaN of type number'));
    expect(() => expectStyleVector('v', [1, '2'], 2)).toThrow(TypeError);
    expect(() => expectStyleVector('v', [1, 2], 3)).toThrow(new RangeError('Expected 3 for v.length but received 2 of type number'));
    expect(() => expectStyleVector('v', 'abc')).toThrow(TypeError);
  });
});

describe('arbitrary method: pipeline with stand-in networks', () => {
  it('predictStyle resizes to the predictor’s size with lanczos3 and leaves that size alone', async () => {
    const p = stubPredictor();
    const img = image(30, 20);
    await predictStyle(p, img);
    expect(p.seen[0]).toEqual(resizeImage(img, 8, 8, 'lanczos3'));
    const exact = image(8, 8);
    await predictStyle(p, exact);
    expect(p.seen[1]).toBe(exact);
  });

  it('pads to the multiple (and MIN_TRANSFER_SIDE) at the bottom and right and crops back to the pixel', async () => {
    const t = stubTransfer();
    for (const [w, h] of [[13, 9], [3, 2], [24, 16], [1, 1]]) {
      const content = image(w, h, w);
      const out = await transferPadded(t, content, new Float32Array(4));
      expect(out).toEqual(content);
      const run = t.seen[t.seen.length - 1];
      expect([run.width, run.height]).toEqual([Math.ceil(Math.max(w, MIN_TRANSFER_SIDE) / 4) * 4, Math.ceil(Math.max(h, MIN_TRANSFER_SIDE) / 4) * 4]);
    }
  });

  it('gives the transfer network the weighted blend, mixed with the content’s own vector below strength 1', async () => {
    const predictor = stubPredictor();
    const transfer = stubTransfer();
    const content = image(20, 12, 3);
    const a = image(8, 8, 5);
    const kept = [10, 20, 30, 8];
    await stylizeArbitrary({ predictor, transfer }, content, [a, kept], { styleWeights: [1, 3], strength: 0.5 });
    const va = await predictor.predict(a);
    const vc = await predictor.predict(resizeImage(content, 8, 8, 'lanczos3'));
    const blend = blendStyleVectors([va, Float32Array.from(kept)], [1, 3]);
    expect(transfer.seen[0].style).toEqual(mixStyleVectors(blend, vc, 0.5));
  });

  it('needs no predictor for kept vectors at full strength; says so otherwise', async () => {
    const transfer = stubTransfer();
    const content = image(16, 16);
    await expect(stylizeArbitrary({ transfer }, content, [1, 2, 3, 4])).resolves.toEqual(content);
    await expect(stylizeArbitrary({ transfer }, content, image(8, 8))).rejects.toThrow(TypeError);
    await expect(stylizeArbitrary({ transfer }, content, [1, 2, 3, 4], { strength: 0.5 })).rejects.toThrow(/networks\.predictor/);
  });

  it('checks styles and options before any run (TypeError for types, RangeError for values), and aborts', async () => {
    const predictor = stubPredictor();
    const transfer = stubTransfer();
    const nets = { predictor, transfer };
    const content = image(16, 16);
    await expect(stylizeArbitrary(nets, content, [1, 2, 3])).rejects.toThrow(new RangeError('Expected 4 for styles[0].length but received 3 of type number'));
    await expect(stylizeArbitrary(nets, content, [])).rejects.toThrow(RangeError);
    await expect(stylizeArbitrary(nets, content, [image(8, 8), image(8, 8)], { styleWeights: [1] })).rejects.toThrow(/one per style/);
    await expect(stylizeArbitrary(nets, content, image(8, 8), { strength: 1.5 })).rejects.toThrow(new RangeError('Expected number between 0 and 1 for strength but received 1.5 of type number'));
    await expect(stylizeArbitrary(nets, content, image(8, 8), { strength: '1' as unknown as number })).rejects.toThrow(TypeError);
    await expect(stylizeArbitrary(nets, content, image(8, 8), { preserveColors: 1 as unknown as boolean })).rejects.toThrow(TypeError);
    await expect(stylizeArbitrary(nets, content, image(8, 8), { size: 0 })).rejects.toThrow(RangeError);
    expect(predictor.seen).toHaveLength(0);
    expect(transfer.seen).toHaveLength(0);
    const controller = new AbortController();
    controller.abort();
    const aborted = stylizeArbitrary(nets, content, image(8, 8), { signal: controller.signal });
    await expect(aborted).rejects.toBeInstanceOf(PasticheError);
    await expect(aborted).rejects.toMatchObject({ code: 'E_ABORTED' });
    expect(resolveArbitraryOptions(undefined)).toMatchObject({ strength: 1, preserveColors: false, styleWeights: undefined, size: undefined });
  });
});

describe('lanczos3 resize', () => {
  it('matches Pillow 9.4 Image.resize(LANCZOS) on a float image, down and up', () => {
    // Mode 'F' 9×7 image ((i · 3.7) mod 17); Pillow's values to 4 decimals.
    const values = Float32Array.from({ length: 63 }, (_, i) => Math.fround(Math.fround(i * Math.fround(3.7)) % 17));
    const grey: PlanarImage = { width: 9, height: 7, data: Float32Array.of(...values, ...values, ...values) };
    const down = resizeImage(grey, 4, 3, 'lanczos3');
    const pillowDown = [6.0531, 10.1466, 5.0868, 8.9142, 6.9145, 8.2273, 9.352, 7.0015, 8.1739, 7.3564, 10.2273, 5.2443];
    down.data.subarray(0, 12).forEach((v, i) => expect(v).toBeCloseTo(pillowDown[i], 3));
    const up = resizeImage(grey, 13, 11, 'lanczos3');
    const pillowRow5 = [16.1396, 8.0296, 0.3824, 4.7619, 7.9002, 9.8862, 12.7, 17.242, 11.6438, 2.6075, 4.7976, 9.378, 10.7183];
    up.data.subarray(5 * 13, 6 * 13).forEach((v, i) => expect(v).toBeCloseTo(pillowRow5[i], 3));
    expect(() => resizeImage(grey, 4, 3, 'cubic' as 'bilinear')).toThrow(RangeError);
  });
});
