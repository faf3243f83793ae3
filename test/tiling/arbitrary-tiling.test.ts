import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlanarImage } from '../../packages/core/src/image/image-types.js';
import { StyleTransferModel, stylizeArbitrary, type ArbitraryNetworks } from '../../packages/core/src/methods/arbitrary/index.js';
import type { StylizeProgress } from '../../packages/core/src/methods/fast/stylize-options.js';
import { analyzeTiling } from '../../packages/core/src/tiling/tiling-analysis.js';
import { nodePlatform } from '../../packages/node/src/node-platform.js';
import { assetFloat32, builtModel, contentImage } from '../helpers/assets.js';
import { loadPlanar } from '../helpers/images.js';

/**
 * The arbitrary method's transfer network (Magenta's, converted by `npm run models`) split into tiles: its spelled-out
 * instance normalisation, with γ/β computed from the style vector, gathered over the whole image tile by tile, the
 * style vector fed to every pass graph.
 */

let transfer: StyleTransferModel;
let networks: ArbitraryNetworks;
let style: Float32Array;
let photo: PlanarImage;

beforeAll(async () => {
  const bytes = new Uint8Array(readFileSync(builtModel('magenta-transfer-f16.onnx')));
  transfer = await StyleTransferModel.load(bytes, nodePlatform.runtime);
  networks = { transfer };
  style = assetFloat32('golden/magenta/bottlenecks/sp256__starry_night.f32');
  photo = await loadPlanar(contentImage('astronaut.png'));
});
afterAll(async () => {
  await transfer?.dispose();
});

/** PSNR of planar images on the 0..255 scale. */
function psnr(got: PlanarImage, want: PlanarImage): number {
  expect([got.width, got.height]).toEqual([want.width, want.height]);
  let d = 0;
  for (let i = 0; i < want.data.length; i++) d += ((got.data[i] - want.data[i]) / 255) ** 2;
  return 10 * Math.log10(1 / (d / want.data.length));
}

describe('exact tiling of the arbitrary method', () => {
  it("finds the transfer network's 13 normalisation sites (mean and variance each), at a quarter of the image and up", async () => {
    const analysis = await analyzeTiling(transfer.tiling.model);
    expect(analysis.reason).toBeUndefined();
    const exact = analysis.exact!;
    expect(exact.passes.sites).toHaveLength(13);
    for (const site of exact.passes.sites) {
      expect(site.replaces.kind).toBe('moments');
      expect(site.variance).toBe(true);
    }
    // Two stride-2 layers: the residual blocks' sites are 16² on the 64² probe, so tiles align to 4 pixels.
    expect(exact.passes.sites[0].height).toBe(16);
    expect(exact.alignment).toBe(4);
    expect(exact.passes.passes).toBe(13);
    // γ/β come from the style vector in every pass, never cached per tile.
    expect(exact.passes.checkpoints.flat().some((v) => v.startsWith('style_params/'))).toBe(false);
    expect(exact.passes.closure([exact.passes.index.output], 13, 13).runInputs).toEqual(['mobilenet_conv/Conv/BiasAdd']);
  });

  it("512² photo in 256-pixel tiles (overlap 32): 'exact' matches the whole-image run to float rounding, 'fast' does not", async () => {
    const whole = await stylizeArbitrary(networks, photo, style, { tile: false });
    const progress: StylizeProgress[] = [];
    const exact = await stylizeArbitrary(networks, photo, style, { tile: 256, tileOverlap: 32, onProgress: (p) => progress.push(p) });
    const fast = await stylizeArbitrary(networks, photo, style, { tile: 256, tileOverlap: 32, tileMode: 'fast' });
    const exactDb = psnr(exact, whole);
    const fastDb = psnr(fast, whole);
    console.log(`astronaut 512², starry_night vector, 256-pixel tiles, overlap 32: exact ${exactDb.toFixed(2)} dB, fast ${fastDb.toFixed(2)} dB`);
    // The issue asks for 33 dB; 32 pixels of overlap cover every pass's reach, so tiles match to float rounding.
    expect(exactDb).toBeGreaterThanOrEqual(60);
    expect(fastDb).toBeLessThan(exactDb - 3);
    // 13 statistics passes and the render pass over the tiles (3×3 with the overlap).
    const last = progress[progress.length - 1];
    expect(last.passes).toBe(14);
    expect(last.total).toBe(14 * 9);
    expect(last.done).toBe(last.total);
  });

  it('splits by default when the run does not fit memoryBudget, and runs exact', async () => {
    const progress: StylizeProgress[] = [];
    const budget = 16 * 2 ** 20;
    const out = await stylizeArbitrary(networks, photo, style, { size: 384, memoryBudget: budget, onProgress: (p) => progress.push(p) });
    expect([out.width, out.height]).toEqual([384, 384]);
    const last = progress[progress.length - 1];
    expect(last.total).toBeGreaterThan(1);
    expect(last.passes).toBe(14);
    const whole = await stylizeArbitrary(networks, photo, style, { size: 384 });
    const db = psnr(out, whole);
    console.log(`astronaut at 384², 16 MiB budget: ${last.total / last.passes} tiles, ${db.toFixed(2)} dB from the whole-image run`);
    expect(db).toBeGreaterThanOrEqual(33);
  });

  it('stops between tiles when aborted', async () => {
    const controller = new AbortController();
    const run = stylizeArbitrary(networks, photo, style, {
      tile: 256,
      signal: controller.signal,
      onProgress: (p) => p.done === 3 && controller.abort(),
    });
    await expect(run).rejects.toMatchObject({ code: 'E_ABORTED' });
  });
});
