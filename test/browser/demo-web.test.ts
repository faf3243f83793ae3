/**
 * The demo page (demo/web) end to end, served by Vite with its own config as `npm run demo:web` does, one user's
 * path through it: a photo from the file picker, a style network from the gallery, the result drawn, timed and
 * downloaded, the before/after slider, the same photo with a bundled painting by the arbitrary method and its live
 * strength slider (no new predictor run); then, on a fresh page, the optimisation method on a dropped painting with its
 * progress bar; and the note on threads without cross-origin isolation. Screenshots go to test-output/.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import type { ViteDevServer } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispose as disposeNode, stylize as stylizeNode } from '@pastiche/node';
import { REPO_ROOT, asset, builtModel, contentImage } from '../helpers/assets.js';
import { TEST_OUTPUT, launchChromium, psnr, rgbaToRgb, type Browser } from '../helpers/browser.js';

let vite: ViteDevServer;
let browser: Browser;
let origin: string;

/** Polling on an interval: rAF-driven waits stall while onnxruntime-web keeps the main thread busy. */
const POLL = { polling: 250, timeout: 120_000 } as const;
const CATALOG_STYLES = 14;

beforeAll(async () => {
  builtModel('ml5-wave.onnx');
  builtModel('squeezenet1.1.onnx');
  builtModel('magenta-predictor.onnx');
  builtModel('magenta-transfer-f16.onnx');
  await mkdir(TEST_OUTPUT, { recursive: true });
  const { createServer } = await import('vite');
  vite = await createServer({
    configFile: join(REPO_ROOT, 'demo', 'web', 'vite.config.ts'),
    server: { port: 0, strictPort: false, watch: null },
    logLevel: 'warn',
  });
  await vite.listen();
  origin = (vite.resolvedUrls?.local[0] ?? '').replace(/\/$/, '');
  expect(origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  browser = await launchChromium();
  // A reload under the test (e.g. Vite pre-bundling again) would otherwise look like a run that never started.
  browser.page.on('framenavigated', (frame) => frame === browser.page.mainFrame() && browser.console.push(`navigated: ${frame.url()}`));
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await vite?.close();
  await disposeNode();
});

/** Opens the page and waits until its galleries are filled. */
async function openPage(): Promise<void> {
  const response = await browser.page.goto(`${origin}/`);
  expect(response?.headers()['cross-origin-embedder-policy']).toBe('require-corp');
  await browser.page.waitForFunction('document.body.dataset.ready === "true"', undefined, POLL);
}

/** Waits for the run the page started to end, and expects it done. */
async function waitForResult(): Promise<void> {
  const { page } = browser;
  await page.waitForFunction("!['pending', 'running'].includes(document.getElementById('result').dataset.state)", undefined, POLL);
  expect(await page.getAttribute('#result', 'data-state'), `${await page.textContent('#status')}\n${browser.console.slice(-10).join('\n')}`).toBe('done');
}

/** Waits until the page has drawn `renders` results and is not running, and expects the last one done. */
async function waitForRenders(renders: number): Promise<void> {
  const { page } = browser;
  await page.waitForFunction(
    `(() => { const r = document.getElementById('result').dataset; return Number(r.renders) >= ${renders} && !['pending', 'running'].includes(r.state); })()`,
    undefined,
    POLL,
  );
  expect(await page.getAttribute('#result', 'data-state'), (await page.textContent('#status')) ?? '').toBe('done');
  expect(await page.getAttribute('#result', 'data-renders')).toBe(String(renders));
}

/** The result canvas' RGBA pixels, base64. */
const resultPixels = () =>
  browser.page.evaluate(
    `(() => { const c = document.getElementById('result'); const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let s = ''; for (let i = 0; i < d.length; i += 0x8000) s += String.fromCharCode(...d.subarray(i, i + 0x8000)); return btoa(s); })()`,
  ) as Promise<string>;

/**
 * The page's errors since `from` (the page and its console log outlive each test). onnxruntime-web prints its own
 * warnings through console.error ('[W:onnxruntime:…]', e.g. initializers a graph rewrite left unused): not errors.
 */
const errorsSince = (from: number) =>
  browser.console.slice(from).filter((m) => (m.startsWith('pageerror') || m.startsWith('error')) && !m.includes('[W:onnxruntime:'));

describe('demo/web', () => {
  it('stylizes a chosen photo with a style network (drawn, timed, downloaded, before/after), then a painting by the arbitrary method with a live strength slider', async () => {
    const { page } = browser;
    const consoleFrom = browser.console.length;
    await openPage();
    // The server sends COOP/COEP: threads are used, and the page says so.
    expect(await page.getAttribute('#threads', 'data-isolated')).toBe('true');
    const threads = Number(await page.getAttribute('#threads', 'data-threads'));
    expect(threads).toBeGreaterThanOrEqual(1);
    expect(await page.textContent('#threads')).toMatch(new RegExp(`^Cross-origin isolated: wasm runs on ${threads} threads?`));

    // The gallery: every built-in network with a thumbnail the dev server rendered, and the bundled paintings.
    expect(await page.locator('#network-gallery input[type=radio]').count()).toBe(CATALOG_STYLES);
    expect(await page.locator('#painting-gallery input[type=radio]').count()).toBe(7);
    await page.waitForFunction(
      `[...document.querySelectorAll('#network-gallery img, #painting-gallery img')].every((img) => img.complete && img.naturalWidth > 0)
        && document.querySelectorAll('#network-gallery img').length === ${CATALOG_STYLES}`,
      undefined,
      POLL,
    );
    expect(await page.isDisabled('#run')).toBe(true);

    const photo = contentImage('chelsea_448x300.png');
    await page.fill('#size', '256');
    await page.setInputFiles('#photo', photo);
    await page.click('label[data-value="network:ml5-wave"]');
    expect(await page.isChecked('input[name="method"][value="fast"]')).toBe(true);
    await waitForResult();

    expect(await page.textContent('#status')).toBe('Done.');
    console.log(`demo style network: ${await page.textContent('#result-info')}`);
    expect(await page.textContent('#result-info')).toMatch(/^ml5-wave, style network on wasm: 256×171 in \d+\.\d\d s( \+ \d+\.\d\d s loading)?$/);
    expect(await page.textContent('#time-fast')).toMatch(/^\d+\.\d\d s$/);
    expect(await page.getAttribute('#result', 'data-renders')).toBe('1');
    expect(await page.getAttribute('#result', 'data-predictor-runs')).toBe('0');

    // The download is the PNG of the result.
    const link = page.locator('#download');
    expect(await link.getAttribute('download')).toBe('chelsea_448x300-ml5-wave.png');
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    const png = await readFile((await download.path())!);
    expect(await sharp(png).metadata()).toMatchObject({ format: 'png', width: 256, height: 171 });

    // Before/after: the result is clipped to the right of the split; keyboard and pointer move it.
    await page.locator('#split').fill('20');
    expect(await page.getAttribute('#compare', 'data-split')).toBe('20');
    expect(await page.evaluate("getComputedStyle(document.getElementById('result')).clipPath")).toBe('inset(0px 0px 0px 20%)');
    await page.focus('#split');
    await page.keyboard.press('ArrowRight');
    expect(await page.getAttribute('#compare', 'data-split')).toBe('21');
    const box = (await page.locator('#compare').boundingBox())!;
    await page.mouse.click(box.x + box.width * 0.75, box.y + box.height / 2);
    expect(Number(await page.getAttribute('#compare', 'data-split'))).toBeCloseTo(75, -1);
    expect(await page.inputValue('#split')).toBe(await page.getAttribute('#compare', 'data-split'));
    await page.screenshot({ path: join(TEST_OUTPUT, 'demo-web.png'), fullPage: true });

    // What the canvas shows is what @pastiche/node makes of the same file and options.
    const drawn = await resultPixels();
    const inNode = await stylizeNode(await sharp(photo).toBuffer(), 'ml5-wave', { size: 256 });
    const quality = psnr(rgbaToRgb(new Uint8Array(Buffer.from(drawn, 'base64'))), inNode.data);
    console.log(`demo canvas (wasm) vs @pastiche/node cpu, ml5-wave 256×171: PSNR ${quality.toFixed(2)} dB`);
    // The README publishes PSNR 80 dB for wasm vs node (candy, 448×300); 77 dB is twice that mean squared error.
    expect(quality).toBeGreaterThanOrEqual(77);

    // A bundled painting from the gallery: the method becomes the arbitrary one and runs on the same photo.
    await page.click('label[data-value="painting:starry_night"]');
    expect(await page.isChecked('input[name="method"][value="arbitrary"]')).toBe(true);
    await waitForRenders(2);
    console.log(`demo arbitrary, strength 1: ${await page.textContent('#result-info')}`);
    expect(await page.textContent('#result-info')).toMatch(/^starry_night, arbitrary on wasm: 256×171 in \d+\.\d\d s( \+ \d+\.\d\d s loading)?$/);
    expect(await page.textContent('#time-arbitrary')).toMatch(/^\d+\.\d\d s$/);
    // Two vectors kept: the painting's, and the photo's own for strength.
    expect(await page.getAttribute('#result', 'data-predictor-runs')).toBe('2');
    const full = await resultPixels();
    await page.screenshot({ path: join(TEST_OUTPUT, 'demo-web-arbitrary.png'), fullPage: true });

    // Moving the slider renders again from the kept vectors: no predictor run, another picture.
    await page.locator('#strength').fill('0.5');
    await waitForRenders(3);
    expect(await page.getAttribute('#result', 'data-predictor-runs')).toBe('2');
    expect(await page.textContent('#result-info')).toMatch(/\(style vectors kept: transfer network only\)$/);
    console.log(`demo arbitrary, strength 0.5: ${await page.textContent('#result-info')}`);
    const half = await resultPixels();
    expect(half).not.toBe(full);
    // And by keyboard.
    await page.focus('#strength');
    await page.keyboard.press('ArrowLeft');
    expect(await page.textContent('#strength-value')).toBe('0.45');
    await waitForRenders(4);
    expect(await page.getAttribute('#result', 'data-predictor-runs')).toBe('2');
    expect(await resultPixels()).not.toBe(half);
    expect(await page.getAttribute('#download', 'download')).toBe('chelsea_448x300-starry_night.png');
    await page.screenshot({ path: join(TEST_OUTPUT, 'demo-web-arbitrary-strength.png'), fullPage: true });
    expect(errorsSince(consoleFrom)).toEqual([]);
  }, 240_000);

  it('optimises a sample photo towards a dropped painting, with a progress bar that moves', async () => {
    const { page } = browser;
    const consoleFrom = browser.console.length;
    await openPage();
    const progress: number[] = [];
    await page.exposeFunction('reportProgress', (value: string | null) => value !== null && progress.push(Number(value)));
    await page.evaluate(`new MutationObserver(() => window.reportProgress(document.getElementById('progress').getAttribute('value')))
      .observe(document.getElementById('progress'), { attributes: true, attributeFilter: ['value'] })`);

    await page.click('#photo-gallery label[data-value="landscape"]');
    await page.check('input[name="method"][value="optimisation"]');
    // Drag and drop a painting of one's own onto its zone: it joins the gallery, chosen.
    const painting = (await readFile(asset('images/style/great_wave.jpg'))).toString('base64');
    const transfer = await page.evaluateHandle(`(() => {
      const data = new DataTransfer();
      const bytes = Uint8Array.from(atob('${painting}'), (c) => c.charCodeAt(0));
      data.items.add(new File([bytes], 'great_wave.jpg', { type: 'image/jpeg' }));
      return data;
    })()`);
    for (const type of ['dragenter', 'dragover', 'drop']) await page.dispatchEvent('#painting-drop', type, { dataTransfer: transfer });
    expect(await page.locator('#painting-gallery input[type=radio]').count()).toBe(8);
    expect(await page.isChecked('#painting-gallery label:last-child input')).toBe(true);

    expect(await page.isChecked('input[name="method"][value="optimisation"]')).toBe(true);
    expect(await page.isDisabled('#iterations')).toBe(false);
    expect(await page.textContent('#run')).toBe('Optimise');
    await page.fill('#gatys-size', '64');
    await page.fill('#iterations', '6');
    await page.click('#run');
    expect(await page.isVisible('#stop')).toBe(true);
    await waitForResult();

    expect(await page.textContent('#result-info')).toMatch(/^great_wave, optimisation on wasm: 64×43 in \d+\.\d\d s( \+ \d+\.\d\d s loading)?$/);
    expect(await page.textContent('#time-optimisation')).toMatch(/^\d+\.\d\d s$/);
    console.log(`demo optimisation: ${await page.textContent('#result-info')}`);
    // The bar went through the iterations: from the download of SqueezeNet, then 0 % up to all 6 iterations.
    const optimising = progress.slice(progress.lastIndexOf(0));
    expect(new Set(optimising).size, JSON.stringify(progress)).toBeGreaterThanOrEqual(5);
    expect(optimising).toEqual([...optimising].sort((a, b) => a - b));
    expect(Math.max(...optimising)).toBe(100);
    expect(Number(await page.getAttribute('#result', 'data-previews'))).toBeGreaterThanOrEqual(1);
    expect(await page.getAttribute('#download', 'download')).toBe('landscape-great_wave.png');
    expect(await page.isVisible('#stop')).toBe(false);
    await page.screenshot({ path: join(TEST_OUTPUT, 'demo-web-optimisation.png'), fullPage: true });
    expect(errorsSince(consoleFrom)).toEqual([]);
  }, 240_000);

  it('says on the page when it is not cross-origin isolated', async () => {
    const page = await browser.context.newPage();
    try {
      // The same page without COOP/COEP on its document, as a plain static host would serve it.
      await page.route(`${origin}/`, async (route) => {
        const response = await route.fetch();
        const headers = { ...response.headers() };
        delete headers['cross-origin-opener-policy'];
        delete headers['cross-origin-embedder-policy'];
        await route.fulfill({ response, headers });
      });
      await page.goto(`${origin}/`);
      await page.waitForFunction("document.getElementById('threads').dataset.isolated !== undefined", undefined, POLL);
      expect(await page.getAttribute('#threads', 'data-isolated')).toBe('false');
      expect(await page.textContent('#threads')).toMatch(/^This page is not cross-origin isolated, so wasm runs on one thread\./);
    } finally {
      await page.close();
    }
  }, 60_000);
});
