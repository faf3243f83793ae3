import { open, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_MAX_MODEL_BYTES,
  DEFAULT_MAX_PIXELS,
  DEFAULT_TILE_LIMIT,
  MAX_IMAGE_SIDE,
  MAX_STYLE_SCALE,
  StyleModel,
  blendTiles,
  cropImage,
  planRun,
  rawToPlanar,
  resolveStylizeOptions,
  stylizePlanar,
} from '@pastiche/core';
import { PasticheError, dispose, loadStyle, loadStyleOptimizer, stylize } from '@pastiche/node';
import { decodeImage } from '../../packages/node/src/image-input.js';
import { nodePlatform } from '../../packages/node/src/node-platform.js';
import { builtModel, REPO_ROOT } from '../helpers/assets.js';
import { craftedPng } from '../helpers/crafted-png.js';

const svg16k = Buffer.from(
  '<svg xmlns="http://www.w3.org/2000/svg" width="16000" height="16000"><rect width="16000" height="16000" fill="#c83"/></svg>',
);
const OVER = 'is 16000×16000 (256 megapixels), over the 40-megapixel limit (maxPixels). Pass a larger maxPixels to allow it, or resize it first.';
const MB = 2 ** 20;
const landscape = join(REPO_ROOT, 'demo', 'landscape.jpg');
const rgb = (width: number, height: number) => ({
  data: new Uint8Array(width * height * 3).map((_, i) => (i * 37) % 251),
  width,
  height,
  channels: 3 as const,
});

/** The error `call` rejects with, and how much the process's RSS grew meanwhile. */
async function refusal(call: () => Promise<unknown>): Promise<{ error: PasticheError; grewMB: number }> {
  const before = process.memoryUsage().rss;
  const error = await call().then(
    () => undefined,
    (e: unknown) => e,
  );
  const grewMB = (process.memoryUsage().rss - before) / MB;
  expect(error).toBeInstanceOf(PasticheError);
  return { error: error as PasticheError, grewMB };
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pastiche-limits-'));
  // Loaded once, so that loading is not counted as growth below.
  await stylize(rgb(8, 8), 'candy');
});
afterAll(async () => {
  await dispose();
  await rm(dir, { recursive: true, force: true });
});

