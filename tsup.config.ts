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
]);
