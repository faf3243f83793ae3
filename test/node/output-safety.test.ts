import { spawn } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, linkSync, lstatSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import * as fsPromises from 'node:fs/promises';
import { chmod, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import sharp from 'sharp';
import { describe, expect, it, vi } from 'vitest';
import { PasticheError } from '@pastiche/core';
import { temporaryFilesInFlight, writeFileAtomic } from '../../packages/node/src/atomic-write.js';
import { planOutputs } from '../../packages/node/src/cli/output-paths.js';
import { runCli } from '../../packages/node/src/cli/run-cli.js';
import { UsageError } from '../../packages/node/src/cli/usage-error.js';
import { StylizedImage } from '../../packages/node/src/stylized-image.js';
import { REPO_ROOT } from '../helpers/assets.js';

// rename passes through to the real one unless a test makes it fail once (a failure after the temporary file is written).
vi.mock('node:fs/promises', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:fs/promises')>();
  return { ...actual, rename: vi.fn(actual.rename) };
});

const IS_ROOT = process.getuid?.() === 0;
const POSIX = process.platform !== 'win32';

const folder = () => mkdtemp(join(tmpdir(), 'pastiche-output-safety-'));
const temporaryFiles = (dir: string) => readdirSync(dir).filter((name) => name.endsWith('.tmp'));

/** A small synthetic image, straight from pixels: no model, no sharp decode. */
function syntheticImage(width = 24, height = 16): StylizedImage {
  const data = new Uint8Array(width * height * 3).map((_, i) => (i * 37) % 256);
  return new StylizedImage(data, width, height, { model: 'x', device: 'cpu', ms: 0 });
}

/** A real PNG on disk (the input the CLI would read). */
async function inputImage(path: string, width = 10): Promise<string> {
  await sharp({ create: { width, height: 8, channels: 3, background: { r: 200, g: 40, b: 90 } } }).png().toFile(path);
  return path;
}

async function expectUsageError(promise: Promise<unknown>, message: string | RegExp): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UsageError);
  expect((error as Error).message).toMatch(message);
}

async function cli(args: string[]) {
  const run = { code: -1, stdout: '', stderr: '' };
  run.code = await runCli(args, {
    stdout: { isTTY: false, columns: 100, write: (text: string) => (run.stdout += text) },
    stderr: { isTTY: false, columns: 100, write: (text: string) => (run.stderr += text) },
  });
  return run;
}

