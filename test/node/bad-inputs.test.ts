/**
 * Every class of bad input to @pastiche/node's public API, what it gets (issue 10 items 4 and 8): only TypeError or
 * RangeError (argument errors, `Expected …`) or a PasticheError with a stable code, the underlying error as `cause`
 * where a decoder or onnxruntime failed. The cases are also the README's table of bad inputs: the last test checks
 * that the table between `<!-- bad-inputs:start -->` and `<!-- bad-inputs:end -->` is the one these cases make
 * (`UPDATE_README=1 npx vitest run test/node/bad-inputs.test.ts` writes it).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PasticheError, clearCachedModels, dispose, exportGradientGraphs, listBuiltInModels, loadStyle, loadStyleOptimizer, stylize } from '@pastiche/node';
import { REPO_ROOT, builtModel, contentImage } from '../helpers/assets.js';
import { craftedPng } from '../helpers/crafted-png.js';
import { croppingModel, nanModel, tinyStyleModel } from '../helpers/tiny-models.js';

const README = join(REPO_ROOT, 'README.md');
const START = '<!-- bad-inputs:start -->';
const END = '<!-- bad-inputs:end -->';

/** What a case gets: an argument error class, an error code, or a result with one warning. */
type Outcome = 'TypeError' | 'RangeError' | `E_${string}` | 'warning PASTICHE_OUTPUT_SIZE';

interface BadInput {
  /** The class of input, for the README. */
  input: string;
  /** The call, as the README shows it. */
  example: string;
  outcome: Outcome;
  /** What the message must say. */
  message: RegExp;
  /** A decoder's or onnxruntime's own error is kept as `cause`. */
  cause?: boolean;
  run: () => Promise<unknown>;
}

let dir: string;
const png = () => readFileSync(contentImage('coffee.png'));
const small = { size: 32 };
const rgb = (width: number, height: number) => ({ data: new Uint8Array(width * height * 3).fill(90), width, height, channels: 3 as const });
const style = { styleImage: rgb(16, 16) };
const quick = { size: 32, scales: 1, iterations: 2 };

