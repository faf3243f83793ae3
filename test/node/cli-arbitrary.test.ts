/**
 * The arbitrary method on the command line, run as a user runs the built CLI (`npm run build` first):
 * `--style-image … --method arbitrary`, `pastiche predict-style`, `--style-vector`, `pastiche convert`, and the
 * refusals (exit 2, before any work) of flags that do not apply.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { convertTflite } from '@pastiche/core/converters';
import { runCli, type CliStreams } from '../../packages/node/src/cli/run-cli.js';
import { REPO_ROOT, asset, assetFloat32, contentImage } from '../helpers/assets.js';
import { expectCliTileModes } from '../helpers/cli-tiling.js';

const CLI = join(REPO_ROOT, 'packages', 'node', 'dist', 'cli.js');
const MAGENTA = 'weights/arbitrary/magenta-tflite';
const photo = contentImage('chelsea.png');
const wave = asset('images/style/great_wave.jpg');
const scream = asset('images/style/the_scream.jpg');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI as a user would. */
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

/** Runs the CLI from source in this process (for refusals, which load nothing). */
async function inProcess(...args: string[]): Promise<Run> {
  const run = { code: -1, stdout: '', stderr: '' };
  const streams: CliStreams = {
    stdout: { isTTY: false, columns: 100, write: (text: string) => (run.stdout += text) },
    stderr: { isTTY: false, columns: 100, write: (text: string) => (run.stderr += text) },
  };
  run.code = await runCli(args, streams);
  return run;
}

const pixels = async (path: string) => sharp(path).raw().toBuffer({ resolveWithObject: true });

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'pastiche-cli-arbitrary-'));
});