describe('the pixel limit (maxPixels), checked from the header before decoding', () => {
  it('refuses a crafted 16000×16000 PNG of 69 bytes as bytes, a path and a sharp instance', async () => {
    const png = craftedPng(16000, 16000);
    expect(png.length).toBe(69);
    const path = join(dir, 'huge.png');
    await writeFile(path, png);
    for (const [input, subject] of [
      [png, 'The 69-byte image buffer'],
      [new Uint8Array(png).buffer as ArrayBuffer, 'The 69-byte image buffer'],
      [path, `The image '${path}'`],
      [sharp(png), 'The sharp instance'],
    ] as const) {
      const { error, grewMB } = await refusal(() => stylize(input, 'candy'));
      expect(error.code).toBe('E_IMAGE_TOO_LARGE');
      expect(error.message).toBe(`${subject} ${OVER}`);
      expect(grewMB).toBeLessThan(200);
    }
  });

  it('refuses a 16000×16000 SVG before rasterising it (it would be 768 MB of RGB)', async () => {
    const path = join(dir, 'huge.svg');
    await writeFile(path, svg16k);
    for (const input of [new Uint8Array(svg16k), path]) {
      const { error, grewMB } = await refusal(() => stylize(input, 'candy'));
      expect(error.code).toBe('E_IMAGE_TOO_LARGE');
      expect(error.message).toContain(OVER);
      expect(grewMB).toBeLessThan(200);
    }
  });

  it('refuses raw pixels by their declared size, before their data is looked at', async () => {
    const declared = { data: new Uint8Array(3), width: 16000, height: 16000, channels: 3 as const };
    const { error, grewMB } = await refusal(() => stylize(declared, 'candy'));
    expect(error.code).toBe('E_IMAGE_TOO_LARGE');
    expect(error.message).toBe(`The raw image ${OVER}`);
    expect(grewMB).toBeLessThan(200);
    const small = rgb(100, 80);
    const limited = await refusal(() => stylize(small, 'candy', { maxPixels: 7999 }));
    expect(limited.error.message).toBe(
      'The raw image is 100×80 (8000 pixels), over the 7999-pixel limit (maxPixels). Pass a larger maxPixels to allow it, or resize it first.',
    );
    expect((await stylize(small, 'candy', { maxPixels: 8000 })).width).toBe(100);
  });

  it('applies to both images of the optimisation method, before any iteration', async () => {
    const optimizer = await loadStyleOptimizer();
    try {
      const png = craftedPng(16000, 16000);
      const content = await refusal(() => optimizer.stylize(png, { styleImage: rgb(64, 64) }, { iterations: 1 }));
      expect(content.error.code).toBe('E_IMAGE_TOO_LARGE');
      const style = await refusal(() => optimizer.stylize(rgb(64, 64), { styleImage: new Uint8Array(svg16k) }, { iterations: 1 }));
      expect(style.error.code).toBe('E_IMAGE_TOO_LARGE');
      expect(style.error.message).toContain(OVER);
      expect(Math.max(content.grewMB, style.grewMB)).toBeLessThan(200);
    } finally {
      await optimizer.dispose();
    }
  });

  it('is raised by a larger maxPixels, all the way to the decoder (Infinity: no limit)', async () => {
    const png = craftedPng(16000, 16000);
    // Past the limit, the decoder finds the crafted file's data missing: the check was the limit's, not the file's.
    const { error, grewMB } = await refusal(() => decodeImage(png, { maxPixels: Infinity }));
    expect(error.code).toBe('E_IMAGE_DECODE');
    expect(grewMB).toBeLessThan(200);
    expect((await refusal(() => decodeImage(png, { maxPixels: 256_000_000 }))).error.code).toBe('E_IMAGE_DECODE');
    expect((await refusal(() => decodeImage(png, { maxPixels: 255_999_999 }))).error.code).toBe('E_IMAGE_TOO_LARGE');
  });

  it('is a run option: checked like the others, and a TypeError at a load', async () => {
    expect(DEFAULT_MAX_PIXELS).toBe(40_000_000);
    expect(resolveStylizeOptions({}).maxPixels).toBe(DEFAULT_MAX_PIXELS);
    await expect(stylize(rgb(8, 8), 'candy', { maxPixels: 0 })).rejects.toThrow(
      new RangeError('Expected positive integer or Infinity for maxPixels but received 0 of type number'),
    );
    await expect(stylize(rgb(8, 8), 'candy', { maxPixels: '1e6' as never })).rejects.toThrow(TypeError);
    await expect(loadStyle('candy', { maxPixels: 10 } as never)).rejects.toThrow(/'maxPixels'.*run option/);
    await expect(stylize(rgb(8, 8), { styleImage: rgb(8, 8) }, { maxPixels: -1 })).rejects.toThrow(RangeError);
  });
});

describe('upper bounds on size and styleScale', () => {
  it('size: 100000 is a RangeError on every path, before any decoding', async () => {
    const message = `Expected positive integer ≤ ${MAX_IMAGE_SIDE} for size but received 100000 of type number`;
    await expect(stylize(landscape, 'candy', { size: 100000 })).rejects.toThrow(new RangeError(message));
    const stylizer = await loadStyle('candy');
    await expect(stylizer.stylize(landscape, { size: 100000 })).rejects.toThrow(new RangeError(message));
    await stylizer.dispose();
    const candy = await StyleModel.load(new Uint8Array(await readFile(builtModel('candy.onnx'))), nodePlatform.runtime);
    await expect(stylizePlanar(candy, rawToPlanar(rgb(8, 8)), { size: 100000 })).rejects.toThrow(new RangeError(message));
    await candy.dispose();
    await expect(stylize(landscape, { styleImage: landscape }, { size: 100000 })).rejects.toThrow(
      new RangeError(`Expected integer between 16 and ${MAX_IMAGE_SIDE} for size but received 100000 of type number`),
    );
    await expect(stylize(landscape, { styleImage: landscape }, { styleScale: MAX_STYLE_SCALE + 1 })).rejects.toThrow(
      new RangeError(`Expected number in (0, ${MAX_STYLE_SCALE}] for styleScale but received 9 of type number`),
    );
  });

  it('a size or styleScale within bounds whose working image is over maxPixels is E_IMAGE_TOO_LARGE before any run', async () => {
    const big = await refusal(() => stylize(rgb(400, 300), 'candy', { size: MAX_IMAGE_SIDE }));
    expect(big.error.code).toBe('E_IMAGE_TOO_LARGE');
    expect(big.error.message).toBe(
      'The image at size 16384 is 16384×12288 (201 megapixels), over the 40-megapixel limit (maxPixels). Pass a smaller size, or a larger maxPixels to allow it.',
    );
    expect(big.grewMB).toBeLessThan(200);
    const style = await refusal(() => stylize(rgb(64, 48), { styleImage: rgb(64, 64) }, { size: 2048, styleScale: 8, scales: 1, iterations: 1 }));
    expect(style.error.code).toBe('E_IMAGE_TOO_LARGE');
    expect(style.error.message).toBe(
      "Style image 1 at styleScale 8 (of the result's 2048-pixel side) is 16384×16384 (268 megapixels), over the 40-megapixel limit (maxPixels). " +
        'Pass a smaller styleScale or size, or a larger maxPixels to allow it.',
    );
    expect(style.grewMB).toBeLessThan(200);
  });
});

