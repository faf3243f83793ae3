import { expect } from 'vitest';
import { maxAbsDiff } from './images.js';

/** Runs the CLI with extra flags, writing `<name>.png`, and returns the output's 8-bit pixels. */
export type CliRender = (name: string, ...flags: string[]) => Promise<ArrayLike<number>>;

/**
 * The CLI's tiling flags on one image: 128-pixel tiles with 32 pixels of overlap, `--tile-mode exact`, match the whole
 * image (`--tile 0`) to 8-bit rounding; `--tile-mode fast` (per-tile statistics) is more than 10 levels off.
 */
export async function expectCliTileModes(render: CliRender): Promise<void> {
  const whole = await render('whole', '--tile', '0');
  const exact = await render('exact', '--tile', '128', '--tile-overlap', '32', '--tile-mode', 'exact');
  const fast = await render('fast', '--tile', '128', '--tile-overlap', '32', '--tile-mode', 'fast');
  expect(maxAbsDiff(exact, whole)).toBeLessThanOrEqual(1);
  expect(maxAbsDiff(fast, whole)).toBeGreaterThan(10);
}
