/**
 * The packed packages in an app: `npm pack` @pastiche/core and @pastiche/web (after `npm run build`),
 * install the tarballs into a fresh app, bundle it with Vite, serve the bundle and stylize in Chromium.
 * onnxruntime-web's .wasm must reach the bundle with no configuration and no copying.
 */
import { execFile } from 'node:child_process';
import { cp, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { ASSETS_DIR, MODELS_DIR, REPO_ROOT, builtModel } from '../helpers/assets.js';
import { launchChromium, serveStatic, type Browser, type StaticServer } from '../helpers/browser.js';

const run = promisify(execFile);

type RollupOutput = { output: ({ type: 'chunk'; fileName: string; isEntry: boolean; imports: string[]; code: string; modules: Record<string, { renderedLength: number }> } | { type: 'asset' })[] };

/**
 * Pastiche's share of the minified JavaScript an app loads up front: the entry chunk and what it imports
 * statically, each chunk's bytes attributed to its modules by their share of the chunk's code before minifying.
 * Chunks reached only through import() (onnxruntime-web, the optimisation method) are listed as lazy.
 */
function pasticheShare(build: RollupOutput): { pastiche: number; staticBytes: number; lazy: string[] } {
  const chunks = build.output.filter((o) => o.type === 'chunk');
  const byName = new Map(chunks.map((c) => [c.fileName, c]));
  const loaded = new Set<(typeof chunks)[number]>();
  const queue = chunks.filter((c) => c.isEntry);
  while (queue.length) {
    const chunk = queue.pop()!;
    if (loaded.has(chunk)) continue;
    loaded.add(chunk);
    for (const name of chunk.imports) queue.push(byName.get(name)!);
  }
  let pastiche = 0;
  let staticBytes = 0;
  for (const chunk of loaded) {
    const modules = Object.entries(chunk.modules);
    const rendered = modules.reduce((sum, [, m]) => sum + m.renderedLength, 0);
    const ours = modules.filter(([id]) => /[\\/]@pastiche[\\/]/.test(id)).reduce((sum, [, m]) => sum + m.renderedLength, 0);
    pastiche += rendered === 0 ? 0 : (chunk.code.length * ours) / rendered;
    staticBytes += chunk.code.length;
  }
  return { pastiche, staticBytes, lazy: chunks.filter((c) => !loaded.has(c)).map((c) => c.fileName.replace(/^assets\//, '')) };
}
const cleanup: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const step of cleanup.reverse()) await step();
});

/** Newest modification time under a folder. */
async function newest(dir: string): Promise<number> {
  let latest = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) latest = Math.max(latest, (await stat(join(entry.parentPath, entry.name))).mtimeMs);
  }
  return latest;
}

/** The packages' dist folders must hold a build of their current sources. */
async function expectFreshBuild(pkg: string): Promise<void> {
  const dist = join(REPO_ROOT, 'packages', pkg, 'dist', 'index.js');
  const built = await stat(dist).then((s) => s.mtimeMs, () => 0);
  const sources = await newest(join(REPO_ROOT, 'packages', pkg, 'src'));
  if (built < sources) throw new Error(`packages/${pkg}/dist is missing or older than its sources: run \`npm run build\` first (npm test does).`);
}

describe('@pastiche/web from its tarball', () => {
  let server: StaticServer | undefined;
  let browser: Browser | undefined;

  it('installs into a fresh Vite app, bundles its wasm and stylizes in Chromium', async () => {
    builtModel('candy.onnx');
    await expectFreshBuild('core');
    await expectFreshBuild('web');
    const work = await mkdtemp(join(tmpdir(), 'pastiche-packed-'));
    cleanup.push(() => rm(work, { recursive: true, force: true }));

    const npm = (args: string[], cwd: string) => run('npm', args, { cwd, timeout: 240_000, maxBuffer: 16 << 20 });
    const { stdout } = await npm(['pack', '--json', '--pack-destination', work, '-w', 'packages/core', '-w', 'packages/web'], REPO_ROOT);
    const packed = JSON.parse(stdout) as { name: string; filename: string; files: { path: string }[] }[];
    expect(packed.map((p) => p.name).sort()).toEqual(['@pastiche/core', '@pastiche/web']);
    const web = packed.find((p) => p.name === '@pastiche/web')!;
    expect(web.files.map((f) => f.path).sort()).toEqual(['README.md', 'dist/index.d.ts', 'dist/index.js', 'dist/index.js.map', 'package.json']);

    const app = join(work, 'app');
    await cp(join(REPO_ROOT, 'test', 'browser', 'fixtures', 'packed-app'), app, { recursive: true });
    const tarball = (name: string) => `file:../${packed.find((p) => p.name === name)!.filename}`;
    await writeFile(
      join(app, 'package.json'),
      JSON.stringify({
        name: 'packed-app',
        private: true,
        type: 'module',
        dependencies: { '@pastiche/core': tarball('@pastiche/core'), '@pastiche/web': tarball('@pastiche/web') },
      }),
    );
    // From the npm cache that the workspace's own install filled; the registry only for what it lacks.
    await npm(['install', '--prefer-offline', '--ignore-scripts', '--no-audit', '--no-fund', '--no-package-lock'], app);

    const { build } = await import('vite');
    const outDir = join(work, 'dist');
    const output = await build({ root: app, configFile: false, logLevel: 'warn', build: { outDir, emptyOutDir: true, chunkSizeWarningLimit: 100_000 } });
    const share = pasticheShare(output as RollupOutput);
    console.log(
      `fast-only app: ${(share.pastiche / 1000).toFixed(1)} kB of Pastiche in ${(share.staticBytes / 1000).toFixed(1)} kB loaded up front; ` +
        `not loaded: ${share.lazy.join(', ')}`,
    );
    expect(share.pastiche).toBeLessThanOrEqual(60_000);
    expect(share.lazy.some((name) => name.startsWith('optimizer-loading'))).toBe(true);
    const assets = await readdir(join(outDir, 'assets'));
    expect(assets.filter((f) => f.endsWith('.wasm'))).toEqual([expect.stringMatching(/^ort-wasm-simd-threaded\.jsep-[\w-]+\.wasm$/)]);

    server = await serveStatic({ '/': outDir, '/models/': MODELS_DIR, '/images/': join(ASSETS_DIR, 'images', 'content') });
    browser = await launchChromium();
    await browser.page.goto(`${server.origin}/`);
    await browser.page.waitForFunction("document.getElementById('status').textContent !== 'loading'", undefined, {
      polling: 250,
      timeout: 120_000,
    });
    expect(await browser.page.textContent('#status')).toBe('done');
    expect(JSON.parse((await browser.page.getAttribute('#status', 'data-info')) ?? '{}')).toMatchObject({ model: 'candy', device: 'wasm' });
    expect(await browser.page.evaluate("[document.getElementById('result').width, document.getElementById('result').height]")).toEqual([64, 43]);
    expect(server.log.filter((l) => l.includes('.wasm'))).toEqual([expect.stringMatching(/^GET \/assets\/ort-wasm-simd-threaded\.jsep-[\w-]+\.wasm 200$/)]);
  }, 420_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });
});