describe('a cap on model files (DEFAULT_MAX_MODEL_BYTES)', () => {
  it('refuses a larger file from its size, unread', async () => {
    const path = join(dir, 'huge.onnx');
    // A sparse file: its size without its bytes on disk.
    const file = await open(path, 'w');
    await file.truncate(DEFAULT_MAX_MODEL_BYTES + 1);
    await file.close();
    const { error, grewMB } = await refusal(() => loadStyle(path));
    expect(error.code).toBe('E_MODEL_TOO_LARGE');
    expect(error.message).toMatch(
      new RegExp(
        `^Model file '.*huge\\.onnx' is 1\\.07 GB \\(1073741825 bytes\\), over the 1\\.07 GB limit for model files \\(maxModelBytes, 1073741824 bytes\\)` +
          `: .* or pass a larger maxModelBytes to allow it\\.$`,
      ),
    );
    expect(grewMB).toBeLessThan(200);
    await expect(stylize(rgb(8, 8), { styleImage: rgb(8, 8) }, { lossNetwork: path })).rejects.toMatchObject({ code: 'E_MODEL_TOO_LARGE' });
  });

  it('refuses larger bytes before hashing them', async () => {
    // Zero pages the process never touches: no RSS unless something reads them.
    const bytes = new Uint8Array(DEFAULT_MAX_MODEL_BYTES + 1);
    const { error, grewMB } = await refusal(() => loadStyle(bytes));
    expect(error.code).toBe('E_MODEL_TOO_LARGE');
    expect(error.message).toMatch(/^The model given as bytes is 1\.07 GB/);
    expect(grewMB).toBeLessThan(200);
  });
});

