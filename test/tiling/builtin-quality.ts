/**
 * Issue 11 item 3: exact tiling of every built-in pytorch-examples and ml5 style stays within the PSNR targets of a
 * whole-image run on a 512×512 photo (256-pixel tiles with 32- and 64-pixel overlap, 128-pixel tiles), where per-tile
 * statistics do not. One suite per family, each in a test file of its own so that the two run side by side.
 */
import { readFile } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { StyleModel, planarToRaw, stylizePlanar, type PlanarImage } from '@pastiche/core';
import { nodePlatform } from '../../packages/node/src/node-platform.js';
import { builtModel, contentImage, MODELS_DIR } from '../helpers/assets.js';
import { psnr } from '../helpers/browser.js';
import { loadPlanar } from '../helpers/images.js';

interface CatalogStyle {
  name: string;
  family: string;
  file: string;
}
const catalog = JSON.parse(await readFile(`${MODELS_DIR}/catalog.json`, 'utf8')) as { styles: CatalogStyle[] };

const SETTINGS = [
  { name: '256 px, 32 overlap', tile: 256, tileOverlap: 32, target: 33 },
  { name: '256 px, 64 overlap', tile: 256, tileOverlap: 64, target: 40 },
  { name: '128 px, 32 overlap', tile: 128, tileOverlap: 32, target: 30 },
] as const;

const bytes8 = (image: PlanarImage) => planarToRaw(image, 3).data;

/** The suite of one family of built-in styles, `count` of them; its first style is also run with per-tile statistics. */
export function builtinQualitySuite(family: string, count: number): void {
  const styles = catalog.styles.filter((s) => s.family === family);
  const table: string[] = [];
  afterAll(() => console.log(`PSNR of tiles against the whole image (dB), ${family}:\n${table.join('\n')}`));

  describe(`exact tiling of the built-in ${family} styles on a 512×512 photo`, () => {
    it(`covers all ${count}`, () => {
      expect(styles).toHaveLength(count);
    });

    it.each(styles.map((s) => [s.name, s.file]))('%s', async (name, file) => {
      const photo = await loadPlanar(contentImage('astronaut.png'));
      expect([photo.width, photo.height]).toEqual([512, 512]);
      const model = await StyleModel.load(new Uint8Array(await readFile(builtModel(file))), nodePlatform.runtime, {
        sessionOptions: { intraOpNumThreads: 1 },
      });
      try {
        const whole = bytes8(await stylizePlanar(model, photo, { tile: false }));
        const row = [name.padEnd(18)];
        for (const s of SETTINGS) {
          let passes = 0;
          const exact = await stylizePlanar(model, photo, { tile: s.tile, tileOverlap: s.tileOverlap, onProgress: (p) => (passes = p.passes) });
          const dB = psnr(bytes8(exact), whole);
          row.push(`${s.name}: ${dB.toFixed(1)}`);
          expect(passes, 'one pass per normalisation layer, then the render pass').toBeGreaterThan(10);
          expect(dB, `${name}, ${s.name}`).toBeGreaterThanOrEqual(s.target);
        }
        if (name === styles[0].name) {
          // Per-tile statistics (the 'fast' mode) at the first setting, for comparison: far below the target.
          const fast = psnr(bytes8(await stylizePlanar(model, photo, { tile: 256, tileOverlap: 32, tileMode: 'fast' })), whole);
          row.push(`fast 256/32: ${fast.toFixed(1)}`);
          expect(fast).toBeLessThan(SETTINGS[0].target);
        }
        table.push(row.join(' | '));
      } finally {
        await model.dispose();
      }
    });
  });
}
