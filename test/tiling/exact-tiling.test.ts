import { afterAll, describe, expect, it } from 'vitest';
import { StyleModel, planRun, resolveStylizeOptions, stylizePlanar, stylizeResolved, type PlanarImage, type StylizeProgress } from '@pastiche/core';
import { nodePlatform } from '../../packages/node/src/node-platform.js';
import { analyzeTiling } from '../../packages/core/src/tiling/tiling-analysis.js';
import { planCheckpoints } from '../../packages/core/src/tiling/checkpoint-plan.js';
import { MEMORY_MACS_PER_BYTE } from '../../packages/core/src/tiling/checkpoint-storage.js';
import { planAlignedTilesUnchecked } from '../../packages/core/src/image/tiling.js';
import { tinyStyleModel } from '../helpers/tiny-models.js';
import { maxAbsDiff } from '../helpers/images.js';
import { normalisedNet, type Normalisation } from './normalised-nets.js';

const loaded: StyleModel[] = [];
afterAll(async () => {
  for (const m of loaded) await m.dispose();
});

async function load(bytes: Uint8Array): Promise<StyleModel> {
  const model = await StyleModel.load(bytes, nodePlatform.runtime, { sessionOptions: { intraOpNumThreads: 1 } });
  loaded.push(model);
  return model;
}

/** A smooth random image (features larger than a pixel, as photos have). */
function image(width: number, height: number, seed = 1): PlanarImage {
  const data = new Float32Array(3 * width * height);
  for (let c = 0; c < 3; c++) {
    const [fx, fy, phase] = [0.05 + 0.03 * c + 0.01 * seed, 0.07 - 0.02 * c, seed + c];
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) data[(c * height + y) * width + x] = 127.5 + 100 * Math.sin(fx * x + phase) * Math.cos(fy * y - phase);
    }
  }
  return { data, width, height };
}

describe('statistics sites', () => {
  it.each([
    ['instance-norm', 3, 'instance-norm', true],
    ['spelled', 3, 'moments', true],
    ['spelled-reshape', 3, 'moments', true],
    ['spelled-nhwc', 3, 'moments', true],
    ['global-pool', 3, 'moments', false],
  ] as const)('finds %s: %i sites of kind %s (variance: %s), one pass each', async (normalisation, count, kind, variance) => {
    const analysis = await analyzeTiling(await load(normalisedNet({ normalisation })));
    const exact = analysis.exact!;
    expect(analysis.reason).toBeUndefined();
    expect(exact.passes.sites).toHaveLength(count);
    for (const site of exact.passes.sites) {
      expect(site.replaces.kind).toBe(kind);
      expect(site.variance).toBe(variance);
      expect(site.channels).toBe(4);
    }
    expect(exact.passes.sites.map((s) => s.layout)).toEqual(Array(count).fill(normalisation === 'spelled-nhwc' ? 'NHWC' : 'NCHW'));
    // Full, half, full resolution on the 64² probe; the half-resolution grid makes tiles align to 4 (also the size multiple).
    expect(exact.passes.sites.map((s) => s.height)).toEqual([64, 32, 64]);
    expect(exact.passes.passOf).toEqual([0, 1, 2]);
    expect(exact.alignment).toBe(4);
  });

  it('gives the mean absolute deviation a pass of its own after the mean it is taken around', async () => {
    const exact = (await analyzeTiling(await load(normalisedNet({ normalisation: 'mean-abs' })))).exact!;
    expect(exact.passes.sites.map((s) => s.replaces.kind)).toEqual(Array(6).fill('moments'));
    expect(exact.passes.passOf).toEqual([0, 1, 2, 3, 4, 5]);
    expect(exact.passes.passes).toBe(6);
  });

  it('finds none in a network without statistics, which then tiles as before', async () => {
    const model = await load(tinyStyleModel(4));
    const analysis = await analyzeTiling(model);
    expect(analysis.exact).toBeUndefined();
    expect(analysis.reason).toBe('it takes no statistics over the image');
    const content = image(150, 110);
    const exact = await stylizePlanar(model, content, { tile: 64, tileOverlap: 12, tileMode: 'exact' });
    const fast = await stylizePlanar(model, content, { tile: 64, tileOverlap: 12, tileMode: 'fast' });
    expect(Buffer.from(exact.data.buffer).equals(Buffer.from(fast.data.buffer))).toBe(true);
  });
});

