/**
 * Real-browser test helpers: a static HTTP server with the headers onnxruntime-web's wasm threads need,
 * Debian's Chromium driven by playwright-core, and Vite builds of test pages.
 */
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { chromium, type BrowserContext, type ConsoleMessage, type Page } from 'playwright-core';
import { REPO_ROOT } from './assets.js';
import type { HarnessApi } from './browser-harness-api.js';

export const CHROMIUM = process.env.PASTICHE_CHROMIUM ?? '/usr/bin/chromium';

/** Flags from RECIPES.md: no network chatter on a closed machine, and WebGPU (SwiftShader here). */
export const CHROMIUM_ARGS: readonly string[] = Object.freeze([
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
  '--enable-unsafe-webgpu',
]);

/** Cross-origin isolation, so that SharedArrayBuffer and wasm threads work. */
export const ISOLATION_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
});

const MIME: Readonly<Record<string, string>> = Object.freeze({
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.onnx': 'application/octet-stream',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.webp': 'image/webp',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
});

export interface StaticServer {
  /** `http://127.0.0.1:PORT` without a trailing slash. */
  origin: string;
  /** Requests served so far, as `METHOD /path STATUS`. */
  log: string[];
  close(): Promise<void>;
}

/**
 * Serves folders on 127.0.0.1 at a free port. `mounts` maps URL prefixes (`/`, `/models/`) to folders;
 * the longest matching prefix wins; `/` serves `index.html` for folders. `isolated: false` leaves out the
 * cross-origin isolation headers (a page without wasm threads, as most sites serve).
 */