describe('pastiche --method arbitrary, predict-style and --style-vector', () => {
  it('stylizes with a painting in one pass, and with its kept vector to the same pixels', async () => {
    const byImage = join(work, 'by-image.png');
    const run = await pastiche(photo, '--style-image', wave, '--method', 'arbitrary', '--size', '96', '-o', byImage);
    expect(run.stderr.replace(/.*onnxruntime.*\n/g, '')).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/chelsea\.png → .*by-image\.png \(96×64, \d+ ms, cpu\)/);

    const vectorFile = join(work, 'wave.json');
    const predicted = await pastiche('predict-style', wave, '-o', vectorFile);
    expect(predicted.code).toBe(0);
    expect(predicted.stdout).toContain(`→ ${vectorFile} (100 numbers, magenta-predictor)`);
    const vector = JSON.parse(await readFile(vectorFile, 'utf8')) as { predictor: string; values: number[] };
    expect(vector.predictor).toBe('magenta-predictor');
    expect(vector.values).toHaveLength(100);

    const outDir = join(work, 'out');
    const byVector = await pastiche(photo, '--style-vector', vectorFile, '--size', '96', '--json', '-d', outDir);
    expect(byVector.code).toBe(0);
    const record = JSON.parse(byVector.stdout) as { output: string; model: string; width: number };
    expect(record).toMatchObject({ output: join(outDir, 'chelsea-arbitrary-wave.png'), model: 'arbitrary:magenta-transfer-f16', width: 96 });
    const [a, b] = [await pixels(byImage), await pixels(record.output)];
    expect(a.data.equals(b.data)).toBe(true);
  });

  it('prints one vector per painting without -o, and blends vectors by weight', async () => {
    const run = await pastiche('predict-style', wave, scream);
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split('\n').map((line) => JSON.parse(line) as { values: number[] });
    expect(lines).toHaveLength(2);
    await writeFile(join(work, 'a.json'), JSON.stringify(lines[0]));
    // A bare array of numbers is a vector too.
    await writeFile(join(work, 'b.json'), JSON.stringify(lines[1].values));
    const blend = join(work, 'blend.png');
    const blended = await pastiche(photo, '--style-vector', join(work, 'a.json'), '--style-vector', `${join(work, 'b.json')}:0.5`, '--size', '64', '--strength', '0.8', '-o', blend);
    expect(blended.code).toBe(0);
    expect((await sharp(blend).metadata()).width).toBe(64);
  });

  it('refuses what does not apply, before any work (exit 2)', async () => {
    const vectorFile = join(work, 'refusals.json');
    await writeFile(vectorFile, JSON.stringify({ predictor: 'magenta-predictor', values: new Array(100).fill(0.1) }));
    await writeFile(join(work, 'text.json'), 'not json');
    const cases: [string[], string][] = [
      [[photo, '--style-image', wave, '--method', 'arbitrary', '--iterations', '3'], '--iterations does not apply to --method arbitrary'],
      [[photo, '--style-image', wave, '--method', 'arbitrary', '--fixed-size', 'resize'], '--fixed-size does not apply to --method arbitrary'],
      [[photo, '--style-image', wave, '--method', 'arbitrary', '--tile', '10'], "--tile expects an integer ≥ 32 or 0, got '10'"],
      [[photo, '--style-vector', vectorFile, '--tile-mode', 'seamless'], '--tile-mode expects'],
      [[photo, '--style-image', wave, '--transfer-net', 'magenta-transfer-int8'], '--transfer-net applies only with --method arbitrary (or --style-vector)'],
      [[photo, '--style', 'candy', '--predictor', 'magenta-predictor'], '--predictor applies only with --method arbitrary'],
      [[photo, '--method', 'arbitrary'], '--method applies only with --style-image'],
      [[photo, '--style-vector', vectorFile, '--method', 'optimization'], '--style-vector needs --method arbitrary'],
      [[photo, '--style-vector', vectorFile, '--style-image', wave], 'use either --style-image or --style-vector, not both'],
      [[photo, '--style-vector', join(work, 'missing.json')], `--style-vector '${join(work, 'missing.json')}' does not exist`],
      [[photo, '--style-vector', join(work, 'text.json')], `--style-vector '${join(work, 'text.json')}' is not JSON`],
      [[photo, '--style-vector', `${vectorFile}:0`], '--style-vector expects at least one weight above 0'],
      [[photo, '--style-image', wave, '--method', 'arbitrary', '--strength', '2'], '--strength expects a number between 0 and 1'],
      [[photo, '--style-image', wave, '--method', 'arbitrary', '--transfer-net', 'magenta-transfer-int9'], '--transfer-net expects a built-in name (magenta-transfer-f16, magenta-transfer-int8)'],
      [[photo, '--quantized-activations', 'float'], '--quantized-activations is a flag of pastiche convert'],
      [['predict-style', wave, '--strength', '0.5'], '--strength is not a flag of predict-style'],
      [['predict-style', wave, scream, '-o', join(work, 'v.json')], '-o/--output takes a single input but 2 were given'],
      [['predict-style'], 'predict-style expects the images of one or more paintings'],
      [['convert', asset(`${MAGENTA}/style_transfer_f16_384.tflite`)], 'convert expects -o/--output <file.onnx>'],
      [['convert', join(work, 'missing.tflite'), '-o', join(work, 'x.onnx')], 'does not exist'],
      [['convert', asset(`${MAGENTA}/style_transfer_f16_384.tflite`), '-o', join(work, 'x.onnx'), '--size', '3'], '--size is not a flag of convert'],
    ];
    for (const [args, message] of cases) {
      const run = await inProcess(...args);
      expect(run.stderr, args.join(' ')).toContain(message);
      expect(run.code, args.join(' ')).toBe(2);
      expect(run.stdout).toBe('');
    }
  });

  it('tiles with --tile, --tile-overlap and --tile-mode: exact to 8-bit rounding of the whole image, fast not', async () => {
    const vectorFile = join(work, 'starry.json');
    await writeFile(vectorFile, JSON.stringify([...assetFloat32('golden/magenta/bottlenecks/sp256__starry_night.f32')]));
    const render = async (name: string, ...flags: string[]) => {
      const out = join(work, `${name}.png`);
      const run = await inProcess(photo, '--style-vector', vectorFile, '--size', '256', '-o', out, ...flags);
      expect(run.stderr.replace(/.*onnxruntime.*\n/g, ''), flags.join(' ')).toBe('');
      expect(run.code).toBe(0);
      return (await pixels(out)).data;
    };
    await expectCliTileModes(render);
  });

  it('lists the arbitrary-style networks with pastiche models, by kind', async () => {
    const run = await inProcess('models', 'list', '--json');
    expect(run.code).toBe(0);
    const records = run.stdout.trim().split('\n').map((line) => JSON.parse(line) as { kind: string; name: string; license: string });
    expect(records.filter((r) => r.name.startsWith('magenta-')).map((r) => [r.kind, r.name, r.license])).toEqual([
      ['style predictor', 'magenta-predictor', 'Apache-2.0'],
      ['transfer network', 'magenta-transfer-f16', 'Apache-2.0'],
      ['transfer network', 'magenta-transfer-int8', 'Apache-2.0'],
    ]);
  });
});

describe('pastiche convert', () => {
  it('writes the converter’s ONNX model, the same bytes as convertTflite; float activations on request', async () => {
    const input = asset(`${MAGENTA}/style_transfer_quantized_384.tflite`);
    const out = join(work, 'nested', 'int8.onnx');
    const run = await pastiche('convert', input, '-o', out);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/style_transfer_quantized_384\.tflite → .*int8\.onnx \(0\.9 MB, \d+ ms\)/);
    const bytes = new Uint8Array(readFileSync(input));
    expect(Buffer.from(await readFile(out)).equals(Buffer.from(convertTflite(bytes, { file: 'style_transfer_quantized_384.tflite' })))).toBe(true);
    const float = join(work, 'float.onnx');
    expect((await pastiche('convert', input, '-o', float, '--quantized-activations', 'float')).code).toBe(0);
    expect(Buffer.from(await readFile(float)).equals(Buffer.from(await readFile(out)))).toBe(false);
  });

  it('fails typed on a file that is no TFLite model, writing nothing', async () => {
    const out = join(work, 'never.onnx');
    const run = await inProcess('convert', photo, '-o', out);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("is no TensorFlow Lite model (no 'TFL3' file identifier at byte 4)");
    expect(existsSync(out)).toBe(false);
  });
});