describe('exact tiling equals a whole-image run', () => {
  const normalisations: Normalisation[] = ['instance-norm', 'spelled', 'spelled-reshape', 'spelled-nhwc', 'mean-abs', 'global-pool'];
  it.each(normalisations)('%s, 150×110 in 48-pixel tiles (every pass cached and stitched)', async (normalisation) => {
    const model = await load(normalisedNet({ normalisation }));
    const content = image(150, 110);
    const whole = await stylizePlanar(model, content, { tile: false });
    const progress: StylizeProgress[] = [];
    const exact = await stylizePlanar(model, content, { tile: 48, tileOverlap: 8, onProgress: (p) => progress.push(p) });
    const fast = await stylizePlanar(model, content, { tile: 48, tileOverlap: 8, tileMode: 'fast' });
    expect(maxAbsDiff(exact.data, whole.data)).toBeLessThan(2e-3);
    // Per-tile statistics are far off: the comparison has something to find.
    expect(maxAbsDiff(fast.data, whole.data)).toBeGreaterThan(5);
    // 150×110 → padded to 152×112, 48-pixel tiles: 4 × 3 tiles, one pass per statistics group and the render pass.
    const passes = (await analyzeTiling(model)).exact!.passes.passes + 1;
    expect(progress).toHaveLength(12 * passes);
    expect(progress.at(-1)).toEqual({ done: 12 * passes, total: 12 * passes, pass: passes, passes });
    expect(progress.map((p) => p.pass)).toEqual(progress.map((p) => p.pass).sort((a, b) => a - b));
  });

  it.each(['exact', 'fast'] as const)('%s: writes the result into a content buffer it may reuse, to the same bits', async (tileMode) => {
    const model = await load(normalisedNet({ normalisation: 'instance-norm' }));
    const content = image(152, 112, 4);
    const options = { tile: 48, tileOverlap: 8, tileMode };
    const expected = await stylizePlanar(model, content, options);
    const scratch = { ...content, data: content.data.slice() };
    const reused = await stylizeResolved(model, scratch, resolveStylizeOptions(options), { reuseContent: true });
    expect(reused.data).toBe(scratch.data);
    expect(Buffer.from(reused.data.buffer).equals(Buffer.from(expected.data.buffer))).toBe(true);
    // With strength below 1 the content is read after the tiles: its buffer stays as it was.
    const kept = { ...content, data: content.data.slice() };
    await stylizeResolved(model, kept, resolveStylizeOptions({ ...options, strength: 0.5 }), { reuseContent: true });
    expect(Buffer.from(kept.data.buffer).equals(Buffer.from(content.data.buffer))).toBe(true);
  });

  it('a fixed-size network tiles exactly at its size', async () => {
    const model = await load(normalisedNet({ normalisation: 'spelled-reshape', fixed: { width: 64, height: 64 } }));
    const free = await load(normalisedNet({ normalisation: 'spelled-reshape' }));
    const content = image(150, 110, 2);
    const whole = await stylizePlanar(free, content, { tile: false });
    const exact = await stylizePlanar(model, content, { tileOverlap: 8 });
    expect(maxAbsDiff(exact.data, whole.data)).toBeLessThan(2e-3);
  });

  it('without memory for caching, passes restart from the image and the result stays close', async () => {
    const model = await load(normalisedNet({ normalisation: 'instance-norm' }));
    const content = image(150, 110, 3);
    const whole = await stylizePlanar(model, content, { tile: false });
    const recomputed = await stylizePlanar(model, content, { tile: 64, tileOverlap: 16, memoryBudget: 1 });
    // Each tile sees 16 pixels of context beyond its core's neighbourhood; the network reaches about 6.
    expect(maxAbsDiff(recomputed.data, whole.data)).toBeLessThan(0.5);
  });
});

