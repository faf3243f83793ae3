/**
 * Exact tiling in @pastiche/web (issue 11 item 5): a small photo split into tiles on onnxruntime-web (wasm) in Chromium
 * matches @pastiche/node within 1e-3 relative error, with the same passes.
 */
import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StyleModel, rawToPlanar, stylizePlanar } from '@pastiche/core';
import { nodePlatform } from '../../packages/node/src/node-platform.js';
import { MODELS_DIR, builtModel, contentImage } from '../helpers/assets.js';
import { openHarnessPage, relativeError, type HarnessPage } from '../helpers/browser.js';

let page: HarnessPage | undefined;
let raw: { data: Uint8Array; width: number; height: number; channels: 3 };

beforeAll(async () => {
  const { data, info } = await sharp(contentImage('chelsea_448x300.png')).resize(120, 80, { fit: 'fill' }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  raw = { data: new Uint8Array(data), width: info.width, height: info.height, channels: 3 };
  page = await openHarnessPage({ '/models/': MODELS_DIR });
}, 240_000);

afterAll(async () => {
  await page?.close();
});

describe('exact tiling in the browser', () => {
  it.each(['candy', 'ml5-wave'])('%s: 120×80 in 48-pixel tiles matches node within 1e-3', async (style) => {
    const options = { tile: 48, tileOverlap: 8, tileMode: 'exact' } as const;
    const inPage = await page!.harness.tiledFloat(Buffer.from(raw.data).toString('base64'), raw.width, raw.height, style, options);
    const model = await StyleModel.load(new Uint8Array(await readFile(builtModel(`${style}.onnx`))), nodePlatform.runtime);
    try {
      let passes = 0;
      const node = await stylizePlanar(model, rawToPlanar(raw), { ...options, onProgress: (p) => (passes = p.passes) });
      const whole = await stylizePlanar(model, rawToPlanar(raw), { tile: false });
      const fast = await stylizePlanar(model, rawToPlanar(raw), { ...options, tileMode: 'fast' });
      const error = relativeError(inPage.output, node.data);
      console.log(`${style}: web vs node ${error.toExponential(2)} (${inPage.passes} passes, ${inPage.ms.toFixed(0)} ms in the page); node exact vs whole ${relativeError(node.data, whole.data).toExponential(2)}, fast vs whole ${relativeError(fast.data, whole.data).toExponential(2)}`);
      expect(inPage.passes).toBe(passes);
      expect(passes).toBeGreaterThan(10);
      expect(error).toBeLessThanOrEqual(1e-3);
      // The comparison can tell tilings apart: per-tile statistics are far off.
      expect(relativeError(inPage.output, fast.data)).toBeGreaterThan(1e-2);
    } finally {
      await model.dispose();
    }
  }, 240_000);
});
