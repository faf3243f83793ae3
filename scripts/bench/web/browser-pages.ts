import { execFileSync } from 'node:child_process';
import { rm } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { CHROMIUM, buildPage, launchChromium, serveStatic, waitUntilReady, type Browser, type StaticServer } from '../../../test/helpers/browser.js';
import { descendants } from './process-tree.js';
import type { Runner } from './runner.js';

/**
 * Debian's Chromium (playwright-core, as the browser tests drive it) with a benchmark page built by Vite and
 * served twice from 127.0.0.1: cross-origin isolated (COOP/COEP: wasm threads) and not (one thread, as most
 * sites are served). Each contender gets a page of its own, because wasm thread settings are global to a page.
 */
export class BrowserPages {
  private constructor(
    private readonly browser: Browser,
    private readonly servers: { isolated: StaticServer; plain: StaticServer },
    private readonly pageDir: string,
    /** Node processes of ours that are not the browser (their CPU time is not the browser's). */
    private readonly notBrowser: Set<number>,
  ) {}

  /** Builds the page folder `root` (index.html) and serves it at `/` with `mounts` beside it. */
  static async open(root: string, mounts: Record<string, string>): Promise<BrowserPages> {
    const pageDir = await buildPage(root);
    const isolated = await serveStatic({ '/': pageDir, ...mounts });
    const plain = await serveStatic({ '/': pageDir, ...mounts }, { isolated: false });
    const browser = await launchChromium();
    return new BrowserPages(browser, { isolated, plain }, pageDir, new Set());
  }

  /** Processes of ours that are not the browser's, e.g. benchmark workers started before or after. */
  exclude(pid: number): void {
    this.notBrowser.add(pid);
  }

  /** Chromium's processes (browser, renderers, GPU, utilities). */
  pids(): number[] {
    return descendants(process.pid, this.notBrowser);
  }

  /** A fresh page at the isolated or plain origin, once it says ready; `window.bench.setup(config)` → its info. */
  async page<Info>(isolated: boolean, config: unknown): Promise<{ page: Page; info: Info }> {
    const page = await this.browser.context.newPage();
    await page.goto(`${(isolated ? this.servers.isolated : this.servers.plain).origin}/`);
    await waitUntilReady(page);
    const info = (await page.evaluate((c) => (globalThis as unknown as { bench: { setup(c: unknown): Promise<unknown> } }).bench.setup(c), config)) as Info;
    return { page, info };
  }

  /** A runner that calls `window.bench.run(...args)` on `page`. */
  runner(label: string, page: Page, args: readonly unknown[] = []): Runner {
    return {
      label,
      pids: () => this.pids(),
      run: () => page.evaluate((a) => (globalThis as unknown as { bench: { run(...a: unknown[]): Promise<number> } }).bench.run(...a), args),
      peakRssMiB: async () => NaN,
      close: () => page.close(),
    };
  }

  /** Console messages and page errors so far. */
  get console(): readonly string[] {
    return this.browser.console;
  }

  async close(): Promise<void> {
    await this.browser.close();
    await this.servers.isolated.close();
    await this.servers.plain.close();
    await rm(this.pageDir, { recursive: true, force: true });
  }
}

/** `Chromium 156.0.8078.114`, from the binary the benchmark drives. */
export function chromiumVersion(): string {
  try {
    return execFileSync(CHROMIUM, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim().replace(/ built on .*$/, '');
  } catch {
    return 'Chromium (version unknown)';
  }
}