const CASES: BadInput[] = [
  // Images.
  { input: 'empty image bytes', example: "stylize(Buffer.alloc(0), 'candy')", outcome: 'E_IMAGE_DECODE', message: /: it is empty\. Expected the bytes of a JPEG, PNG/,
    run: () => stylize(Buffer.alloc(0), 'candy') },
  { input: 'empty path', example: "stylize('', 'candy')", outcome: 'TypeError', message: /^Expected a file path, .* for input but received "" of type string$/,
    run: () => stylize('', 'candy') },
  { input: 'not an image input at all', example: "stylize(42, 'candy')", outcome: 'TypeError', message: /for input but received 42 of type number$/,
    run: () => stylize(42 as never, 'candy') },
  { input: 'a path that does not exist', example: "stylize('missing.jpg', 'candy')", outcome: 'E_IMAGE_DECODE', message: /^Could not decode 'missing\.jpg': there is no such file .* Check the path\.$/, cause: true,
    run: () => stylize('missing.jpg', 'candy') },
  { input: 'bytes of no image format', example: "stylize(Buffer.from('hello'), 'candy')", outcome: 'E_IMAGE_DECODE', message: /its bytes are no image format libvips reads .* Expected a JPEG, PNG/, cause: true,
    run: () => stylize(Buffer.from('hello, world'), 'candy') },
  { input: 'a truncated PNG', example: "stylize(png.subarray(0, png.length / 2), 'candy')", outcome: 'E_IMAGE_DECODE', message: /it is a PNG file cut short \(truncated\): it does not end with the IEND chunk/, cause: true,
    run: () => stylize(png().subarray(0, png().length >> 1), 'candy', small) },
  { input: 'a truncated PNG file', example: "stylize('cut.png', 'candy')", outcome: 'E_IMAGE_DECODE', message: /^Could not decode '.*cut\.png': it is a PNG file cut short \(truncated\)/, cause: true,
    run: () => stylize(join(dir, 'cut.png'), 'candy', small) },
  { input: 'garbage after a JPEG header', example: "stylize(Buffer.from([0xff, 0xd8, 0xff, 0xe0, …]), 'candy')", outcome: 'E_IMAGE_DECODE', message: /it is a JPEG file cut short \(truncated\): it does not end with the end-of-image marker/, cause: true,
    run: () => stylize(Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(400, 7)]), 'candy') },
  { input: 'an image over maxPixels (read from its header)', example: "stylize(png16000x16000, 'candy')", outcome: 'E_IMAGE_TOO_LARGE', message: /is 16000×16000 \(256 megapixels\), over the 40-megapixel limit \(maxPixels\)/,
    run: () => stylize(craftedPng(16000, 16000), 'candy') },
  { input: 'raw pixels whose length does not match', example: "stylize({ data, width: 4, height: 4, channels: 3 }, 'candy')", outcome: 'RangeError', message: /^Expected 48 bytes of pixel data for 4×4×3 but received 10$/,
    run: () => stylize({ data: new Uint8Array(10), width: 4, height: 4, channels: 3 }, 'candy') },
  { input: 'a style image that does not decode', example: "stylize(photo, { styleImage: Buffer.alloc(0) })", outcome: 'E_IMAGE_DECODE', message: /^Could not decode the 0-byte image buffer: it is empty\./,
    run: () => stylize(rgb(16, 16), { styleImage: Buffer.alloc(0) }, quick) },
  // Options.
  { input: 'options that are not an object', example: "stylize(photo, 'candy', null)", outcome: 'TypeError', message: /^Expected an options object for options but received null$/,
    run: () => stylize(rgb(8, 8), 'candy', null as never) },
  { input: 'an unknown option', example: "stylize(photo, 'candy', { sise: 512 })", outcome: 'TypeError', message: /^Expected only .* in options but received 'sise'$/,
    run: () => stylize(rgb(8, 8), 'candy', { sise: 512 } as never) },
  { input: "an option of the other method", example: "stylize(photo, 'candy', { iterations: 5 })", outcome: 'TypeError', message: /^Expected no 'iterations' in options: it is an option of the optimisation method/,
    run: () => stylize(rgb(8, 8), 'candy', { iterations: 5 } as never) },
  { input: 'a run option given to a load', example: "loadStyle('candy', { size: 512 })", outcome: 'TypeError', message: /^Expected no 'size' in loadStyle\(\) options: it is a run option/,
    run: () => loadStyle('candy', { size: 512 } as never) },
  { input: 'a value out of range', example: "stylize(photo, 'candy', { strength: 2 })", outcome: 'RangeError', message: /^Expected number between 0 and 1 for strength but received 2 of type number$/,
    run: () => stylize(rgb(8, 8), 'candy', { strength: 2 }) },
  { input: 'a size too large to allocate', example: "stylize(photo, 'candy', { size: 100000 })", outcome: 'RangeError', message: /^Expected positive integer ≤ 16384 for size but received 100000/,
    run: () => stylize(rgb(8, 8), 'candy', { size: 100000 }) },
  { input: 'a string where an array goes', example: "loadStyle('candy', { executionProviders: 'cpu' })", outcome: 'TypeError', message: /^Expected a non-empty array of execution provider names or \{ name \} objects for executionProviders but received "cpu" of type string$/,
    run: () => loadStyle('candy', { executionProviders: 'cpu' as never }) },
  { input: 'an unknown device', example: "loadStyle('candy', { device: 'tpu' })", outcome: 'RangeError', message: /^Expected one of 'auto', 'cpu', 'cuda', 'webgpu' for device but received "tpu" of type string$/,
    run: () => loadStyle('candy', { device: 'tpu' as never }) },
  { input: "session options onnxruntime refuses", example: "loadStyle('candy', { sessionOptions: { intraOpNumThreads: -5 } })", outcome: 'E_MODEL_LOAD', message: /could not create a session for this model: 'intraOpNumThreads' is invalid/, cause: true,
    run: () => loadStyle(builtModel('candy.onnx'), { sessionOptions: { intraOpNumThreads: -5 } }) },
  // Models.
  { input: 'an empty style name', example: "stylize(photo, '')", outcome: 'RangeError', message: /^Expected a style name, a path or URL of an \.onnx .* for style but received ""/,
    run: () => stylize(rgb(8, 8), '') },
  { input: 'an unknown style name', example: "stylize(photo, 'nope')", outcome: 'E_MODEL_NOT_FOUND', message: /^Unknown style 'nope': expected a built-in style \(candy, /,
    run: () => stylize(rgb(8, 8), 'nope') },
  { input: 'a model file that does not exist', example: "stylize(photo, 'missing.onnx')", outcome: 'E_MODEL_NOT_FOUND', message: /^Could not read model file '.*missing\.onnx'/, cause: true,
    run: () => stylize(rgb(8, 8), 'missing.onnx') },
  { input: 'bytes that are not ONNX', example: 'stylize(photo, new Uint8Array([1, 2, 3, 4, 5]))', outcome: 'E_ONNX_PARSE', message: /^Expected ONNX model bytes: a well-formed ModelProto/, cause: true,
    run: () => stylize(rgb(8, 8), new Uint8Array([1, 2, 3, 4, 5])) },
  { input: 'a truncated ONNX model', example: 'stylize(photo, candy.subarray(0, candy.length / 2))', outcome: 'E_ONNX_PARSE', message: /^Expected ONNX model bytes/,
    run: () => { const candy = readFileSync(builtModel('candy.onnx')); return stylize(rgb(8, 8), candy.subarray(0, candy.length >> 1)); } },
  { input: 'an ONNX model that is no image-to-image network', example: "stylize(photo, 'squeezenet1.1.onnx')", outcome: 'E_MODEL_SIGNATURE', message: /^Model output 'conv1' has 64 channels/,
    run: () => stylize(rgb(8, 8), readFileSync(builtModel('squeezenet1.1.onnx'))) },
  { input: 'a model over maxModelBytes', example: "loadStyle(bytes, { maxModelBytes: 1000 })", outcome: 'E_MODEL_TOO_LARGE', message: /over the 1 kB limit for model files \(maxModelBytes, 1000 bytes\)/,
    run: () => loadStyle(tinyStyleModel(), { maxModelBytes: 1000 }) },
  { input: 'a network that returns NaN or ±Infinity', example: 'stylize(photo, nanModel)', outcome: 'E_NUMERIC', message: /returned 3072 NaN or infinite values \(of 3072\) on cpu for a 32×32 image/,
    run: () => stylize(rgb(8, 8), nanModel(), { tile: false, size: 8 }) },
  { input: 'a network whose output is another size than its input', example: 'stylize(photo, croppingModel, { tile: false })', outcome: 'warning PASTICHE_OUTPUT_SIZE',
    message: /^Style model '.*' \(cpu\) returned a 28×28 image for a 32×32 input; Pastiche resizes its outputs back/,
    run: () => stylize(rgb(8, 8), croppingModel(), { tile: false }) },
  { input: 'a loss network that is not one', example: "stylize(photo, { styleImage }, { lossNetwork: 'candy.onnx' })", outcome: 'E_MODEL_SIGNATURE', message: /^Loss network 'candy' names no default content layers .* pass contentLayers, chosen from: /,
    run: () => stylize(rgb(16, 16), style, { ...quick, lossNetwork: builtModel('candy.onnx') }) },
  { input: 'an optimisation that diverges', example: "stylize(photo, { styleImage }, { optimizer: 'adam', learningRate: 1e6 })", outcome: 'E_NUMERIC', message: /^The optimisation diverged at scale 1 of 1/,
    run: () => stylize(contentImage('coffee.png'), { styleImage: contentImage('chelsea.png') }, { size: 48, scales: 1, iterations: 20, optimizer: 'adam', learningRate: 1e6 }) },
  { input: 'a progress callback that throws', example: "loadStyle('candy', { onLoadProgress() { throw new Error('boom') } })", outcome: 'E_MODEL_LOAD', message: /^The onLoadProgress callback threw on a 'ready' event: boom$/, cause: true,
    run: () => loadStyle('candy', { onLoadProgress() { throw new Error('boom'); } }) },
  // Results and the other functions.
  { input: 'encode options out of range', example: "image.toBuffer('jpeg', { quality: 500 })", outcome: 'RangeError', message: /^Expected integer between 1 and 100 for quality but received 500 of type number$/,
    run: async () => (await stylize(rgb(8, 8), 'candy')).toBuffer('jpeg', { quality: 500 }) },
  { input: 'an output path without an image extension', example: "image.toFile('out')", outcome: 'RangeError', message: /^Expected an output file ending in \.png, /,
    run: async () => (await stylize(rgb(8, 8), 'candy')).toFile(join(dir, 'out')) },
  { input: 'an output folder that does not exist', example: "image.toFile('no/such/folder/out.png')", outcome: 'E_IO', message: /^Could not write '.*no\/such\/folder\/out\.png': ENOENT/, cause: true,
    run: async () => (await stylize(rgb(8, 8), 'candy')).toFile(join(dir, 'no', 'such', 'folder', 'out.png')) },
  { input: 'gradient graphs exported into a file', example: "exportGradientGraphs('photo.jpg')", outcome: 'E_IO', message: /^Could not write the gradient graphs to '.*cut\.png': .* Pass a writable folder\.$/, cause: true,
    run: () => exportGradientGraphs(join(dir, 'cut.png')) },
  { input: 'options null for a model function', example: 'listBuiltInModels(null)', outcome: 'TypeError', message: /^Expected an options object for options but received null$/,
    run: () => listBuiltInModels(null as never) },
  { input: 'a name where a list of names goes', example: "clearCachedModels('candy')", outcome: 'TypeError', message: /^Expected an array of built-in model names for names but received "candy"/,
    run: () => clearCachedModels('candy' as never) },
  // Lifecycle.
  { input: 'an aborted signal', example: "stylize(photo, 'candy', { signal: AbortSignal.abort() })", outcome: 'E_ABORTED', message: /was aborted\.$/,
    run: () => stylize(rgb(8, 8), 'candy', { signal: AbortSignal.abort() }) },
  { input: 'dispose() during a run', example: 'const run = stylizer.stylize(photo); await stylizer.dispose()', outcome: 'E_DISPOSED', message: /^This stylizer of 'candy' was disposed; load the style again\.$/,
    run: async () => { const stylizer = await loadStyle('candy'); const running = stylizer.stylize(png(), small); await stylizer.dispose(); return running; } },
  { input: 'a stylizer used after dispose()', example: 'await stylizer.dispose(); await stylizer.stylize(photo)', outcome: 'E_DISPOSED', message: /^This stylizer of 'candy' was disposed; load the style again\.$/,
    run: async () => { const stylizer = await loadStyle('candy'); await stylizer.dispose(); return stylizer.stylize(rgb(8, 8)); } },
  { input: 'the API disposed during an optimisation', example: "const run = stylize(photo, { styleImage }); await dispose()", outcome: 'E_DISPOSED', message: /^This style optimizer \(squeezenet1\.1\) was disposed; load it again\.$/,
    run: async () => { const optimizer = await loadStyleOptimizer(); const running = optimizer.stylize(contentImage('coffee.png'), { styleImage: contentImage('chelsea.png') }, { size: 128, iterations: 500 }); await new Promise((r) => setTimeout(r, 500)); await dispose(); return running; } },
];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'pastiche-bad-inputs-'));
  await writeFile(join(dir, 'cut.png'), png().subarray(0, png().length >> 1));
});
afterAll(() => dispose());