describe('maxModelBytes (load option, env, PASTICHE_MAX_MODEL_BYTES)', () => {
  const candy = builtModel('candy.onnx');

  it('lowers and raises the cap per load, over env, for files, bytes and both methods', async () => {
    const size = (await readFile(candy)).length;
    const low = await refusal(() => loadStyle(candy, { maxModelBytes: size - 1 }));
    expect(low.error.code).toBe('E_MODEL_TOO_LARGE');
    expect(low.error.message).toMatch(new RegExp(`\\(maxModelBytes, ${size - 1} bytes\\)`));
    await expect(loadStyle(await readFile(candy), { maxModelBytes: 1000 })).rejects.toMatchObject({
      code: 'E_MODEL_TOO_LARGE',
      message: expect.stringMatching(/^The model given as bytes is 6\.\d+ MB \(\d+ bytes\), over the 1 kB limit for model files \(maxModelBytes, 1000 bytes\)/),
    });
    await expect(stylize(rgb(8, 8), { styleImage: rgb(8, 8) }, { lossNetwork: builtModel('squeezenet1.1.onnx'), maxModelBytes: 1000 })).rejects.toMatchObject({
      code: 'E_MODEL_TOO_LARGE',
    });
    const { env } = await import('@pastiche/node');
    const before = env.maxModelBytes;
    expect(before).toBe(DEFAULT_MAX_MODEL_BYTES);
    env.maxModelBytes = 1000;
    try {
      await expect(loadStyle(candy)).rejects.toMatchObject({ code: 'E_MODEL_TOO_LARGE' });
      // The option overrides env both ways.
      for (const maxModelBytes of [size, Infinity]) {
        const stylizer = await loadStyle(candy, { maxModelBytes });
        expect((await stylizer.stylize(rgb(8, 8))).width).toBe(8);
        await stylizer.dispose();
      }
    } finally {
      env.maxModelBytes = before;
    }
  });

  it.each([
    [0, RangeError],
    [-1, RangeError],
    [1.5, RangeError],
    [NaN, RangeError],
    ['1000', TypeError],
  ])('refuses maxModelBytes %j with a %o before any work', async (value, type) => {
    await expect(loadStyle('candy', { maxModelBytes: value as number })).rejects.toThrow(
      new type(`Expected positive integer or Infinity for maxModelBytes but received ${typeof value === 'string' ? `"${value}" of type string` : `${value} of type number`}`),
    );
  });

  it('PASTICHE_MAX_MODEL_BYTES sets env.maxModelBytes in a fresh process, and a bad value is a RangeError at import', async () => {
    const { execFileSync } = await import('node:child_process');
    const script = "import('@pastiche/node').then((m) => console.log(String(m.env.maxModelBytes)), (e) => console.log(e.name + ': ' + e.message))";
    const run = (value: string) =>
      execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: REPO_ROOT, env: { ...process.env, PASTICHE_MAX_MODEL_BYTES: value }, encoding: 'utf8' }).trim();
    expect(run('5000')).toBe('5000');
    expect(run('Infinity')).toBe('Infinity');
    expect(run('')).toBe(String(DEFAULT_MAX_MODEL_BYTES));
    expect(run('lots')).toBe('RangeError: Expected a positive integer or Infinity for PASTICHE_MAX_MODEL_BYTES but received "lots"');
  });
});

describe('images smaller than a network takes', () => {
  it.each([
    [1, 1],
    [3, 2000],
    [2000, 3],
    [5, 5],
  ])('candy stylizes a %i×%i image at its size', async (width, height) => {
    const out = await stylize(rgb(width, height), 'candy');
    expect([out.width, out.height]).toEqual([width, height]);
  });

  it("candy stylizes at size: 3", async () => {
    const out = await stylize(landscape, 'candy', { size: 3 });
    expect([out.width, out.height]).toEqual([3, 2]);
  });

  it.each([
    [1, 1, {}, [512, 512]],
    [3, 200, {}, [8, 512]],
    [3, 200, { size: 200 }, [3, 200]],
  ] as const)('the optimisation method stylizes a %i×%i image (%o)', async (width, height, options, size) => {
    const out = await stylize(rgb(width, height), { styleImage: rgb(3, 300) }, { iterations: 2, scales: 2, ...options });
    expect([out.width, out.height]).toEqual(size);
  });
});

describe('tiles', () => {
  it(`defaults to ${DEFAULT_TILE_LIMIT}-pixel tiles, blended as they run to the same bits as blendTiles`, async () => {
    expect(DEFAULT_TILE_LIMIT).toBe(1024);
    const candy = await StyleModel.load(new Uint8Array(await readFile(builtModel('candy.onnx'))), nodePlatform.runtime);
    try {
      const content = rawToPlanar(rgb(150, 110));
      const options = resolveStylizeOptions({ tile: 64, tileOverlap: 12, tileMode: 'fast' });
      const plan = planRun(content.width, content.height, candy, options);
      if (plan.kind !== 'tiles') throw new Error('expected a tiled plan');
      expect(plan.tiles.length).toBeGreaterThan(4);
      // Tiles of 64 (a multiple of 4, over MIN_RUN_SIDE): each runs as it is cut.
      const outputs = [];
      for (const tile of plan.tiles) outputs.push(await candy.run(cropImage(content, tile)));
      const expected = blendTiles(outputs, plan.tiles, content.width, content.height, plan.overlap);
      const actual = await stylizePlanar(candy, content, options);
      expect(Buffer.from(actual.data.buffer).equals(Buffer.from(expected.data.buffer))).toBe(true);
    } finally {
      await candy.dispose();
    }
  });
});
