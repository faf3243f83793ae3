/**
 * `pastiche models list | pull | path | verify | clear`, run as a user runs the built CLI, against a stand-in for
 * raw.githubusercontent.com (a 127.0.0.1 server over ../shared/assets at the same paths). Every run gets an
 * empty PASTICHE_MODELS (so the repository's models/onnx is not used) and a fresh PASTICHE_CACHE.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BUILTIN_CATALOG, sourceFileUrl, type CatalogEntry } from '@pastiche/core';
import { FLAGS, MODELS_COMMANDS } from '../../packages/node/src/cli/flags.js';
import { runCli, type CliStreams } from '../../packages/node/src/cli/run-cli.js';
import { startAssetServer, type AssetServer } from '../helpers/asset-server.js';
import { REPO_ROOT, contentImage } from '../helpers/assets.js';

const CLI = join(REPO_ROOT, 'packages', 'node', 'dist', 'cli.js');
const ENTRIES = [...BUILTIN_CATALOG.styles, ...BUILTIN_CATALOG.lossNetworks, ...BUILTIN_CATALOG.arbitraryNetworks];
const entry = (name: string): CatalogEntry => ENTRIES.find((e) => e.name === name)!;
const pathsOf = (...names: string[]) => names.flatMap((n) => entry(n).source.files.map((f) => sourceFileUrl('', entry(n), f))).sort();
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

let server: AssetServer;
/** The empty model folder every run gets as PASTICHE_MODELS. */
let noModels: string;
/** This test's cache folder (PASTICHE_CACHE). */
let cache: string;

beforeAll(async () => {
  server = await startAssetServer([entry('candy'), entry('mosaic'), entry('ml5-wave'), entry('squeezenet1.1')]);
  noModels = await mkdtemp(join(tmpdir(), 'pastiche-no-models-'));
  // For the runs in this process (from source); env.ts reads PASTICHE_REMOTE_HOST at import, so those pass --remote-host.
  process.env.PASTICHE_MODELS = noModels;
});

afterAll(() => server.close());

beforeEach(async () => {
  cache = await mkdtemp(join(tmpdir(), 'pastiche-cli-models-'));
  process.env.PASTICHE_CACHE = cache;
  server.requests.length = 0;
  server.corrupted.clear();
});

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the built CLI (`npm test` builds first) as a user would. PASTICHE_REMOTE_HOST is the stand-in, so that no
 * run can reach GitHub.
 */
