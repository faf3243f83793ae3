/**
 * Parity of the two adapters: one table of cases (test/helpers/parity-cases.ts) runs against @pastiche/node here
 * and against @pastiche/web in Chromium; both must accept the same references and fail with the same error
 * class and code for the same mistake.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPastiche } from '@pastiche/core';
import { exportGradientGraphs } from '@pastiche/node';
import { nodePlatform } from '../../packages/node/src/node-platform.js';
import { MODELS_DIR, builtModel, contentImage } from '../helpers/assets.js';
import { openHarnessPage, type HarnessPage } from '../helpers/browser.js';
import { PARITY_CASES, runParityCases, type AdapterApi, type ParityOutcome } from '../helpers/parity-cases.js';

let page: HarnessPage | undefined;
let work: string;
let image: { data: Uint8Array; width: number; height: number; channels: 3 };

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'pastiche-parity-'));
  await exportGradientGraphs(join(work, 'grad'), { lossNetwork: 'squeezenet' });
  const { data, info } = await sharp(contentImage('chelsea_448x300.png')).resize(48, 32, { fit: 'fill' }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  image = { data: new Uint8Array(data), width: info.width, height: info.height, channels: 3 };
  page = await openHarnessPage({ '/models/': MODELS_DIR, '/grad/': join(work, 'grad') });
}, 240_000);

afterAll(async () => {
  await page?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('@pastiche/node and @pastiche/web', () => {
  it('give the same outcome, error class and code for every case of the table', async () => {
    const origin = page!.server.origin;
    const inPage = await page!.harness.parity(Buffer.from(image.data).toString('base64'), image.width, image.height, `${origin}/grad/`);
    const node = createPastiche(nodePlatform);
    const inNode = await runParityCases(node as unknown as AdapterApi, {
      image,
      modelsUrl: `${origin}/models/`,
      gradUrl: `${origin}/grad/`,
      candyBytes: new Uint8Array(await readFile(builtModel('candy.onnx'))),
      base: { cacheDir: join(work, 'cache') },
    });
    await node.dispose();
    const summary = (outcomes: Record<string, ParityOutcome>) =>
      Object.fromEntries(Object.entries(outcomes).map(([name, o]) => [name, o.ok ? `ok: ${o.detail}` : `${o.name} ${o.code ?? ''}`.trim()]));
    for (const name of Object.keys(PARITY_CASES)) console.log(`${name}: node ${summary(inNode)[name]} | web ${summary(inPage)[name]}`);
    expect(summary(inPage)).toEqual(summary(inNode));
    // The table is not all errors, nor all successes: both kinds are compared.
    expect(Object.values(inNode).filter((o) => o.ok).length).toBe(5);
    expect(summary(inNode)['style by URL, with load progress']).toBe('ok: candy initiate,download,progress,done,ready');
    expect(summary(inNode)['model URL 404']).toBe('PasticheError E_MODEL_NOT_FOUND');
    expect(summary(inNode)['strength 2']).toBe('RangeError');
    expect(summary(inNode)['device of the wrong type']).toBe('TypeError');
    expect(summary(inNode)['an aborted load']).toBe('PasticheError E_ABORTED');
    expect(summary(inNode)['style vector of the wrong length']).toBe('RangeError');
    expect(summary(inNode)['unknown transfer network']).toBe('PasticheError E_MODEL_NOT_FOUND');
  }, 300_000);
});
