/**
 * The demo page: `npm run demo:web` serves it on http://127.0.0.1:5173, cross-origin isolated so that
 * onnxruntime-web can use wasm threads, with what the repository has built or keeps beside it:
 *
 * - `/models/`: models/onnx (catalog.json and the built .onnx files, `npm run models`);
 * - `/demo-assets/index.json`: the sample paintings and photos of ../shared/assets/images (or PASTICHE_ASSETS), each
 *   at `/demo-assets/images/<kind>/<file>` and as a small JPEG at `/demo-assets/thumbs/<kind>/<file>`; an empty list
 *   where that folder is missing. These files are served, never copied into the repository or a build;
 * - `/demo-assets/networks/<style>.jpg`: what a built-in style network makes of demo/landscape.jpg, rendered on
 *   first request with @pastiche/node (its sources in `vite dev`, its build in `vite preview`) and kept in
 *   demo-output/thumbnails (git-ignored), so that the gallery shows each network without the page downloading it.
 */
import { createReadStream, existsSync, readdirSync, statSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Connect, type Plugin, type ViteDevServer } from 'vite';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const modelsDir = join(repo, 'models', 'onnx');
const assetsDir = resolve(process.env.PASTICHE_ASSETS ?? join(repo, '..', 'shared', 'assets'));
const thumbnailDir = join(repo, 'demo-output', 'thumbnails');
const samplePhoto = join(repo, 'demo', 'landscape.jpg');
const src = (pkg: string) => join(repo, 'packages', pkg, 'src', 'index.ts');

/** Longest side of a gallery thumbnail, in pixels. */
const THUMB_SIZE = 160;
const IMAGE_KINDS = { paintings: 'style', photos: 'content' } as const;
const IMAGE_TYPES: Readonly<Record<string, string>> = { '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.png': 'image/png', '.webp': 'image/webp' };

const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

type Response = Parameters<Connect.NextHandleFunction>[1];

function send(res: Response, type: string, body: Buffer | string): void {
  res.setHeader('Content-Type', type);
  res.setHeader('Content-Length', String(Buffer.byteLength(body)));
  for (const [name, value] of Object.entries(isolation)) res.setHeader(name, value);
  res.end(body);
}

function notFound(res: Response, message: string): void {
  res.statusCode = 404;
  res.end(`${message}\n`);
}

/** A file below `dir` named by the rest of a URL path, or undefined when it escapes `dir` or is not a file. */
function fileBelow(dir: string, rest: string): string | undefined {
  const file = normalize(join(dir, rest));
  return file.startsWith(dir + sep) && existsSync(file) && statSync(file).isFile() ? file : undefined;
}

/** Serves models/onnx (catalog.json and the built .onnx files) at /models/. */
const serveModels: Connect.NextHandleFunction = (req, res, next) => {
  const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
  if (!path.startsWith('/models/')) return next();
  const file = fileBelow(modelsDir, path.slice('/models/'.length));
  if (!file) return notFound(res, `Not found: ${path}. Run \`npm run models\` to build the models.`);
  res.setHeader('Content-Type', file.endsWith('.json') ? 'application/json' : 'application/octet-stream');
  res.setHeader('Content-Length', String(statSync(file).size));
  for (const [name, value] of Object.entries(isolation)) res.setHeader(name, value);
  createReadStream(file).pipe(res);
};

/** The sample images of one kind (`style` or `content`), sorted by name. */
function sampleImages(kind: string): { name: string; url: string; thumb: string }[] {
  const dir = join(assetsDir, 'images', kind);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((file) => IMAGE_TYPES[extname(file).toLowerCase()])
    .sort()
    .map((file) => ({
      name: file.replace(/\.[^.]+$/, ''),
      url: `/demo-assets/images/${kind}/${encodeURIComponent(file)}`,
      thumb: `/demo-assets/thumbs/${kind}/${encodeURIComponent(file)}`,
    }));
}

type NodePastiche = typeof import('@pastiche/node');

/**
 * The gallery's images. `loadNode` gives @pastiche/node, which renders the style networks' thumbnails one at a
 * time (each loaded, run at THUMB_SIZE on the sample photo and disposed), each once per model checksum.
 */
