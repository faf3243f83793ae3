import { execFile } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { describe, expect, it, vi } from 'vitest';
import {
  BUILTIN_CATALOG,
  DEFAULT_CONTENT_WEIGHT,
  DEFAULT_GATYS_ITERATIONS,
  DEFAULT_GATYS_SCALES,
  DEFAULT_GATYS_SIZE,
  DEFAULT_LOSS_NETWORK,
  DEFAULT_STYLE_WEIGHT,
  DEFAULT_TILE_LIMIT,
  DEFAULT_TILE_MODE,
  DEFAULT_TILE_OVERLAP,
  DEFAULT_TV_WEIGHT,
  MAX_IMAGE_SIDE,
} from '@pastiche/core';
import * as node from '../../packages/node/src/index.js';
import { FLAGS } from '../../packages/node/src/cli/flags.js';
import { runCli, type CliStreams } from '../../packages/node/src/cli/run-cli.js';
import { REPO_ROOT, contentImage, thirdPartyModel } from '../helpers/assets.js';
import { expectCliTileModes } from '../helpers/cli-tiling.js';

// The CLI run in this process (from source) loads through these spies, so that tests can tell whether it loaded anything.
vi.mock('../../packages/node/src/index.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../packages/node/src/index.js')>();
  return { ...actual, loadStyle: vi.fn(actual.loadStyle), loadStyleOptimizer: vi.fn(actual.loadStyleOptimizer) };
});

const CLI = join(REPO_ROOT, 'packages', 'node', 'dist', 'cli.js');
const NODE_PACKAGE = JSON.parse(readFileSync(join(REPO_ROOT, 'packages', 'node', 'package.json'), 'utf8')) as { version: string; bin: Record<string, string> };
const styleImage = (name: string) => join(contentImage('coffee.png'), '..', '..', 'style', name);

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

/** Runs the CLI from source in this process, with streams that are or are not terminals. */
async function pasticheInProcess(args: string[], { tty = false } = {}): Promise<Run & { ms: number }> {
  const run = { code: -1, stdout: '', stderr: '', ms: 0 };
  const streams: CliStreams = {
    stdout: { isTTY: tty, columns: 100, write: (text: string) => (run.stdout += text) },
    stderr: { isTTY: tty, columns: 100, write: (text: string) => (run.stderr += text) },
  };
  const started = performance.now();
  run.code = await runCli(args, streams);
  run.ms = performance.now() - started;
  return run;
}

