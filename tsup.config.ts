import { copyFile } from 'node:fs/promises';
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
    // The root entry has everything; the subpaths are the documented advanced parts on their own.
    entry: {
      index: 'packages/core/src/index.ts',
      image: 'packages/core/src/image/index.ts',
      onnx: 'packages/core/src/onnx/index.ts',
      gradient: 'packages/core/src/gradient/index.ts',
      optimizers: 'packages/core/src/optimizers/index.ts',
      optimization: 'packages/core/src/methods/optimization/index.ts',
      catalog: 'packages/core/src/catalog/index.ts',
      'user-api': 'packages/core/src/user-api.ts',
      converters: 'packages/core/src/converters/index.ts',
    },
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
    // Core for browser bundlers: one file per module (no chunks merging modules), so that a bundler keeps only
    // what an app reaches: an app using style networks alone leaves the optimisation method out. The catalog
    // stays JSON, which bundlers import natively.
    name: '@pastiche/core (browser)',
    entry: ['packages/core/src/**/*.ts'],
    outDir: 'packages/core/dist-browser',
    format: ['esm'],
    bundle: false,
    dts: false,
    sourcemap: true,
    clean: true,
    platform: 'browser',
    target: 'es2022',
    tsconfig: 'tsconfig.json',
    async onSuccess() {
      await copyFile('packages/core/src/catalog/catalog.json', 'packages/core/dist-browser/catalog/catalog.json');
    },
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