describe('checkpoint plan', () => {
  it('caches between passes as the margin asks and memory allows, and says when it cannot stay exact', async () => {
    const exact = (await analyzeTiling(await load(normalisedNet({ normalisation: 'instance-norm' })))).exact!;
    const tight = { tileArea: 64 * 64, tiles: 9, imageArea: 160 * 160, margin: 4 };
    const memory = (capacity: number) => ({ keeps: 'tile windows' as const, capacity, macsPerByte: MEMORY_MACS_PER_BYTE });
    // A margin of 4 pixels: no pass may start from the image but the first (the net reaches 7 pixels by the third site).
    const rich = planCheckpoints(exact, tight, memory(Infinity));
    expect(rich.exact).toBe(true);
    expect(rich.steps.map((s) => s.pass)).toEqual([0, 1, 2, 3]);
    expect(rich.steps.slice(1).every((s) => s.from > 0)).toBe(true);
    expect(rich.peakBytes).toBeGreaterThan(0);
    for (const step of rich.steps.filter((s) => s.emit.length > 0)) {
      expect(step.emit).toEqual(exact.passes.checkpoints[step.pass + 1].filter((v) => !exact.passes.checkpoints[step.from].includes(v)));
    }
    // Without memory every pass restarts from the image: not exact at that margin, and nothing cached.
    const poor = planCheckpoints(exact, tight, memory(0));
    expect(poor.steps.map((s) => [s.pass, s.from])).toEqual([[0, 0], [1, 0], [2, 0], [3, 0]]);
    expect(poor.exact).toBe(false);
    expect(poor.peakBytes).toBe(0);
    // With a margin wider than the network reaches, restarting from the image is exact, and cheapest for a net this small.
    const wide = planCheckpoints(exact, { ...tight, margin: 64 }, memory(Infinity));
    expect(wide.exact).toBe(true);
    expect(wide.cost).toBeLessThanOrEqual(rich.cost);
  });
});

describe('aligned tiles', () => {
  it.each([
    [152, 112, 48, 8, 4],
    [512, 512, 256, 32, 4],
    [1024, 680, 256, 64, 8],
    [96, 96, 96, 16, 4],
  ])('%i×%i in %i-pixel tiles, overlap %i, grid %i: cores split the image, on the grid, inside their tiles', (width, height, tile, overlap, alignment) => {
    const { tiles, cores } = planAlignedTilesUnchecked(width, height, { tileWidth: tile, tileHeight: tile, overlap, alignment });
    const covered = new Uint8Array(width * height);
    tiles.forEach((t, i) => {
      const c = cores[i];
      for (const v of [t.x, t.y, c.x, c.y, c.width, c.height, t.width, t.height]) expect(v % alignment).toBe(0);
      expect(t.x + t.width).toBeLessThanOrEqual(width);
      expect(t.y + t.height).toBeLessThanOrEqual(height);
      expect(c.x >= t.x && c.y >= t.y && c.x + c.width <= t.x + t.width && c.y + c.height <= t.y + t.height).toBe(true);
      for (let y = c.y; y < c.y + c.height; y++) for (let x = c.x; x < c.x + c.width; x++) covered[y * width + x]++;
      // Neighbours overlap by at least `overlap` pixels.
      const right = tiles[i + 1];
      if (right && right.y === t.y) expect(t.x + t.width - right.x).toBeGreaterThanOrEqual(overlap);
    });
    expect(covered.every((n) => n === 1)).toBe(true);
  });
});

describe('planning', () => {
  const model = { fixedSize: undefined, conventions: { sizeMultiple: 4 } } as const;
  const plan = (width: number, height: number, options: Parameters<typeof resolveStylizeOptions>[0], perPixel = 1000) =>
    planRun(width, height, model as never, resolveStylizeOptions(options), { workingBytesPerPixel: perPixel, exact: undefined });

  it('runs an image whole when its run fits the memory budget, in tiles sized from the budget otherwise', () => {
    expect(plan(500, 400, { memoryBudget: 500 * 400 * 1000 })).toEqual({ kind: 'whole' });
    const tiled = plan(500, 400, { memoryBudget: 500 * 400 * 1000 - 1 });
    if (tiled.kind !== 'tiles') throw new Error('expected tiles');
    // sqrt(budget / 1000) = 447 → 444, a multiple of 4.
    expect(tiled.tiles[0].width).toBe(444);
    const small = plan(4000, 3000, { memoryBudget: 64 * 2 ** 20 });
    if (small.kind !== 'tiles') throw new Error('expected tiles');
    expect(small.tiles[0].width).toBe(256);
  });

  it('takes the tile option over the budget, and tile: false runs whole', () => {
    expect(plan(4000, 3000, { tile: false })).toEqual({ kind: 'whole' });
    const given = plan(4000, 3000, { tile: 800 });
    if (given.kind !== 'tiles') throw new Error('expected tiles');
    expect(given.tiles[0].width).toBe(800);
  });
});