export async function serveStatic(mounts: Record<string, string>, { isolated = true }: { isolated?: boolean } = {}): Promise<StaticServer> {
  const entries = Object.entries(mounts)
    .map(([prefix, dir]) => [prefix.endsWith('/') ? prefix : `${prefix}/`, resolve(dir)] as const)
    .sort((a, b) => b[0].length - a[0].length);
  const log: string[] = [];

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<number> {
    if (isolated) for (const [name, value] of Object.entries(ISOLATION_HEADERS)) res.setHeader(name, value);
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    const mount = entries.find(([prefix]) => path.startsWith(prefix));
    if (!mount || (req.method !== 'GET' && req.method !== 'HEAD')) return 404;
    let file = normalize(join(mount[1], path.slice(mount[0].length)));
    if (file !== mount[1] && !file.startsWith(mount[1] + sep)) return 403;
    let info = await stat(file).catch(() => undefined);
    if (info?.isDirectory()) {
      file = join(file, 'index.html');
      info = await stat(file).catch(() => undefined);
    }
    if (!info?.isFile()) return 404;
    res.writeHead(200, {
      'Content-Type': MIME[extname(file).toLowerCase()] ?? 'application/octet-stream',
      'Content-Length': String(info.size),
      'Cache-Control': 'no-store',
    });
    if (req.method === 'HEAD') res.end();
    else createReadStream(file).pipe(res);
    return 200;
  }

  const server = createServer((req, res) => {
    handle(req, res).then(
      (status) => {
        log.push(`${req.method} ${req.url} ${status}`);
        if (status !== 200) res.writeHead(status, { 'Content-Type': 'text/plain' }).end(`${status}\n`);
      },
      (error: Error) => {
        log.push(`${req.method} ${req.url} 500`);
        if (!res.headersSent) res.writeHead(500).end(error.message);
        else res.destroy(error);
      },
    );
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('The test server has no port');
  return {
    origin: `http://127.0.0.1:${address.port}`,
    log,
    close: () =>
      new Promise((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}

export interface Browser {
  context: BrowserContext;
  page: Page;
  /** Every console message and page error, as `type: text`. */
  console: string[];
  close(): Promise<void>;
}

/** Debian's Chromium, headless, with a fresh profile that is deleted on close. */
export async function launchChromium(): Promise<Browser> {
  const profile = await mkdtemp(join(tmpdir(), 'pastiche-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [...CHROMIUM_ARGS],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const messages: string[] = [];
  const record = (message: ConsoleMessage) => messages.push(`${message.type()}: ${message.text()}`);
  context.on('console', record);
  page.on('pageerror', (error) => messages.push(`pageerror: ${error.message}`));
  return {
    context,
    page,
    console: messages,
    close: async () => {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

const src = (pkg: string) => join(REPO_ROOT, 'packages', pkg, 'src', 'index.ts');

/** Aliases that make a Vite build use the workspace's sources, so that no `npm run build` is needed. */
export const SOURCE_ALIASES: Readonly<Record<string, string>> = Object.freeze({
  '@pastiche/web': src('web'),
  // Before '@pastiche/core', which would otherwise take them as paths below its index.
  '@pastiche/core/user-api': join(REPO_ROOT, 'packages', 'core', 'src', 'user-api.ts'),
  '@pastiche/core/converters': join(REPO_ROOT, 'packages', 'core', 'src', 'converters', 'index.ts'),
  '@pastiche/core': src('core'),
});

/** Builds the page folder `root` (with its index.html) with Vite into a fresh temporary folder. */
export async function buildPage(root: string): Promise<string> {
  const { build } = await import('vite');
  const outDir = await mkdtemp(join(tmpdir(), 'pastiche-page-'));
  await build({
    root,
    configFile: false,
    logLevel: 'warn',
    resolve: { alias: { ...SOURCE_ALIASES } },
    build: { outDir, emptyOutDir: true, minify: false, reportCompressedSize: false, chunkSizeWarningLimit: 100_000 },
    worker: { format: 'es' },
  });
  return outDir;
}

/** Peak signal-to-noise ratio in dB of two 8-bit images given as same-length channel arrays. */
export function psnr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`PSNR of arrays of length ${a.length} and ${b.length}`);
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += (a[i] - b[i]) ** 2;
  const mse = sum / a.length;
  return mse === 0 ? Infinity : 10 * Math.log10((255 * 255) / mse);
}

/** RGB channels of interleaved RGBA. */
export function rgbaToRgb(rgba: Uint8Array | Uint8ClampedArray): Uint8Array {
  const rgb = new Uint8Array((rgba.length / 4) * 3);
  for (let i = 0, j = 0; i < rgba.length; i += 4, j += 3) {
    rgb[j] = rgba[i];
    rgb[j + 1] = rgba[i + 1];
    rgb[j + 2] = rgba[i + 2];
  }
  return rgb;
}

/** Relative error ‖a − b‖ / ‖b‖ of two float arrays. */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`relative error of arrays of length ${a.length} and ${b.length}`);
  let diff = 0;
  let norm = 0;
  for (let i = 0; i < a.length; i++) {
    diff += (a[i] - b[i]) ** 2;
    norm += b[i] ** 2;
  }
  return Math.sqrt(diff / norm);
}

/** Where test artifacts (screenshots) go: test-output/ (git-ignored). */
export const TEST_OUTPUT = join(REPO_ROOT, 'test-output');

type Async<T> = { [K in keyof T]: T[K] extends (...args: infer A) => infer R ? (...args: A) => Promise<Awaited<R>> : never };

/** Calls `window.harness` of the test page from Node; every method returns what the page's resolves to. */
export function harnessOf(page: Page): Async<HarnessApi> {
  return new Proxy({} as Async<HarnessApi>, {
    get: (_, method: string) => (...args: unknown[]) =>
      page.evaluate(
        ([name, values]) => (globalThis as unknown as { harness: Record<string, (...a: unknown[]) => unknown> }).harness[name](...values),
        [method, args] as const,
      ),
  });
}

/** Waits until the page at the current URL has set `#status` to `ready`. */
export async function waitUntilReady(page: Page, timeout = 60_000): Promise<void> {
  await page.waitForFunction("document.getElementById('status')?.textContent === 'ready'", undefined, { timeout, polling: 250 });
}

/** The harness test page (test/browser/pages) open in Chromium, ready, with what it serves beside it. */
export interface HarnessPage {
  harness: Async<HarnessApi>;
  browser: Browser;
  server: StaticServer;
  /** Closes the browser and the server and deletes the built page. */
  close(): Promise<void>;
}

/** Builds the harness page, serves it at `/` with `mounts` beside it, and opens it until it says ready. */
export async function openHarnessPage(mounts: Record<string, string>): Promise<HarnessPage> {
  const pageDir = await buildPage(join(REPO_ROOT, 'test', 'browser', 'pages'));
  const server = await serveStatic({ '/': pageDir, ...mounts });
  const browser = await launchChromium();
  const close = async () => {
    await browser.close();
    await server.close();
    await rm(pageDir, { recursive: true, force: true });
  };
  try {
    await browser.page.goto(`${server.origin}/`);
    await waitUntilReady(browser.page);
  } catch (error) {
    await close();
    throw error;
  }
  return { harness: harnessOf(browser.page), browser, server, close };
}
