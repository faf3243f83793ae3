import sharp from 'sharp';
import { rawToPlanar, type PlanarImage } from '@pastiche/core';

/** Decodes a file to the pipeline's planar float image, optionally resized (exact size, no aspect kept). */
export async function loadPlanar(path: string, size?: { width: number; height: number }): Promise<PlanarImage> {
  let pipeline = sharp(path).removeAlpha();
  if (size) pipeline = pipeline.resize(size.width, size.height, { fit: 'fill' });
  const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true });
  return rawToPlanar({ data: new Uint8Array(data), width: info.width, height: info.height, channels: 3 });
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} != ${b.length}`);
  let max = 0;
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i] - b[i]));
  return max;
}

export function meanAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i] - b[i]);
  return sum / a.length;
}