describe('outputs never overwrite an input (planOutputs: files compared, not strings)', () => {
  it('refuses another spelling, a symbolic link and a hard link to the input', async () => {
    const dir = await folder();
    await mkdir(join(dir, 'a'));
    const input = await inputImage(join(dir, 'in.png'));
    const before = readFileSync(input);
    symlinkSync(input, join(dir, 'link.png'));
    symlinkSync('../in.png', join(dir, 'a', 'relative-link.png'));
    linkSync(input, join(dir, 'hard.png'));
    const spellings = [
      `${dir}/a/../in.png`, // join() would tidy these spellings away
      `${dir}//./in.png`,
      relative(process.cwd(), input),
      join(dir, 'link.png'),
      join(dir, 'a', 'relative-link.png'),
      join(dir, 'hard.png'),
    ];
    for (const out of spellings) {
      await expectUsageError(planOutputs([input], 'candy', out, '.'), 'would overwrite an input image');
      // The input named one way, the output another.
      await expectUsageError(planOutputs([out], 'candy', input, '.'), 'would overwrite an input image');
    }
    // A symbolic link to the input's folder, and --out-dir outputs that would land on an input.
    symlinkSync(dir, join(dir, 'a', 'up'));
    await expectUsageError(planOutputs([input], 'candy', join(dir, 'a', 'up', 'in.png'), '.'), 'would overwrite an input image');
    const planned = join(dir, 'in-candy.png');
    await inputImage(planned);
    await expectUsageError(planOutputs([input, join(dir, 'a', 'up', 'in-candy.png')], 'candy', undefined, dir), 'would overwrite an input image');
    expect(readFileSync(input).equals(before)).toBe(true);
  });

  it('refuses two outputs that are one file, and the style images; plans new folders and new files', async () => {
    const dir = await folder();
    const one = await inputImage(join(dir, 'one.png'));
    await mkdir(join(dir, 'sub'));
    const two = await inputImage(join(dir, 'sub', 'one.png'));
    await expectUsageError(planOutputs([one, two], 'candy', undefined, join(dir, 'out')), 'would both write');
    // Two names, one file: existing outputs that are hard links of each other.
    const other = await inputImage(join(dir, 'other.png'));
    await mkdir(join(dir, 'out'));
    await writeFile(join(dir, 'out', 'one-candy.png'), 'old');
    linkSync(join(dir, 'out', 'one-candy.png'), join(dir, 'out', 'other-candy.png'));
    await expectUsageError(planOutputs([one, other], 'candy', undefined, join(dir, 'out')), `inputs '${one}' and '${other}' would both write`);
    const style = await inputImage(join(dir, 'style.png'));
    linkSync(style, join(dir, 'style-hard.png'));
    await expectUsageError(planOutputs([one], 'gatys', join(dir, 'style-hard.png'), '.', [style]), `would overwrite '${style}'`);
    // Fine: a new file in folders that do not exist yet, an existing file that is not an input, a missing other input.
    expect(await planOutputs([one], 'candy', join(dir, 'new', 'deeper', 'x.png'), '.', [join(dir, 'nothing.png')])).toEqual([join(dir, 'new', 'deeper', 'x.png')]);
    expect(await planOutputs([one], 'candy', two, '.')).toEqual([two]);
    expect(await planOutputs([one, other], 'candy', undefined, join(dir, 'new-out'))).toEqual([join(dir, 'new-out', 'one-candy.png'), join(dir, 'new-out', 'other-candy.png')]);
  });

  it('the CLI exits 2 (from source and built) and the input is untouched', async () => {
    const dir = await folder();
    await mkdir(join(dir, 'a'));
    const input = await inputImage(join(dir, 'in.png'));
    const before = readFileSync(input);
    symlinkSync(input, join(dir, 'link.png'));
    linkSync(input, join(dir, 'hard.png'));
    for (const out of [`${dir}/a/../in.png`, join(dir, 'link.png'), join(dir, 'hard.png')]) {
      const run = await cli([input, '--style', 'candy', '-o', out]);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('would overwrite an input image');
      expect(run.stdout).toBe('');
    }
    // The built CLI, as a user runs it (npm test builds it first).
    const built = await new Promise<{ code: number | null; stderr: string }>((done) => {
      const child = spawn(process.execPath, [join(REPO_ROOT, 'packages', 'node', 'dist', 'cli.js'), input, '-o', join(dir, 'hard.png')], { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      child.on('exit', (code) => done({ code, stderr }));
    });
    expect(built).toMatchObject({ code: 2, stderr: expect.stringContaining('would overwrite an input image') });
    expect(readFileSync(input).equals(before)).toBe(true);
  });
});

describe('StylizedImage.toFile keeps what it replaces', () => {
  it.runIf(POSIX)('overwriting an existing 0640 output keeps 0640 (and its owner, where the process may set it)', async () => {
    const dir = await folder();
    const out = join(dir, 'out.png');
    await writeFile(out, 'old');
    await chmod(out, 0o640);
    if (IS_ROOT) chownSync(out, 1234, 2345);
    await syntheticImage().toFile(out);
    const info = statSync(out);
    expect(info.mode & 0o7777).toBe(0o640);
    if (IS_ROOT) expect([info.uid, info.gid]).toEqual([1234, 2345]);
    expect((await sharp(out).metadata()).width).toBe(24);
    expect(temporaryFiles(dir)).toEqual([]);
  });

  it.runIf(POSIX)('a new file gets the usual permissions', async () => {
    const dir = await folder();
    const out = join(dir, 'new.png');
    await syntheticImage().toFile(out);
    const umask = process.umask();
    expect(statSync(out).mode & 0o777).toBe(0o666 & ~umask);
  });

  it.runIf(POSIX)('a symbolic link is written through: its target gets the image, the link stays', async () => {
    const dir = await folder();
    await mkdir(join(dir, 'real'));
    const target = join(dir, 'real', 'target.png');
    await writeFile(target, 'old');
    await chmod(target, 0o600);
    const link = join(dir, 'link.png');
    symlinkSync(join('real', 'target.png'), link);
    const chained = join(dir, 'chained.png');
    symlinkSync('link.png', chained);
    await syntheticImage(30, 20).toFile(chained);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(lstatSync(chained).isSymbolicLink()).toBe(true);
    expect(lstatSync(target).isFile()).toBe(true);
    expect(statSync(target).mode & 0o777).toBe(0o600);
    expect((await sharp(target).metadata()).width).toBe(30);
    // A link that points nowhere yet: the write creates its target.
    const dangling = join(dir, 'dangling.png');
    symlinkSync(join('real', 'later.png'), dangling);
    await syntheticImage(12, 12).toFile(dangling);
    expect(lstatSync(dangling).isSymbolicLink()).toBe(true);
    expect((await sharp(join(dir, 'real', 'later.png')).metadata()).width).toBe(12);
    expect([...temporaryFiles(dir), ...temporaryFiles(join(dir, 'real'))]).toEqual([]);
  });

  it('a 250-byte file name works (the temporary name is short, not derived from it)', async () => {
    const dir = await folder();
    const name = `${'n'.repeat(246)}.png`;
    expect(Buffer.byteLength(name)).toBe(250);
    await syntheticImage().toFile(join(dir, name));
    await syntheticImage(40, 10).toFile(join(dir, name));
    const multibyte = `${'é'.repeat(123)}.png`; // two-byte characters
    expect(Buffer.byteLength(multibyte)).toBe(250);
    await syntheticImage().toFile(join(dir, multibyte));
    expect(readdirSync(dir).sort()).toEqual([multibyte, name].sort());
    expect((await sharp(join(dir, name)).metadata()).width).toBe(40);
  });
});

describe('a failed or interrupted write leaves no temporary file and the old file whole', () => {
  it('a failure after the temporary file is written (rename refused): E_IO, no .tmp, the old file as it was', async () => {
    const dir = await folder();
    const out = join(dir, 'out.png');
    await writeFile(out, 'old');
    vi.mocked(fsPromises.rename).mockRejectedValueOnce(Object.assign(new Error('EROFS: read-only file system, rename'), { code: 'EROFS' }));
    const error = await syntheticImage().toFile(out).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PasticheError);
    expect((error as PasticheError).code).toBe('E_IO');
    expect(readFileSync(out, 'utf8')).toBe('old');
    expect(temporaryFiles(dir)).toEqual([]);
    expect(temporaryFilesInFlight()).toEqual([]);
  });

  it('a folder given as the output: refused, nothing written', async () => {
    const dir = await folder();
    await mkdir(join(dir, 'x.png'));
    await expect(syntheticImage().toFile(join(dir, 'x.png'))).rejects.toMatchObject({ code: 'E_IO' });
    expect(temporaryFiles(dir)).toEqual([]);
  });

  it.runIf(POSIX)('a read-only folder: E_IO, no .tmp, the old file as it was (as an unprivileged user)', async () => {
    const dir = await folder();
    const out = join(dir, 'out.png');
    await writeFile(out, 'old');
    await chmod(dir, 0o555);
    try {
      if (IS_ROOT) {
        // Root ignores permissions: the write runs in a child process as nobody.
        const child = await runWriter(['once', out, '24'], { uid: 65534, gid: 65534 });
        expect(child.code, child.output).toBe(3);
        expect(JSON.parse(child.output.trim().split('\n').pop()!)).toMatchObject({ code: 'E_IO', cause: 'EACCES' });
      } else {
        await expect(syntheticImage().toFile(out)).rejects.toMatchObject({ code: 'E_IO' });
      }
      expect(readFileSync(out, 'utf8')).toBe('old');
      expect(temporaryFiles(dir)).toEqual([]);
    } finally {
      await chmod(dir, 0o755);
    }
  });

  it('writes leave no process listeners behind', async () => {
    const before = ['SIGINT', 'SIGTERM', 'SIGHUP', 'exit'].map((e) => process.listenerCount(e));
    const dir = await folder();
    await Promise.all([1, 2, 3].map((i) => syntheticImage().toFile(join(dir, `${i}.png`))));
    await writeFileAtomic(join(dir, 'bytes.bin'), new Uint8Array([1, 2, 3]));
    expect(['SIGINT', 'SIGTERM', 'SIGHUP', 'exit'].map((e) => process.listenerCount(e))).toEqual(before);
  });

  it.runIf(POSIX).each(['SIGTERM', 'SIGINT'] as const)('%s during a large toFile loop: the process ends by the signal and leaves no .tmp', async (signal) => {
    const dir = await folder();
    const out = join(dir, 'big.png');
    const child = startWriter(['loop', out, '2500']);
    try {
      // Wait until a temporary file is there (the write is in progress), then signal.
      const deadline = Date.now() + 50_000;
      while (temporaryFiles(dir).length === 0) {
        if (child.exited) throw new Error(`the writer ended early: ${child.output}`);
        if (Date.now() > deadline) throw new Error(`no temporary file appeared: ${child.output}`);
        await new Promise((r) => setTimeout(r, 1));
      }
      child.process.kill(signal);
      const { code, signal: endedBy } = await child.done;
      expect({ code, endedBy }, child.output).toEqual({ code: null, endedBy: signal });
    } finally {
      child.process.kill('SIGKILL');
    }
    expect(temporaryFiles(dir)).toEqual([]);
    // Whatever is at the output is a whole image, or nothing.
    if (readdirSync(dir).includes('big.png')) expect((await sharp(out).metadata()).width).toBe(2500);
  });
});

const WRITER = `
const [source, mode, out, side] = process.argv.slice(2);
const { StylizedImage } = await import(source);
const n = Number(side);
const data = new Uint8Array(n * n * 3);
let x = 12345;
for (let i = 0; i < data.length; i++) { x = (x * 1103515245 + 12345) >>> 0; data[i] = x >>> 24; }
const image = new StylizedImage(data, n, n, { model: 'x', device: 'cpu', ms: 0 });
if (mode === 'once') {
  try { await image.toFile(out); } catch (e) { console.log(JSON.stringify({ code: e.code, cause: e.cause?.code })); process.exit(3); }
} else {
  for (;;) await image.toFile(out);
}
`;

function startWriter(args: string[], options: { uid?: number; gid?: number } = {}) {
  // In a folder of its own that any user may read (the read-only test runs it as nobody).
  const scriptDir = mkdtempSync(join(tmpdir(), 'pastiche-writer-'));
  chmodSync(scriptDir, 0o755);
  const script = join(scriptDir, 'writer.mjs');
  writeFileSync(script, WRITER, { mode: 0o644 });
  const source = pathToFileURL(join(REPO_ROOT, 'packages', 'node', 'src', 'stylized-image.ts')).href;
  const child = spawn(process.execPath, ['--import', 'tsx', script, source, ...args], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, TSX_TSCONFIG_PATH: join(REPO_ROOT, 'tsconfig.json') },
    ...options,
  });
  const state = { process: child, output: '', exited: false, done: undefined as unknown as Promise<{ code: number | null; signal: NodeJS.Signals | null }> };
  child.stdout.on('data', (d) => (state.output += d));
  child.stderr.on('data', (d) => (state.output += d));
  state.done = new Promise((resolveDone) =>
    child.on('exit', (code, signal) => {
      state.exited = true;
      void fsPromises.rm(scriptDir, { recursive: true, force: true });
      resolveDone({ code, signal });
    }),
  );
  return state;
}

/** Runs WRITER (plain JS, importing the TypeScript source through tsx) in a child process. */
async function runWriter(args: string[], options: { uid?: number; gid?: number } = {}) {
  const child = startWriter(args, options);
  const { code } = await child.done;
  return { code, output: child.output };
}