const OUTPUT_LINE = /^(.+) → (.+) \((\d+)×(\d+), \d+ ms, cpu\)$/;

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

  it('tiles with --tile, --tile-overlap and --tile-mode: exact to 8-bit rounding of the whole image, fast not', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pastiche-cli-tiles-'));
    const render = async (name: string, ...flags: string[]) => {
      const out = join(dir, `${name}.png`);
      const run = await pasticheInProcess([contentImage('chelsea_448x300.png'), '--style', 'candy', '--size', '256', '-o', out, ...flags]);
      expect(run.code, run.stderr).toBe(0);
      return sharp(out).raw().toBuffer();
    };
    await expectCliTileModes(render);
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
    [['--strength', '3', 'x.png'], 2, "--strength expects a number between 0 and 1, got '3'"],
    [['--device', 'tpu', 'x.png'], 2, "--device expects one of auto, cpu, cuda, webgpu, got 'tpu'"],
    [[], 2, 'no input images given'],
    [['a.png', 'b.png', '-o', 'out.png'], 2, '-o/--output takes a single input'],
    [['x.png', '-o', 'out.bmp'], 2, 'Expected an output file ending in'],
    [['nothing/*.png'], 2, "no files match 'nothing/*.png'"],
    [['--bogus'], 2, "Unknown option '--bogus'"],
    [['x.png', '--style', 'candy', '--style-image', 'y.jpg'], 2, 'use either --style or --style-image'],
    [['x.png', '--style-image', 'y.jpg', '--optimizer', 'sgd'], 2, '--optimizer expects one of lbfgs, adam'],
    [['x.png', '--strength', '0.5', '--style-image', 'x.jpg'], 2, '--strength does not apply to --style-image'],
    [['x.png', '--model-dir', 'no/such/folder'], 2, "--model-dir 'no/such/folder' does not exist"],
    [['x.png', '--max-pixels', '-5'], 2, "--max-pixels expects a positive integer, or 0 or Infinity for no limit, got '-5'"],
    [['x.png', '--max-pixels', 'many'], 2, "--max-pixels expects an integer, got 'many'"],
    [['missing.jpg'], 2, "input 'missing.jpg' does not exist"],
    [['demo'], 2, "input 'demo' is a folder: name its images, e.g. 'demo/*.jpg'"],
    [['demo/landscape.jpg', '--style', 'nope'], 2, "--style expects a built-in name (candy, mosaic,"],
    [['demo/landscape.jpg', '--style', 'no/such/style.onnx'], 2, "--style file 'no/such/style.onnx' does not exist"],
    [['demo/landscape.jpg', '--style-image', 'demo/landscape.jpg', '--loss-net', 'alexnet'], 2, "--loss-net expects a built-in name (squeezenet, vgg19,"],
  ])('rejects %j with exit %i', async (args, code, message) => {
    const run = await pastiche(...args);
    expect(run.code).toBe(code);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toContain(message);
    expect(run.stderr.trim()).toMatch(/^pastiche: .* \(see pastiche --help\)$/);
    expect(run.stdout).toBe('');
  });

  it('refuses a bad optimisation argument before reading an image or loading a model', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pastiche-cli-'));
    const args = [contentImage('coffee.png'), '--style-image', styleImage('starry_night.jpg'), '--iterations', '-1', '--out-dir', dir];
    const run = await pastiche(...args);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe("pastiche: --iterations expects a positive integer, got '-1' (see pastiche --help)\n");
    expect(await readdir(dir)).toEqual([]);
    // The same from source: no loader was called, and the answer took no model-loading time.
    vi.mocked(node.loadStyleOptimizer).mockClear();
    const inProcess = await pasticheInProcess(args);
    expect(inProcess.code).toBe(2);
    expect(inProcess.stderr).toBe(run.stderr);
    expect(node.loadStyleOptimizer).not.toHaveBeenCalled();
    expect(inProcess.ms).toBeLessThan(500);
  });

  it.each([
    [['x.png', '--style-image', 'y.jpg', '--tile', '512'], '--tile does not apply to --style-image'],
    [['x.png', '--style-image', 'y.jpg', '--tile-overlap', '8'], '--tile-overlap does not apply to --style-image'],
    [['x.png', '--style-image', 'y.jpg', '--fixed-size', 'resize'], '--fixed-size does not apply to --style-image'],
    [['x.png', '--style', 'candy', '--iterations', '5'], '--iterations applies only with --style-image'],
    [['x.png', '--loss-net', 'vgg19'], '--loss-net applies only with --style-image'],
    [['x.png', '--style-image', 'y.jpg', '--size', '8'], "--size expects an integer between 16 and 16384, got '8'"],
    [['x.png', '--size', '0'], "--size expects a positive integer, got '0'"],
    [['x.png', '--tile', '10'], "--tile expects an integer ≥ 32 or 0, got '10'"],
    [['x.png', '--tile', 'big'], "--tile expects an integer, got 'big'"],
    [['x.png', '--quality', '101'], "--quality expects an integer between 1 and 100, got '101'"],
    [['x.png', '--style-image', 'y.jpg', '--style-layers', 'conv1,conv1'], "--style-layers expects a layer not listed before, got 'conv1'"],
    [['x.png', '--style-image', 'y.jpg', '--style-scale', '0'], "--style-scale expects a number in (0, 8], got '0'"],
    [['x.png', '--style-image', 'y.jpg', '--seed', '1.5'], "--seed expects an integer between 0 and 4294967295, got '1.5'"],
    [['x.png', '--style-image', 'no/such/style.jpg:0.5'], "--style-image 'no/such/style.jpg' does not exist"],
  ])('refuses %j before any work', async (args, message) => {
    vi.mocked(node.loadStyle).mockClear();
    vi.mocked(node.loadStyleOptimizer).mockClear();
    const run = await pasticheInProcess(args);
    expect(run.code).toBe(2);
    expect(run.stderr.startsWith(`pastiche: ${message}`)).toBe(true);
    expect(run.stderr.endsWith(' (see pastiche --help)\n')).toBe(true);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(node.loadStyle).not.toHaveBeenCalled();
    expect(node.loadStyleOptimizer).not.toHaveBeenCalled();
  });

  it.each([
    [['export-grad', '--size', '64'], '--size is not a flag of export-grad'],
    [['export-grad', 'photo.jpg'], "export-grad takes no inputs, got 'photo.jpg'"],
    [['export-grad', '--pooling', 'min'], "--pooling expects one of max, average, got 'min'"],
    [['export-grad', '--model-dir', 'no/such/folder'], "--model-dir 'no/such/folder' does not exist"],
  ])('refuses export-grad arguments %j', async (args, message) => {
    const run = await pasticheInProcess(args);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(`pastiche: ${message} (see pastiche export-grad --help)\n`);
  });

  it('prints the version of @pastiche/node, built and from source', async () => {
    const run = await pastiche('--version');
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`${NODE_PACKAGE.version}\n`);
    expect(await pasticheInProcess(['--version'])).toMatchObject({ code: 0, stdout: `${NODE_PACKAGE.version}\n` });
  });

  it('is the bin of @pastiche/node and of the repository (npx pastiche), and executable', () => {
    expect(join(REPO_ROOT, 'packages', 'node', NODE_PACKAGE.bin.pastiche)).toBe(CLI);
    const root = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { bin: Record<string, string> };
    expect(join(REPO_ROOT, root.bin.pastiche)).toBe(CLI);
    expect(readFileSync(CLI, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
    if (process.platform !== 'win32') expect(statSync(CLI).mode & 0o111).not.toBe(0);
  });

  it('has help for export-grad with its own flags', async () => {
    const run = await pastiche('export-grad', '--help');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Usage: pastiche export-grad /);
    for (const flag of ['--loss-net', '--content-layers', '--style-layers', '--pooling', '--out-dir', '--json', '--model-dir']) {
      expect(run.stdout).toContain(flag);
    }
    for (const flag of ['--size', '--iterations', '--style ', '--strength']) expect(run.stdout).not.toContain(flag);
  });

  it('derives its help from the flag table and the library defaults', async () => {
    const run = await pasticheInProcess(['--help']);
    expect(run.code).toBe(0);
    for (const flag of FLAGS) expect(run.stdout).toContain(`--${flag.flag}`);
    for (const text of [
      `(default: ${BUILTIN_CATALOG.default})`,
      `at most ${DEFAULT_TILE_LIMIT})`,
      `(default: ${DEFAULT_TILE_MODE})`,
      `(default: ${DEFAULT_TILE_OVERLAP})`,
      `(default: ${DEFAULT_GATYS_ITERATIONS})`,
      `(default: ${DEFAULT_GATYS_SCALES})`,
      `(default ${DEFAULT_GATYS_SIZE})`,
      `(default: ${DEFAULT_CONTENT_WEIGHT})`,
      `(default: ${DEFAULT_STYLE_WEIGHT})`,
      `(default: ${DEFAULT_TV_WEIGHT})`,
      `(default: ${DEFAULT_LOSS_NETWORK})`,
      `1..${MAX_IMAGE_SIDE}`,
      node.NODE_DEVICES.names.join(' | '),
    ]) {
      expect(run.stdout).toContain(text);
    }
  });

  it('prints one line per output when stdout is redirected, and no progress bar', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pastiche-cli-'));
    const run = await pastiche(contentImage('coffee.png'), contentImage('dog.jpg'), '--style', 'candy', '--size', '96', '--out-dir', dir);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    const lines = run.stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines.map((l) => OUTPUT_LINE.exec(l)?.slice(1, 3))).toEqual([
      [contentImage('coffee.png'), join(dir, 'coffee-candy.png')],
      [contentImage('dog.jpg'), join(dir, 'dog-candy.jpg')],
    ]);
  });

  it('draws the bar on a terminal from the run progress and leaves one line per output', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pastiche-cli-'));
    vi.mocked(node.loadStyle).mockClear();
    const inputs = [contentImage('coffee.png'), contentImage('chelsea_448x300.png')];
    const run = await pasticheInProcess([...inputs, '--size', '96', '--tile', '32', '--out-dir', dir], { tty: true });
    expect(run.code).toBe(0);
    expect(node.loadStyle).toHaveBeenCalledTimes(1);
    expect(run.stdout.trim().split('\n').map((l) => OUTPUT_LINE.test(l))).toEqual([true, true]);
    // Tiles of 32 px: several network runs per image, reported as they happen; the bar ends cleared.
    expect(run.stderr).toMatch(/tile \d+\/\d+ /);
    expect(run.stderr).toContain('2/2 ');
    expect(run.stderr.endsWith('\r\x1b[2K')).toBe(true);
    const quiet = await pasticheInProcess([contentImage('coffee.png'), '--size', '64', '--out-dir', dir]);
    expect(quiet).toMatchObject({ code: 0, stderr: '' });
  });

  it('refuses a missing image or an unknown style before any work (exit 2), writing nothing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pastiche-cli-'));
    for (const args of [['missing.jpg', contentImage('coffee.png')], [contentImage('coffee.png'), '--style', 'nope']]) {
      vi.mocked(node.loadStyle).mockClear();
      const run = await pasticheInProcess([...args, '--out-dir', dir]);
      expect(run.code).toBe(2);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
      expect(node.loadStyle).not.toHaveBeenCalled();
    }
    expect(await readdir(dir)).toEqual([]);
  });

  it('keeps a batch going past bad images: one line per failure naming the input, a count, exit 1 at the end', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pastiche-cli-'));
    const png = readFileSync(contentImage('coffee.png'));
    const truncated = join(dir, 'truncated.png');
    const garbage = join(dir, 'garbage.jpg');
    writeFileSync(truncated, png.subarray(0, png.length >> 1));
    writeFileSync(garbage, Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(400, 7)]));
    const out = join(dir, 'out');
    const run = await pastiche(contentImage('coffee.png'), truncated, garbage, contentImage('chelsea.png'), '--size', '32', '--out-dir', out);
    expect(run.code).toBe(1);
    const lines = run.stderr.trim().split('\n');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(new RegExp(`^pastiche: ${truncated}: Could not decode '${truncated}': it is a PNG file cut short \\(truncated\\): it does not end with the IEND chunk `));
    expect(lines[1]).toMatch(new RegExp(`^pastiche: ${garbage}: Could not decode '${garbage}': it is a JPEG file cut short \\(truncated\\)`));
    expect(lines[2]).toBe('pastiche: 2 of 4 images failed');
    expect(run.stdout.trim().split('\n').map((l) => OUTPUT_LINE.exec(l)?.[2])).toEqual([join(out, 'coffee-candy.png'), join(out, 'chelsea-candy.png')]);
    expect((await readdir(out)).sort()).toEqual(['chelsea-candy.png', 'coffee-candy.png']);
  });

  it('takes --max-pixels for every input of the batch: over it each fails with E_IMAGE_TOO_LARGE, 0 lifts the limit', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pastiche-cli-'));
    const limited = await pastiche(contentImage('coffee.png'), '--max-pixels', '1000', '--size', '32', '--out-dir', dir);
    expect(limited.code).toBe(1);
    expect(limited.stderr).toMatch(/^pastiche: .*coffee\.png: The image '.*coffee\.png' is 600×400 \(0\.24 megapixels\), over the 0\.001-megapixel limit \(maxPixels\)\./);
    expect(await readdir(dir)).toEqual([]);
    for (const unlimited of ['0', 'Infinity']) {
      const run = await pastiche(contentImage('coffee.png'), '--max-pixels', unlimited, '--size', '32', '--out-dir', dir, '--json');
      expect(run).toMatchObject({ code: 0, stderr: '' });
    }
    const optimised = await pastiche(contentImage('coffee.png'), '--style-image', styleImage('starry_night.jpg'), '--max-pixels', '1000', '--out-dir', dir);
    expect(optimised.code).toBe(1);
    expect(optimised.stderr).toContain('(maxPixels)');
  });

  it('runs the optimisation method with weighted style images', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pastiche-cli-'));
    const style = styleImage;
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
