import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PasticheError, StyleModel, planarToRaw, resolveStylizeOptions, stylizeResolved, type PlanarImage, type StylizeOptions, type StylizeProgress } from '@pastiche/core';
import { dispose, env, loadStyle } from '@pastiche/node';
import { StyleTransferModel, resolveArbitraryOptions, stylizeArbitraryResolved } from '../../packages/core/src/methods/arbitrary/index.js';
import { fileCheckpointSpill } from '../../packages/node/src/checkpoint-spill.js';
import { nodePlatform } from '../../packages/node/src/node-platform.js';
import { REPO_ROOT, assetFloat32, builtModel, contentImage } from '../helpers/assets.js';
import { loadPlanar, maxAbsDiff } from '../helpers/images.js';
import { normalisedNet } from '../tiling/normalised-nets.js';

// Exact tiling's activations in scratch files when they do not fit memoryBudget: the same result as caching them in
// memory, the files gone after every run however it ends, and a typed error when the folder cannot take them.

const loaded: StyleModel[] = [];
let scratch: string;
const initialScratchDir = env.scratchDir;
beforeEach(() => {
  scratch = mkdtempSync(join(tmpdir(), 'pastiche-scratch-test-'));
  env.scratchDir = scratch;
});
afterEach(() => {
  env.scratchDir = initialScratchDir;
  rmSync(scratch, { recursive: true, force: true });
});
afterAll(async () => {
  for (const m of loaded) await m.dispose();
  await dispose();
});

async function load(): Promise<StyleModel> {
  const model = await StyleModel.load(normalisedNet({ normalisation: 'instance-norm' }), nodePlatform.runtime, { sessionOptions: { intraOpNumThreads: 1 } });
  loaded.push(model);
  return model;
}

function image(width: number, height: number): PlanarImage {
  const data = new Float32Array(3 * width * height);
  for (let c = 0; c < 3; c++) {
    for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data[(c * height + y) * width + x] = 127.5 + 100 * Math.sin(0.06 * x + c) * Math.cos(0.05 * y - c);
  }
  return { data, width, height };
}

/** The scratch files that exist now: run folders and the files in them. */
function scratchFiles(): string[] {
  return readdirSync(scratch, { recursive: true }).map(String).sort();
}

// 120×120 in 64-pixel tiles with 8 pixels of overlap (4 on each side of a core edge): the network reaches further than a pass restarted from the image
// may (the margin), and a budget of 1 byte leaves no memory for caching.
const tight: StylizeOptions = { tile: 64, tileOverlap: 8, memoryBudget: 1 };

async function run(model: StyleModel, options: StylizeOptions, spill = true): Promise<PlanarImage> {
  return stylizeResolved(model, image(120, 120), resolveStylizeOptions(options), { spill: spill ? fileCheckpointSpill : undefined });
}