/** What a case's call did: the error it threw, or the warnings it emitted on success. */
async function outcomeOf(c: BadInput): Promise<{ error?: unknown; warnings: Error[] }> {
  const warnings: Error[] = [];
  const onWarning = (w: Error) => warnings.push(w);
  process.on('warning', onWarning);
  try {
    await c.run();
    // process 'warning' events come on the next tick.
    await new Promise((r) => setImmediate(r));
    return { warnings };
  } catch (error) {
    return { error, warnings };
  } finally {
    process.off('warning', onWarning);
  }
}

describe('bad inputs get a typed error, or one warning', () => {
  it.each(CASES.map((c) => [c.input, c] as const))('%s', async (_name, c) => {
    const { error, warnings } = await outcomeOf(c);
    if (c.outcome.startsWith('warning ')) {
      expect(error).toBeUndefined();
      const code = c.outcome.slice('warning '.length);
      const ours = warnings.filter((w) => (w as { code?: string }).code === code);
      expect(ours).toHaveLength(1);
      expect(ours[0].message).toMatch(c.message);
      // Once per model: a second run warns no more.
      expect((await outcomeOf(c)).warnings.filter((w) => (w as { code?: string }).code === code)).toHaveLength(0);
      return;
    }
    expect(error, `${c.example} did not fail`).toBeInstanceOf(Error);
    const e = error as Error & { code?: string };
    if (c.outcome === 'TypeError' || c.outcome === 'RangeError') {
      expect(e.constructor.name).toBe(c.outcome);
      expect(e).not.toBeInstanceOf(PasticheError);
      expect(e.message).toMatch(/^Expected /);
    } else {
      expect(e, e.stack).toBeInstanceOf(PasticheError);
      expect(e.code).toBe(c.outcome);
    }
    expect(e.message).toMatch(c.message);
    if (c.cause) expect(e.cause, 'the underlying error as cause').toBeInstanceOf(Error);
  });

  it('the README table of bad inputs is the one these cases make', () => {
    const table = [
      '| input | for example | what happens |',
      '|---|---|---|',
      ...CASES.map((c) => `| ${c.input} | \`${c.example.replace(/\|/g, '\\|')}\` | ${describeOutcome(c.outcome)} |`),
    ].join('\n');
    const readme = readFileSync(README, 'utf8');
    const start = readme.indexOf(START);
    const end = readme.indexOf(END);
    expect(start, `README.md has no ${START} … ${END} section`).toBeGreaterThanOrEqual(0);
    const current = readme.slice(start + START.length, end).trim();
    if (process.env.UPDATE_README === '1' && current !== table) {
      writeFileSync(README, `${readme.slice(0, start + START.length)}\n${table}\n${readme.slice(end)}`);
      return;
    }
    expect(current, 'README.md is out of date: run UPDATE_README=1 npx vitest run test/node/bad-inputs.test.ts').toBe(table);
  });
});

function describeOutcome(outcome: Outcome): string {
  if (outcome === 'TypeError' || outcome === 'RangeError') return `\`${outcome}\``;
  if (outcome.startsWith('warning ')) return `a result, and one warning per model (\`${outcome.slice('warning '.length)}\`)`;
  return `\`PasticheError\` \`${outcome}\``;
}
