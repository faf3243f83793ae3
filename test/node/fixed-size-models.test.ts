import { afterAll, describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { StyleModel, cropImage, planarToRaw, planRun, reflectPad, resolveStylizeOptions, stylizePlanar } from '@pastiche/core';
import { dispose, stylize } from '@pastiche/node';
import { nodePlatform } from '../../packages/node/src/node-platform.js';
import { contentImage, thirdPartyModel } from '../helpers/assets.js';
import { loadPlanar, meanAbsDiff } from '../helpers/images.js';

// A third-party export with a fixed [1,3,256,256] input, made by another project: proves that any ONNX
// style model plugs in, including one whose input size is fixed.
const models: StyleModel[] = [];
afterAll(async () => {
  await dispose();
  await Promise.all(models.map((m) => m.dispose()));
});

/** The network itself (not a stylizer), for the planner's internals. */
async function loadModel(path: string): Promise<StyleModel> {
  const model = await StyleModel.load(await readFile(path), nodePlatform.runtime);
  models.push(model);
  return model;
}

/** Mean absolute step between neighbouring columns, per column (R channel). */
function columnSteps(data: Uint8Array, width: number, height: number): number[] {
  const steps = new Array<number>(width).fill(0);
  for (let x = 1; x < width; x++) {
    let sum = 0;
    for (let y = 0; y < height; y++) sum += Math.abs(data[(y * width + x) * 3] - data[(y * width + x - 1) * 3]);
    steps[x] = sum / height;
  }
  return steps;
}

describe('fixed-size third-party models (gnsmrky nc16, 256×256)', () => {
  it('introspects the fixed input size', async () => {
    const model = await loadModel(thirdPartyModel('candy'));
    expect(model.fixedSize).toEqual({ width: 256, height: 256 });
    expect(model.conventions.input.layout).toBe('NCHW');
  });

  it.each([
    ['candy', 1024, 1024],
    ['mosaic', 451, 300],
    ['udnie', 512, 512],
  ])('tiles %s over a %i×%i image and returns the full size', async (style, width, height) => {
    const input = await loadPlanar(contentImage('astronaut.png'), { width, height });
    const raw = { data: planarToRaw(input, 3).data as Uint8Array, width, height, channels: 3 as const };
    const out = await stylize(raw, thirdPartyModel(style));
    expect([out.width, out.height]).toEqual([width, height]);
    expect(meanAbsDiff(out.data, raw.data)).toBeGreaterThan(15);
  });

  it('resizes to the fixed size and back when asked', async () => {
    const out = await stylize(contentImage('chelsea_448x300.png'), thirdPartyModel('rain-princess'), { fixedSize: 'resize' });
    expect([out.width, out.height]).toEqual([448, 300]);
  });

  it('feathered blending of per-tile runs leaves no seams where a hard cut between tiles does', async () => {
    const model = await loadModel(thirdPartyModel('candy'));
    const image = await loadPlanar(contentImage('chelsea.png'), { width: 451, height: 300 });
    const plan = planRun(451, 300, model, resolveStylizeOptions({ tileMode: 'fast' }));
    if (plan.kind !== 'tiles') throw new Error('expected a tiled plan');
    const seams = [...new Set(plan.tiles.map((t) => t.x).filter((x) => x > 0))];
    const stepRatio = async (overlap: number) => {
      const out = await stylizePlanar(model, image, { tileOverlap: overlap, tileMode: 'fast' });
      const steps = columnSteps(planarToRaw(out, 3).data as Uint8Array, out.width, out.height);
      const median = [...steps].sort((a, b) => a - b)[steps.length >> 1];
      // A hard cut lands where the later tile starts (overlap 0) or, feathered, anywhere in the overlap.
      return Math.max(...seams.flatMap((x) => range(x - overlap, x + overlap + 1).map((c) => steps[c]))) / median;
    };
    const feathered = await stepRatio(32);
    const hardCut = await stepRatio(0);
    expect(hardCut).toBeGreaterThan(feathered);
    expect(feathered).toBeLessThan(3);
  });

  it('one tile covering a small image equals padding, running and cropping by hand', async () => {
    const model = await loadModel(thirdPartyModel('candy'));
    const image = await loadPlanar(contentImage('coffee.png'), { width: 200, height: 150 });
    const viaPipeline = await stylizePlanar(model, image);
    const padded = reflectPad(image, { top: 53, bottom: 53, left: 28, right: 28 });
    const byHand = cropImage(await model.run(padded), { x: 28, y: 53, width: 200, height: 150 });
    expect(Array.from(viaPipeline.data)).toEqual(Array.from(byHand.data));
  });
});

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from }, (_, i) => from + i);
}
