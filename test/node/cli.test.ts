import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, contentImage, thirdPartyModel } from '../helpers/assets.js';

const CLI = join(REPO_ROOT, 'packages', 'node', 'dist', 'cli.js');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI (`npm test` builds first) as a user would. */
async function pastiche(...args: string[]): Promise<Run> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first (npm test does).`);
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [CLI, ...args], { cwd: REPO_ROOT });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('pastiche CLI', () => {
  it('stylizes one image to -o', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pastiche-cli-'));
    const out = join(dir, 'new-folder', 'cat.jpg');
    const run = await pastiche(contentImage('chelsea_448x300.png'), '--style', 'candy', '-o', out, '--size', '200');
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('cat.jpg (200×134');
    const meta = await sharp(out).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', 200, 134]);
  });

  it('takes several inputs and globs, and prints JSON lines', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pastiche-cli-'));
    const glob = join(contentImage('coffee.png'), '..', 'c*.png');
    const run = await pastiche(glob, contentImage('dog.jpg'), '--style', thirdPartyModel('mosaic'), '--out-dir', dir, '--size', '160', '--json');
    expect(run.code).toBe(0);
    const records = run.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(records.map((r) => r.input.split('/').pop())).toEqual(['chelsea.png', 'chelsea_448x300.png', 'coffee.png', 'dog.jpg']);
    for (const r of records) {
      expect(Object.keys(r).sort()).toEqual(['device', 'height', 'input', 'model', 'ms', 'output', 'width']);
      expect(r).toMatchObject({ device: 'cpu', model: 'mosaic_nc16_256x256_onnxjs014' });
      expect(Math.max(r.width, r.height)).toBe(160);
      expect((await sharp(r.output).metadata()).width).toBe(r.width);
    }
    expect((await readdir(dir)).sort()).toEqual([
      'chelsea-mosaic_nc16_256x256_onnxjs014.png',
      'chelsea_448x300-mosaic_nc16_256x256_onnxjs014.png',
      'coffee-mosaic_nc16_256x256_onnxjs014.png',
      'dog-mosaic_nc16_256x256_onnxjs014.jpg',
    ]);
  });

  it('lists the built-in styles', async () => {
    const run = await pastiche('--list-styles', '--json');
    expect(run.code).toBe(0);
    const styles = run.stdout.trim().split('\n').map((l) => JSON.parse(l));
    expect(styles.map((s) => s.name)).toEqual(expect.arrayContaining(['candy', 'udnie', 'ml5-wave']));
    expect(styles.every((s) => s.installed)).toBe(true);
  });

  it.each([
    [['--strength', '3', 'x.png'], 2, '--strength expects a number from 0 to 1'],
    [['--device', 'tpu', 'x.png'], 2, '--device expects one of auto, cpu, cuda, webgpu'],
    [[], 2, 'no input images given'],
    [['a.png', 'b.png', '-o', 'out.png'], 2, '-o/--output takes a single input'],
    [['x.png', '-o', 'out.bmp'], 2, 'Expected an output file ending in'],
    [['nothing/*.png'], 2, "no files match 'nothing/*.png'"],
    [['--bogus'], 2, "Unknown option '--bogus'"],
    [['x.png', '--style', 'candy', '--style-image', 'y.jpg'], 2, 'use either --style or --style-image'],
    [['x.png', '--style-image', 'y.jpg', '--optimizer', 'sgd'], 2, '--optimizer expects one of lbfgs, adam'],
  ])('rejects %j with exit %i', async (args, code, message) => {
    const run = await pastiche(...args);
    expect(run.code).toBe(code);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toContain(message);
  });

  it('fails with one line and writes nothing for a missing image or an unknown style', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pastiche-cli-'));
    const missing = await pastiche('missing.jpg', '--out-dir', dir);
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    expect(missing.stderr).toMatch(/^pastiche: missing\.jpg: Could not decode 'missing\.jpg'/);
    const unknown = await pastiche(contentImage('coffee.png'), '--style', 'nope', '--out-dir', dir);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^pastiche: Unknown style 'nope'/);
    expect(await readdir(dir)).toEqual([]);
  });

  it('runs the optimisation method with weighted style images', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pastiche-cli-'));
    const style = (name: string) => join(contentImage('coffee.png'), '..', '..', 'style', name);
    const run = await pastiche(contentImage('coffee.png'), '--style-image', `${style('starry_night.jpg')}:0.7`, '--style-image', `${style('great_wave.jpg')}:0.3`,
      '--size', '64', '--iterations', '3', '--scales', '1', '--seed', '3', '--json', '--out-dir', dir);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const record = JSON.parse(run.stdout);
    expect(record).toMatchObject({ model: 'gatys:squeezenet1.1', width: 64, height: 43 });
    expect(record.output).toMatch(/coffee-gatys-squeezenet\.png$/);
    expect((await sharp(record.output).metadata()).width).toBe(64);
  });

  it('exports gradient graphs that onnxruntime loads and runs at any size', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pastiche-cli-'));
    const run = await pastiche('export-grad', '--loss-net', 'squeezenet', '--style-layers', 'conv1,fire3', '--out-dir', dir, '--json');
    expect(run.code).toBe(0);
    const paths = JSON.parse(run.stdout);
    const ort = await import('onnxruntime-node');
    const features = await ort.InferenceSession.create(paths.features);
    const lossGrad = await ort.InferenceSession.create(paths.lossGrad);
    expect([...lossGrad.inputNames].sort()).toEqual(['image', 'target.content.fire2', 'target.gram.conv1', 'target.gram.fire3', 'weights']);
    for (const [h, w] of [[48, 40], [37, 61]]) {
      const image = new ort.Tensor('float32', new Float32Array(3 * h * w).fill(100), [1, 3, h, w]);
      const targets = await features.run({ image });
      const out = await lossGrad.run({
        image: new ort.Tensor('float32', new Float32Array(3 * h * w).map((_, i) => (i * 7) % 255), [1, 3, h, w]),
        'target.content.fire2': targets['content.fire2'],
        'target.gram.conv1': targets['gram.conv1'],
        'target.gram.fire3': targets['gram.fire3'],
        weights: new ort.Tensor('float32', new Float32Array([1, 1, 1, 1]), [4]),
      });
      expect(out.grad.dims).toEqual([1, 3, h, w]);
      expect(out.loss.data[0]).toBeGreaterThan(0);
    }
  });

  it('refuses to overwrite an input', async () => {
    const run = await pastiche(contentImage('coffee.png'), '-o', contentImage('coffee.png'));
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('would overwrite an input image');
  });
});
