import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { sourceUrl } from '../../scripts/build/model-sources.js';
import { REPO_ROOT, type CatalogEntry } from '../../scripts/catalog.js';
import { asset } from './assets.js';

/**
 * A local stand-in for raw.githubusercontent.com: serves ../shared/assets at the GitHub raw-file paths
 * (/OWNER/REPO/REF/PATH/FILE) of the given catalog entries, so `npm run models --fetch` can be tested offline.
 */
export interface AssetServer {
  /** http://127.0.0.1:PORT, to pass as `--fetch`. */
  base: string;
  /** URL path → asset file; delete an entry to play a missing file (404). */
  routes: Map<string, string>;
  /** Every path requested, in order. */
  requests: string[];
  /** Paths whose bytes the server flips, to play a corrupted download. */
  corrupted: Set<string>;
  /** Paths whose body stops halfway (the connection closes after Content-Length promised more). */
  truncated: Set<string>;
  /** Paths whose body sends its first half and then nothing, without closing. */
  stalled: Set<string>;
  close(): Promise<void>;
}

export async function startAssetServer(entries: readonly CatalogEntry[]): Promise<AssetServer> {
  const routes = new Map<string, string>();
  for (const entry of entries) {
    for (const file of entry.source.files) routes.set(sourceUrl('', entry, file), asset(join(entry.source.assets, file.name)));
  }
  const requests: string[] = [];
  const corrupted = new Set<string>();
  const truncated = new Set<string>();
  const stalled = new Set<string>();
  const open = new Set<import('node:http').ServerResponse>();
  const server = createServer((req, res) => {
    const path = req.url ?? '';
    requests.push(path);
    const file = routes.get(path);
    // CORS, as raw.githubusercontent.com sends it, so that pages on another port may fetch too.
    const cors = { 'access-control-allow-origin': '*' };
    if (!file) return void res.writeHead(404, cors).end();
    const bytes = readFileSync(file);
    if (corrupted.has(path)) bytes[bytes.length >> 1] ^= 0xff;
    res.writeHead(200, { ...cors, 'content-length': bytes.length });
    if (truncated.has(path)) return void res.write(bytes.subarray(0, bytes.length >> 1), () => res.destroy());
    if (stalled.has(path)) {
      open.add(res);
      return void res.write(bytes.subarray(0, bytes.length >> 1));
    }
    res.end(bytes);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const close = () => {
    for (const res of open) res.destroy();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return { base, routes, requests, corrupted, truncated, stalled, close };
}

const run = promisify(execFile);
const TSX = join(REPO_ROOT, 'node_modules', '.bin', 'tsx');

/** `npm run models --fetch BASE --only ONLY --out OUT`, as exit code and output (no local assets, no env base). */
export function buildModelsFrom(base: string, out: string, only: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = { ...process.env, PASTICHE_FETCH_BASE: '', PASTICHE_ASSETS: '' };
  return run(TSX, ['scripts/build-models.ts', '--fetch', base, '--only', only, '--out', out], { cwd: REPO_ROOT, env }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (err: { code: number; stdout: string; stderr: string }) => ({ code: err.code, stdout: err.stdout, stderr: err.stderr }),
  );
}
