import { defineConfig, type Options } from 'tsup';

const common: Options = {
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  // import.meta.url in the CJS build (used to find onnxruntime-node's binaries and the repository's models).
  shims: true,
};

export default defineConfig([
  {
    ...common,
    name: '@pastiche/core',
    entry: { index: 'packages/core/src/index.ts' },
    outDir: 'packages/core/dist',
    platform: 'neutral',
    tsconfig: 'tsconfig.json',
    external: ['onnxruntime-common', '@bufbuild/protobuf'],
  },
  {
    ...common,
    name: '@pastiche/node',
    entry: { index: 'packages/node/src/index.ts', cli: 'packages/node/src/cli.ts' },
    outDir: 'packages/node/dist',
    platform: 'node',
    external: ['@pastiche/core', 'onnxruntime-node', 'sharp', 'tinyglobby'],
  },
  {
    // Browsers and bundlers only: ESM, and onnxruntime-web left to the app's bundler, which also copies its
    // .wasm files (onnxruntime-web finds them with new URL(..., import.meta.url)).
    name: '@pastiche/web',
    entry: { index: 'packages/web/src/index.ts' },
    outDir: 'packages/web/dist',
    format: ['esm'],
    dts: true,
    sourcemap: true,
    clean: true,
    platform: 'browser',
    target: 'es2022',
    tsconfig: 'packages/web/tsconfig.json',
    external: ['@pastiche/core', 'onnxruntime-web'],
  },
]);