describe('exact tiling spills cached activations to scratch files', () => {
  it('matches the whole-image run where recomputing from the image cannot, and removes its files', async () => {
    const model = await load();
    const whole = await stylizeResolved(model, image(120, 120), resolveStylizeOptions({ tile: false }));
    const seen: string[][] = [];
    const spilled = await run(model, { ...tight, onProgress: (p: StylizeProgress) => p.pass > 1 && seen.push(scratchFiles()) });
    const recomputed = await run(model, tight, false);
    expect(maxAbsDiff(spilled.data, whole.data)).toBeLessThan(2e-3);
    expect(maxAbsDiff(recomputed.data, whole.data)).toBeGreaterThan(2e-3);
    // One run folder holding the cached values while passes ran; nothing after.
    expect(seen.some((files) => files.length >= 2 && files[0].startsWith('pastiche-tiles-') && files.slice(1).every((f) => f.endsWith('.f32')))).toBe(true);
    expect(scratchFiles()).toEqual([]);
  });

  it('keeps activations in memory only when scratchDir is false', async () => {
    const model = await load();
    env.scratchDir = false;
    const seen: string[][] = [];
    const result = await run(model, { ...tight, onProgress: () => seen.push(scratchFiles()) });
    const recomputed = await run(model, tight, false);
    expect(Buffer.from(result.data.buffer).equals(Buffer.from(recomputed.data.buffer))).toBe(true);
    expect(seen.flat()).toEqual([]);
  });

  it('removes its files when the run is aborted mid-way', async () => {
    const model = await load();
    const controller = new AbortController();
    let sawFiles = false;
    const error = await run(model, {
      ...tight,
      signal: controller.signal,
      onProgress: (p) => {
        if (p.pass === 3) {
          sawFiles = scratchFiles().length > 0;
          controller.abort();
        }
      },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PasticheError);
    expect((error as PasticheError).code).toBe('E_ABORTED');
    expect(sawFiles).toBe(true);
    expect(scratchFiles()).toEqual([]);
  });

  it('is E_IO naming the folder when it cannot make its files there', async () => {
    const model = await load();
    const notAFolder = join(scratch, 'a-file');
    writeFileSync(notAFolder, 'not a folder');
    env.scratchDir = notAFolder;
    const error = await run(model, tight).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PasticheError);
    expect((error as PasticheError).code).toBe('E_IO');
    expect((error as Error).message).toContain(notAFolder);
    expect((error as Error).message).toMatch(/PASTICHE_SCRATCH_DIR/);
    expect(scratchFiles()).toEqual(['a-file']);
  });

  it('@pastiche/node spills through its public API', async () => {
    const style = await loadStyle(normalisedNet({ normalisation: 'instance-norm' }));
    try {
      const input = planarToRaw(image(120, 120), 3);
      const whole = await style.stylize(input, { tile: false });
      const seen: string[][] = [];
      const spilled = await style.stylize(input, { ...tight, onProgress: () => seen.push(scratchFiles()) });
      expect(seen.some((files) => files.some((f) => f.endsWith('.f32')))).toBe(true);
      expect(maxAbsDiff(spilled.data, whole.data)).toBeLessThanOrEqual(1);
      expect(scratchFiles()).toEqual([]);
    } finally {
      await style.dispose();
    }
  });

  it("the arbitrary method's transfer network spills the same way, its style vector fed to every pass", async () => {
    const transfer = await StyleTransferModel.load(new Uint8Array(readFileSync(builtModel('magenta-transfer-f16.onnx'))), nodePlatform.runtime);
    try {
      const style = assetFloat32('golden/magenta/bottlenecks/sp256__starry_night.f32');
      const photo = await loadPlanar(contentImage('astronaut.png'));
      const networks = { transfer };
      const whole = await stylizeArbitraryResolved(networks, photo, [style], resolveArbitraryOptions({ tile: false }));
      const seen: string[][] = [];
      const options = resolveArbitraryOptions({ tile: 256, tileOverlap: 32, memoryBudget: 1, onProgress: (p: StylizeProgress) => p.pass > 1 && seen.push(scratchFiles()) });
      const spilled = await stylizeArbitraryResolved(networks, photo, [style], options, fileCheckpointSpill);
      expect(seen.some((files) => files.some((f) => f.endsWith('.f32')))).toBe(true);
      expect(maxAbsDiff(spilled.data, whole.data)).toBeLessThan(1e-2);
      expect(scratchFiles()).toEqual([]);
    } finally {
      await transfer.dispose();
    }
  });

  it('PASTICHE_SCRATCH_DIR sets env.scratchDir in a fresh process: a folder, the temporary folder when unset, off words for none', () => {
    const script = "import('@pastiche/node').then((m) => console.log(JSON.stringify([m.env.scratchDir, m.env.allowRemoteModels])))";
    const run = (scratchDir: string, allowRemote = '') =>
      JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], {
        cwd: REPO_ROOT,
        env: { ...process.env, PASTICHE_SCRATCH_DIR: scratchDir, PASTICHE_ALLOW_REMOTE_MODELS: allowRemote },
        encoding: 'utf8',
      }));
    expect(run('/var/scratch')).toEqual(['/var/scratch', true]);
    expect(run('')).toEqual([tmpdir(), true]);
    // The same words turn either setting off.
    for (const off of ['off', 'OFF', 'none', ' 0 ', 'false', 'no']) expect(run(off, off)).toEqual([false, false]);
  });
});
