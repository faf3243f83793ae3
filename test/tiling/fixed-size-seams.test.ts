/**
 * Issue 11 item 3: a fixed-size third-party network (gnsmrky candy, 16 channels, 256×256) tiled exactly over a
 * 1024×1024 photo shows no seams, and matches its free-size twin (the same graph and weights with symbolic sizes) run on
 * the whole photo.
 */
import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { StyleModel, cropImage, planarToRaw, planRun, rawToPlanar, resolveStylizeOptions, stylizePlanar, type PlanarImage } from '@pastiche/core';
import { nodePlatform } from '../../packages/node/src/node-platform.js';
import { contentImage, thirdPartyModel } from '../helpers/assets.js';
import { psnr } from '../helpers/browser.js';
import { maxAbsDiff } from '../helpers/images.js';
import { modelTiling } from '../../packages/core/src/tiling/model-tiling.js';
import { freeSizeTwin } from './free-size-twin.js';

const loaded: StyleModel[] = [];
afterAll(async () => {
  for (const m of loaded) await m.dispose();
});
const load = async (bytes: Uint8Array) => {
  const model = await StyleModel.load(bytes, nodePlatform.runtime, { sessionOptions: { intraOpNumThreads: 1 } });
  loaded.push(model);
  return model;
};

/** Mean absolute difference between neighbouring columns (x - 1, x) and rows (y - 1, y) of 8-bit RGB, per line. */
function lineSteps(rgb: Uint8Array, width: number, height: number): { columns: Float64Array; rows: Float64Array } {
  const columns = new Float64Array(width);
  const rows = new Float64Array(height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < 3; c++) {
        const v = rgb[(y * width + x) * 3 + c];
        if (x > 0) columns[x] += Math.abs(v - rgb[(y * width + x - 1) * 3 + c]) / (3 * height);
        if (y > 0) rows[y] += Math.abs(v - rgb[((y - 1) * width + x) * 3 + c]) / (3 * width);
      }
    }
  }
  return { columns, rows };
}

/** The columns and rows where the tiles of a 1024×1024 plan start or end. */
async function borders(model: StyleModel, options: Parameters<typeof resolveStylizeOptions>[0]): Promise<[Set<number>, Set<number>]> {
  const resolved = resolveStylizeOptions(options);
  const plan = planRun(1024, 1024, model, resolved, await modelTiling(model).analysis());
  if (plan.kind !== (resolved.tileMode === 'exact' ? 'exact' : 'tiles')) throw new Error(`expected ${resolved.tileMode} tiles, planned ${plan.kind}`);
  if (plan.kind !== 'tiles' && plan.kind !== 'exact') throw new Error('expected tiles');
  const inside = (v: number) => v > 0 && v < 1024;
  const xs = new Set(plan.tiles.flatMap((t) => [t.x, t.x + t.width]).filter(inside));
  const ys = new Set(plan.tiles.flatMap((t) => [t.y, t.y + t.height]).filter(inside));
  expect(xs.size).toBeGreaterThanOrEqual(3);
  return [xs, ys];
}

/** Mean step across the lines where tiles start or end, over the mean step across all other lines. */
function seamRatio(image: PlanarImage, xs: ReadonlySet<number>, ys: ReadonlySet<number>): number {
  const { columns, rows } = lineSteps(planarToRaw(image, 3).data as Uint8Array, image.width, image.height);
  let [border, borderCount, other, otherCount] = [0, 0, 0, 0];
  const add = (steps: Float64Array, lines: ReadonlySet<number>) => {
    for (let i = 1; i < steps.length; i++) {
      if (lines.has(i)) [border, borderCount] = [border + steps[i], borderCount + 1];
      else [other, otherCount] = [other + steps[i], otherCount + 1];
    }
  };
  add(columns, xs);
  add(rows, ys);
  return border / borderCount / (other / otherCount);
}

describe('a fixed-size network (gnsmrky candy nc16, 256×256) on a 1024×1024 photo', () => {
  it('tiles exactly: no seams, and within 30 dB of its free-size twin on the whole photo', async () => {
    const bytes = new Uint8Array(await readFile(thirdPartyModel('candy')));
    const fixed = await load(bytes);
    const twin = await load(freeSizeTwin(bytes));
    expect(fixed.fixedSize).toEqual({ width: 256, height: 256 });
    expect(twin.fixedSize).toBeUndefined();

    // The twin is the same network: equal at the fixed size.
    const { data, info } = await sharp(contentImage('kite.jpg')).removeAlpha().resize(1024, 1024, { fit: 'cover' }).raw().toBuffer({ resolveWithObject: true });
    const photo = rawToPlanar({ data: new Uint8Array(data), width: info.width, height: info.height, channels: 3 });
    const crop = cropImage(photo, { x: 384, y: 384, width: 256, height: 256 });
    expect(maxAbsDiff((await twin.run(crop)).data, (await fixed.run(crop)).data)).toBeLessThan(1e-2);

    const exact = await stylizePlanar(fixed, photo);
    const whole = await stylizePlanar(twin, photo, { tile: false });
    const exactRatio = seamRatio(exact, ...(await borders(fixed, {})));
    const dB = psnr(planarToRaw(exact, 3).data, planarToRaw(whole, 3).data);
    // A hard cut between per-tile runs: the seams the ratio is there to find.
    const hardCut = { tileMode: 'fast', tileOverlap: 0 } as const;
    const cutRatio = seamRatio(await stylizePlanar(fixed, photo, hardCut), ...(await borders(fixed, hardCut)));
    console.log(`seam ratio: exact ${exactRatio.toFixed(3)}, per-tile hard cut ${cutRatio.toFixed(3)}; PSNR against the twin ${dB.toFixed(1)} dB`);
    expect(Math.abs(exactRatio - 1)).toBeLessThanOrEqual(0.1);
    expect(dB).toBeGreaterThanOrEqual(30);
    expect(cutRatio).toBeGreaterThan(1.1);
  });
});
