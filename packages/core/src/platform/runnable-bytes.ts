/**
 * A network's bytes as they will run: with the exact speed rewrites unless turned off (imported when a model loads,
 * so that they are not in the code a page loads up front).
 */
export async function runnableBytes(bytes: Uint8Array, graphRewrites: boolean): Promise<Uint8Array> {
  if (!graphRewrites) return bytes;
  const { applySpeedRewrites } = await import('../rewrites/speed-rewrites.js');
  return applySpeedRewrites(bytes).bytes;
}
