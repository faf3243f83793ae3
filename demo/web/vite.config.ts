/**
 * The demo page: `npm run demo:web` serves it on http://127.0.0.1:5173 with the repository's
 * models/onnx at /models/, cross-origin isolated so that onnxruntime-web can use wasm threads.
 */
import { createReadStream, existsSync, statSync } from 'node:fs';
import { join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Connect, type Plugin } from 'vite';

const repo = fileURLToPath(new URL('../..', import.meta.url));
const modelsDir = join(repo, 'models', 'onnx');
const src = (pkg: string) => join(repo, 'packages', pkg, 'src', 'index.ts');

const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

/** Serves models/onnx (catalog.json and the built .onnx files) at /models/. */
const serveModels: Connect.NextHandleFunction = (req, res, next) => {
  const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
  if (!path.startsWith('/models/')) return next();
  const file = normalize(join(modelsDir, path.slice('/models/'.length)));
  if (!file.startsWith(modelsDir + sep) || !existsSync(file) || !statSync(file).isFile()) {
    res.statusCode = 404;
    res.end(`Not found: ${path}. Run \`npm run models\` to build the models.\n`);
    return;
  }
  res.setHeader('Content-Type', file.endsWith('.json') ? 'application/json' : 'application/octet-stream');
  res.setHeader('Content-Length', String(statSync(file).size));
  for (const [name, value] of Object.entries(isolation)) res.setHeader(name, value);
  createReadStream(file).pipe(res);
};

const models: Plugin = {
  name: 'pastiche-models',
  configureServer: (server) => void server.middlewares.use(serveModels),
  configurePreviewServer: (server) => void server.middlewares.use(serveModels),
};

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [models],
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
  // Pre-bundling would move onnxruntime-web away from its .wasm files (it finds them next to itself).
  optimizeDeps: { exclude: ['onnxruntime-web'] },
  server: { host: '127.0.0.1', port: 5173, headers: isolation },
  preview: { host: '127.0.0.1', port: 4173, headers: isolation },
  build: { outDir: join(repo, 'demo-output', 'web'), emptyOutDir: true, chunkSizeWarningLimit: 100_000 },
  worker: { format: 'es' },
});
