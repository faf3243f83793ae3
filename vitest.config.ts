import { fileURLToPath } from 'node:url';
import { configDefaults, defineConfig } from 'vitest/config';

const src = (pkg: string) => fileURLToPath(new URL(`./packages/${pkg}/src/index.ts`, import.meta.url));

/*
 * Test tiers (`npm run test:<tier>`; `npm test` builds, converts and runs them all). Each file is in exactly one:
 * `unit` is every file the other three do not claim.
 *   unit       no ../shared/assets, no models/onnx, no browser, no network; under a minute
 *   models     reads ../shared/assets and/or the models `npm run models` built (and the built CLI)
 *   browser    Chromium through playwright-core (/usr/bin/chromium), or its SwiftShader Vulkan driver
 *   packaging  `npm pack` the packages, install the tarballs into a fresh app, bundle and run it
 */
const TIERS = {
  models: [
    'test/node/**/*.test.ts',
    'test/importers/**/*.test.ts',
    'test/loss-networks/**/*.test.ts',
    'test/gradient/loss-networks.test.ts',
    'test/core/real-photo.test.ts',
    'test/core/onnx-codec-files.test.ts',
    'test/tiling/**/*.test.ts',
  ],
  // Every file under test/browser but the packaging one (a new browser suite cannot land in `unit`).
  browser: ['test/browser/**/*.test.ts', 'test/gradient/webgpu-browser.test.ts'],
  packaging: ['test/browser/packaging.test.ts'],
};

export default defineConfig({
  resolve: {
    alias: {
      // Before '@pastiche/core', which would otherwise take it as a path below its index.
      '@pastiche/core/user-api': fileURLToPath(new URL('./packages/core/src/user-api.ts', import.meta.url)),
      '@pastiche/core/converters': fileURLToPath(new URL('./packages/core/src/converters/index.ts', import.meta.url)),
      '@pastiche/core': src('core'),
      '@pastiche/node': src('node'),
      '@pastiche/web': src('web'),
    },
  },
  test: {
    // No root `include`: a project that extends the root would add its globs to it (arrays merge).
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: [...configDefaults.exclude, ...Object.values(TIERS).flat()] } },
      { extends: true, test: { name: 'models', include: TIERS.models } },
      { extends: true, test: { name: 'browser', include: TIERS.browser, exclude: [...configDefaults.exclude, ...TIERS.packaging] } },
      { extends: true, test: { name: 'packaging', include: TIERS.packaging } },
    ],
  },
});