async function pastiche(args: string[], env: Record<string, string> = {}): Promise<Run> {
  if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first (npm test does).`);
  const childEnv = { ...process.env, PASTICHE_MODELS: noModels, PASTICHE_CACHE: cache, PASTICHE_REMOTE_HOST: server.base, ...env };
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [CLI, 'models', ...args], { cwd: REPO_ROOT, env: childEnv });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

/** Runs the CLI from source in this process, with streams that are or are not terminals. */
async function pasticheInProcess(args: string[], { tty = false, stylize = false } = {}): Promise<Run> {
  const run = { code: -1, stdout: '', stderr: '' };
  const streams: CliStreams = {
    stdout: { isTTY: tty, columns: 120, write: (text: string) => (run.stdout += text) },
    stderr: { isTTY: tty, columns: 120, write: (text: string) => (run.stderr += text) },
  };
  run.code = await runCli(stylize ? args : ['models', ...args], streams);
  return run;
}

interface ListRecord {
  kind: string;
  name: string;
  title: string;
  license: string;
  bytes: number;
  cached: boolean;
  folder: string | null;
}

const jsonLines = <T>(text: string): T[] => text.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as T);

async function list(env?: Record<string, string>): Promise<Map<string, ListRecord>> {
  const run = await pastiche(['list', '--json'], env);
  expect(run).toMatchObject({ code: 0, stderr: '' });
  return new Map(jsonLines<ListRecord>(run.stdout).map((r) => [r.name, r]));
}

const cachedFiles = async () => (existsSync(join(cache, 'models')) ? (await readdir(join(cache, 'models'))).sort() : []);

describe('pastiche models', () => {
  it('lists every catalog entry, and pull flips its cached flag; a second pull makes no request', async () => {
    const before = await list();
    expect([...before.keys()]).toEqual(ENTRIES.map((e) => e.name));
    expect(before.get('candy')).toEqual({
      kind: 'style',
      name: 'candy',
      title: entry('candy').title,
      license: entry('candy').license,
      bytes: entry('candy').onnx.bytes,
      cached: false,
      folder: null,
    });
    expect(before.get('squeezenet1.1')).toMatchObject({ kind: 'loss network', cached: false });
    expect([...before.values()].some((r) => r.cached)).toBe(false);

    const pull = await pastiche(['pull', 'candy', 'squeezenet']);
    expect(pull.stderr).toBe('');
    expect(pull.code).toBe(0);
    const models = join(cache, 'models');
    expect(pull.stdout).toBe(
      `candy  downloaded  6.7 MB  ${join(models, 'candy.onnx')}\n` + `squeezenet1.1  downloaded  5.0 MB  ${join(models, 'squeezenet1.1.onnx')}\n`,
    );
    expect([...server.requests].sort()).toEqual(pathsOf('candy', 'squeezenet1.1'));
    expect(await cachedFiles()).toEqual(['candy.onnx', 'squeezenet1.1.onnx']);
    for (const name of ['candy', 'squeezenet1.1']) {
      expect(sha256(await readFile(join(models, `${name}.onnx`)))).toBe(entry(name).onnx.sha256);
    }

    const after = await list();
    expect(after.get('candy')).toMatchObject({ cached: true, folder: models });
    expect(after.get('squeezenet1.1')).toMatchObject({ cached: true, folder: models });
    expect([...after.values()].filter((r) => r.cached).map((r) => r.name)).toEqual(['candy', 'squeezenet1.1']);
    const text = await pastiche(['list']);
    expect(text.stdout.split('\n')[0]).toMatch(/^KIND +NAME +TITLE +LICENCE +SIZE +ON THIS MACHINE$/);
    expect(text.stdout).toMatch(new RegExp(`^style +candy +Candy +BSD-3-Clause +6\\.7 MB +${models}$`, 'm'));
    expect(text.stdout).toMatch(/^style +mosaic +Mosaic +BSD-3-Clause +6\.7 MB +-$/m);

    const requests = server.requests.length;
    const again = await pastiche(['pull', 'candy', 'squeezenet1.1', '--json']);
    expect(again).toMatchObject({ code: 0, stderr: '' });
    expect(jsonLines(again.stdout)).toEqual([
      { name: 'candy', kind: 'style', status: 'present', bytes: entry('candy').onnx.bytes, path: join(models, 'candy.onnx') },
      { name: 'squeezenet1.1', kind: 'loss network', status: 'present', bytes: entry('squeezenet1.1').onnx.bytes, path: join(models, 'squeezenet1.1.onnx') },
    ]);
    expect(server.requests).toHaveLength(requests);
  });

  it('takes --remote-host over PASTICHE_REMOTE_HOST', async () => {
    const run = await pastiche(['pull', 'candy', '--remote-host', server.base], { PASTICHE_REMOTE_HOST: 'http://127.0.0.1:9' });
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(server.requests).toEqual(pathsOf('candy'));
  });

  it('stylizes with --remote-host, which fetches a missing built-in style on first use', async () => {
    const out = join(cache, 'cat-mosaic.png');
    const run = await pasticheInProcess(['--style', 'mosaic', '--remote-host', server.base, '--size', '32', '-o', out, contentImage('chelsea_448x300.png')], {
      stylize: true,
    });
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(existsSync(out)).toBe(true);
    expect(server.requests).toEqual(pathsOf('mosaic'));
    expect(await cachedFiles()).toEqual(['mosaic.onnx']);
  });

  it('refuses an unknown name with exit 2 before any download', async () => {
    const run = await pastiche(['pull', 'candy', 'no-such-model']);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^pastiche: unknown model 'no-such-model': expected one of candy, .* \(see pastiche models --help\)\n$/);
    expect(server.requests).toEqual([]);
    expect(existsSync(join(cache, 'models'))).toBe(false);
  });

  it('reports a failed model on its own line, pulls the rest and exits 1', async () => {
    const path = pathsOf('mosaic')[0];
    const file = server.routes.get(path)!;
    server.routes.delete(path);
    try {
      const run = await pastiche(['pull', 'mosaic', 'candy']);
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(new RegExp(`^pastiche: mosaic: .*${path.replace(/[.]/g, '\\.')} \\(HTTP 404\\).*\n$`));
      expect(run.stdout).toBe(`candy  downloaded  6.7 MB  ${join(cache, 'models', 'candy.onnx')}\n`);
      expect(await cachedFiles()).toEqual(['candy.onnx']);
    } finally {
      server.routes.set(path, file);
    }
  });

  it('verifies the cache: ok, then altered after the cached file is changed (exit 1)', async () => {
    const none = await pastiche(['verify']);
    expect(none).toMatchObject({ code: 0, stdout: '' });
    expect((await pastiche(['pull', 'candy', 'squeezenet1.1'])).code).toBe(0);
    const candy = join(cache, 'models', 'candy.onnx');
    const squeezenet = join(cache, 'models', 'squeezenet1.1.onnx');
    expect(await pastiche(['verify'])).toEqual({ code: 0, stderr: '', stdout: `candy  ok  ${candy}\nsqueezenet1.1  ok  ${squeezenet}\n` });

    const bytes = await readFile(candy);
    bytes[bytes.length >> 1] ^= 0xff;
    await writeFile(candy, bytes);
    expect(await pastiche(['verify'])).toEqual({ code: 1, stderr: '', stdout: `candy  altered  ${candy}\nsqueezenet1.1  ok  ${squeezenet}\n` });
    const json = await pastiche(['verify', '--json']);
    expect(json.code).toBe(1);
    expect(jsonLines(json.stdout)).toEqual([
      { name: 'candy', kind: 'style', status: 'altered', path: candy, sha256: sha256(bytes), expected: entry('candy').onnx.sha256 },
      { name: 'squeezenet1.1', kind: 'loss network', status: 'ok', path: squeezenet, sha256: entry('squeezenet1.1').onnx.sha256, expected: entry('squeezenet1.1').onnx.sha256 },
    ]);
    // An altered copy does not count: list says so, and the next pull replaces it.
    expect((await list()).get('candy')).toMatchObject({ cached: false, folder: null });
    expect((await pastiche(['pull', 'candy'])).stdout).toContain('candy  downloaded');
    expect((await pastiche(['verify'])).code).toBe(0);
  });

  it('uses a verified copy in a model folder, and clear deletes only files of the cache', async () => {
    expect((await pastiche(['pull', 'candy', 'squeezenet1.1'])).code).toBe(0);
    const models = join(cache, 'models');
    // A model folder holding candy (PASTICHE_MODELS), a model downloaded by URL, and a file that is no model of the catalog.
    const shared = await mkdtemp(join(tmpdir(), 'pastiche-shared-models-'));
    await copyFile(join(models, 'candy.onnx'), join(shared, 'candy.onnx'));
    await mkdir(join(models, 'url'));
    await writeFile(join(models, 'url', '0123456789abcdef-custom.onnx'), 'a model by URL');
    await writeFile(join(models, 'notes.txt'), 'mine');
    const env = { PASTICHE_MODELS: shared };

    expect((await list(env)).get('candy')).toMatchObject({ cached: true, folder: shared });
    const present = await pastiche(['pull', 'candy'], env);
    expect(present.stdout).toBe(`candy  present  6.7 MB  ${join(shared, 'candy.onnx')}\n`);

    const one = await pastiche(['clear', 'candy'], env);
    expect(one).toEqual({ code: 0, stderr: '', stdout: `removed ${join(models, 'candy.onnx')}\n` });
    expect(await cachedFiles()).toEqual(['notes.txt', 'squeezenet1.1.onnx', 'url']);
    expect(await readdir(shared)).toEqual(['candy.onnx']);
    expect((await list(env)).get('candy')).toMatchObject({ cached: true, folder: shared });

    const all = await pastiche(['clear'], env);
    expect(all).toEqual({
      code: 0,
      stderr: '',
      stdout: `removed ${join(models, 'squeezenet1.1.onnx')}\nremoved ${join(models, 'url', '0123456789abcdef-custom.onnx')}\n`,
    });
    expect(await cachedFiles()).toEqual(['notes.txt', 'url']);
    expect(await readdir(shared)).toEqual(['candy.onnx']);
    expect(await pastiche(['clear'], env)).toEqual({ code: 0, stderr: '', stdout: '' });
    expect((await pastiche(['clear', 'nope'])).code).toBe(2);
    expect([...server.requests].sort()).toEqual(pathsOf('candy', 'squeezenet1.1'));
  });

  it('refuses to clear a cache folder that is a model folder', async () => {
    await mkdir(join(cache, 'models'));
    await writeFile(join(cache, 'models', 'candy.onnx'), 'x');
    const run = await pastiche(['clear'], { PASTICHE_MODELS: join(cache, 'models') });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('is also a model folder');
    expect(existsSync(join(cache, 'models', 'candy.onnx'))).toBe(true);
  });

  it('prints the cache folder, and with --json the search path', async () => {
    expect(await pastiche(['path'])).toEqual({ code: 0, stderr: '', stdout: `${cache}\n` });
    const other = await mkdtemp(join(tmpdir(), 'pastiche-other-cache-'));
    expect((await pastiche(['path', '--cache-dir', other])).stdout).toBe(`${other}\n`);
    const json = await pastiche(['path', '--json']);
    expect(JSON.parse(json.stdout)).toEqual({ cache, models: join(cache, 'models'), searchPath: [noModels, join(cache, 'models')] });
  });

  it('draws download progress on a terminal only, and leaves one line per model', async () => {
    const tty = await pasticheInProcess(['pull', 'candy', 'ml5-wave', '--remote-host', server.base], { tty: true });
    expect(tty.code).toBe(0);
    expect(tty.stdout.trim().split('\n').map((l) => l.split('  ').slice(0, 2))).toEqual([
      ['candy', 'downloaded'],
      ['ml5-wave', 'downloaded'],
    ]);
    expect(tty.stderr).toContain('1/2 candy: downloading');
    expect(tty.stderr).toMatch(/2\/2 ml5-wave: downloading \d+\/49 files, /);
    expect(tty.stderr).toContain('100% 2/2 ml5-wave: converting…');
    expect(tty.stderr.endsWith('\r\x1b[2K')).toBe(true);
    expect([...server.requests].sort()).toEqual(pathsOf('candy', 'ml5-wave'));

    const quiet = await pasticheInProcess(['pull', 'candy', 'ml5-wave', '--remote-host', server.base]);
    expect(quiet).toMatchObject({ code: 0, stderr: '' });
  });

  it('has help of its own, and refuses bad arguments with one line and exit 2', async () => {
    const help = await pasticheInProcess(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: pastiche models <command>/);
    for (const command of Object.values(MODELS_COMMANDS)) expect(help.stdout).toContain(`  ${command.synopsis}`);
    // Every flag a command takes is a flag of the table marked for `pastiche models`, and in the help.
    for (const flag of new Set(Object.values(MODELS_COMMANDS).flatMap((c) => c.flags as readonly string[]))) {
      expect(FLAGS.find((f) => f.flag === flag)?.models).toBeTruthy();
      expect(help.stdout).toContain(`--${flag}`);
    }
    expect((await pasticheInProcess(['pull', '--help'])).stdout).toBe(help.stdout);

    for (const [args, message] of [
      [[], 'models expects a command: list, pull, path, verify, clear'],
      [['fetch'], "models expects a command (list, pull, path, verify, clear), got 'fetch'"],
      [['pull'], 'models pull expects model names or --all'],
      [['pull', 'candy', '--all'], 'use either model names or --all, not both'],
      [['list', 'candy'], "models list takes no model names, got 'candy'"],
      [['list', '--all'], '--all is not a flag of models list'],
      [['verify', '--remote-host', 'http://x'], '--remote-host is not a flag of models verify'],
      [['pull', 'candy', '--remote-host', 'raw.githubusercontent.com'], "--remote-host expects an http(s) URL, got 'raw.githubusercontent.com'"],
      [['pull', 'candy', '--model-dir', 'no/such/folder'], "--model-dir 'no/such/folder' does not exist"],
      [['list', '--size', '3'], '--size is not a flag of models list'],
      [['list', '--frobnicate'], "Unknown option '--frobnicate'"],
    ] as const) {
      const run = await pasticheInProcess([...args]);
      expect(run, args.join(' ')).toEqual({ code: 2, stdout: '', stderr: `pastiche: ${message} (see pastiche models --help)\n` });
    }
    // The stylize command refuses the models' own flag.
    const stylize = await runCli(['photo.jpg', '--all'], { stdout: { write: () => true }, stderr: { write: () => true } });
    expect(stylize).toBe(2);
    expect(server.requests).toEqual([]);
  });
});