function demoAssets(loadNode: () => Promise<NodePastiche>): Connect.NextHandleFunction {
  const smallImages = new Map<string, Promise<Buffer>>();
  const networks = new Map<string, Promise<Buffer>>();
  let queue: Promise<unknown> = Promise.resolve();

  async function renderNetwork(name: string): Promise<Buffer> {
    const catalog = JSON.parse(await readFile(join(modelsDir, 'catalog.json'), 'utf8')) as {
      styles: { name: string; onnx?: { sha256?: string } }[];
    };
    const entry = catalog.styles.find((style) => style.name === name);
    if (!entry) throw new Error(`'${name}' is not a built-in style network`);
    const kept = join(thumbnailDir, `${name}-${(entry.onnx?.sha256 ?? 'unknown').slice(0, 12)}.jpg`);
    if (existsSync(kept)) return readFile(kept);
    const { loadStyle } = await loadNode();
    // onnxruntime's warnings about initializers the graph rewrites leave unused are no news here.
    const stylizer = await loadStyle(name, { sessionOptions: { logSeverityLevel: 3 } });
    try {
      const image = await stylizer.stylize(samplePhoto, { size: THUMB_SIZE });
      const jpeg = await image.toBuffer('jpeg');
      await mkdir(thumbnailDir, { recursive: true });
      await writeFile(`${kept}.tmp`, jpeg);
      await rename(`${kept}.tmp`, kept);
      return jpeg;
    } finally {
      await stylizer.dispose();
    }
  }

  async function resize(file: string): Promise<Buffer> {
    const { default: sharp } = await import('sharp');
    return sharp(file).resize(THUMB_SIZE, THUMB_SIZE, { fit: 'inside', withoutEnlargement: true }).jpeg({ quality: 85 }).toBuffer();
  }

  function once(cache: Map<string, Promise<Buffer>>, key: string, make: () => Promise<Buffer>): Promise<Buffer> {
    let made = cache.get(key);
    if (!made) {
      made = make();
      cache.set(key, made);
      made.catch(() => cache.delete(key));
    }
    return made;
  }

  return (req, res, next) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    if (!path.startsWith('/demo-assets/')) return next();
    const rest = path.slice('/demo-assets/'.length);
    if (rest === 'index.json') {
      const index = Object.fromEntries(Object.entries(IMAGE_KINDS).map(([key, kind]) => [key, sampleImages(kind)]));
      return send(res, 'application/json', JSON.stringify(index));
    }
    const [section, ...parts] = rest.split('/');
    const fail = (error: Error) => {
      res.statusCode = 500;
      res.end(`${error.message}\n`);
    };
    if (section === 'networks' && parts.length === 1 && parts[0].endsWith('.jpg')) {
      const name = parts[0].slice(0, -'.jpg'.length);
      // One rendering at a time: each loads a model and runs it.
      const rendered = once(networks, name, () => {
        const next = queue.then(() => renderNetwork(name));
        queue = next.catch(() => undefined);
        return next;
      });
      rendered.then((jpeg) => send(res, 'image/jpeg', jpeg), fail);
      return;
    }
    if ((section === 'images' || section === 'thumbs') && Object.values<string>(IMAGE_KINDS).includes(parts[0])) {
      const file = fileBelow(join(assetsDir, 'images', parts[0]), parts.slice(1).join('/'));
      const type = file && IMAGE_TYPES[extname(file).toLowerCase()];
      if (!file || !type) return notFound(res, `Not found: ${path}`);
      if (section === 'thumbs') {
        once(smallImages, file, () => resize(file)).then((jpeg) => send(res, 'image/jpeg', jpeg), fail);
        return;
      }
      res.setHeader('Content-Type', type);
      res.setHeader('Content-Length', String(statSync(file).size));
      for (const [name, value] of Object.entries(isolation)) res.setHeader(name, value);
      createReadStream(file).pipe(res);
      return;
    }
    notFound(res, `Not found: ${path}`);
  };
}

/** @pastiche/node from the workspace's sources in `vite dev` (no build needed), from its build in `vite preview`. */
function nodeFrom(server?: ViteDevServer): () => Promise<NodePastiche> {
  let loaded: Promise<NodePastiche> | undefined;
  return () => (loaded ??= server ? (server.ssrLoadModule(src('node')) as Promise<NodePastiche>) : import('@pastiche/node'));
}

const demo: Plugin = {
  name: 'pastiche-demo',
  configureServer(server) {
    const node = nodeFrom(server);
    server.middlewares.use(serveModels);
    server.middlewares.use(demoAssets(node));
    // What the thumbnails loaded goes with the server.
    server.httpServer?.once('close', () => void node().then(({ dispose }) => dispose(), () => undefined));
  },
  configurePreviewServer(server) {
    server.middlewares.use(serveModels);
    server.middlewares.use(demoAssets(nodeFrom()));
  },
};

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  // Its own pre-bundled dependencies: in the shared node_modules/.vite, another Vite server of this repository
  // (tests, benchmarks) would replace them while this one serves, and the page would reload.
  cacheDir: join(repo, 'node_modules', '.vite', 'demo-web'),
  plugins: [demo],
  // The workspace's sources, so that the demo needs no `npm run build`.
  resolve: {
    // The subpaths before '@pastiche/core', which would otherwise take them as paths below its index.
    alias: {
      '@pastiche/web': src('web'),
      '@pastiche/core/user-api': join(repo, 'packages', 'core', 'src', 'user-api.ts'),
      '@pastiche/core/converters': join(repo, 'packages', 'core', 'src', 'converters', 'index.ts'),
      '@pastiche/core': src('core'),
    },
  },
  // No pre-bundling: the page's dependencies are ES modules (onnxruntime-web must stay beside its .wasm files anyway),
  // and a dependency discovered late (in code imported on first use) would make Vite bundle again and reload the
  // page under the user.
  optimizeDeps: { noDiscovery: true, include: [] },
  server: { host: '127.0.0.1', port: 5173, headers: isolation },
  preview: { host: '127.0.0.1', port: 4173, headers: isolation },
  build: { outDir: join(repo, 'demo-output', 'web'), emptyOutDir: true, chunkSizeWarningLimit: 100_000 },
  worker: { format: 'es' },
});
