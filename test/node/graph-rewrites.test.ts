/**
 * Issue 13 item 1: the load-time speed rewrites do not move the output. Every built-in pytorch-examples style (the
 * networks with nearest-2× upsampling before a reflect-padded 3×3 convolution) gives the same image with and
 * without them (max |Δ| ≤ 1e-3 on 0..255) on a real photo; ml5 styles (transposed convolutions) are left as they
 * are; `graphRewrites: false` reaches the session, and a stylizer reports the same result both ways.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { StyleModel, applySpeedRewrites, decodeModel } from '@pastiche/core';
import { loadStyle } from '@pastiche/node';
import { nodePlatform } from '../../packages/node/src/node-platform.js';
import { builtModel, contentImage } from '../helpers/assets.js';
import { loadPlanar, maxAbsDiff } from '../helpers/images.js';

const PYTORCH_EXAMPLES = ['candy', 'mosaic', 'pointilism', 'rain_princess', 'udnie'];

describe('graph rewrites for speed', () => {
  it.each(PYTORCH_EXAMPLES)('%s: both upsampling convolutions are rewritten and the output stays within 1e-3', async (style) => {
    const bytes = new Uint8Array(readFileSync(builtModel(`${style}.onnx`)));
    const rewritten = applySpeedRewrites(bytes);
    expect(rewritten.upsampleConvolutions).toBe(2);
    const graph = decodeModel(rewritten.bytes).graph;
    const ops = graph.nodes.map((n) => n.opType);
    expect(ops).not.toContain('Resize');
    // No weights left behind (onnxruntime would warn about each).
    const read = new Set(graph.nodes.flatMap((n) => n.inputs));
    expect(graph.initializers.map((t) => t.name).filter((name) => !read.has(name))).toEqual([]);
    expect(ops.filter((op) => op === 'DepthToSpace')).toHaveLength(2);
    const photo = await loadPlanar(contentImage('chelsea_448x300.png'));
    const [original, fast] = await Promise.all([StyleModel.load(bytes, nodePlatform.runtime), StyleModel.load(rewritten.bytes, nodePlatform.runtime)]);
    try {
      const [a, b] = [await original.run(photo), await fast.run(photo)];
      expect(maxAbsDiff(a.data, b.data)).toBeLessThanOrEqual(1e-3);
    } finally {
      await Promise.all([original.dispose(), fast.dispose()]);
    }
  });

  it('leaves an ml5 network (transposed convolutions) byte for byte as it is', () => {
    const bytes = new Uint8Array(readFileSync(builtModel('ml5-wave.onnx')));
    const result = applySpeedRewrites(bytes);
    expect(result.upsampleConvolutions).toBe(0);
    expect(result.bytes).toBe(bytes);
  });

  it('loadStyle applies them by default and not with graphRewrites: false; the images agree', async () => {
    const photo = contentImage('chelsea_448x300.png');
    const [fast, asIs] = await Promise.all([loadStyle('candy', { device: 'cpu' }), loadStyle('candy', { device: 'cpu', graphRewrites: false })]);
    try {
      const [a, b] = [await fast.stylize(photo, { size: 256 }), await asIs.stylize(photo, { size: 256 })];
      // 8-bit results: float differences under 1e-3 may still round to neighbouring levels.
      expect(maxAbsDiff(a.data, b.data)).toBeLessThanOrEqual(1);
    } finally {
      await Promise.all([fast.dispose(), asIs.dispose()]);
    }
    await expect(loadStyle('candy', { graphRewrites: 'yes' as never })).rejects.toThrow(TypeError);
  });
});
