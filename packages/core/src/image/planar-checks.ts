/**
 * Checks of planar images, on top of the argument module (internal: not re-exported by the barrel). Only the
 * public image functions use them; the pipeline calls the unchecked kernels with images it made itself.
 */
import { expectInstance, expectObject, expectPositiveInteger, invalidValue } from '../arguments.js';
import type { PlanarImage } from './image-types.js';

/** Checks shape and storage; the pixel values themselves are not scanned (that would cost a full pass). */
export function expectPlanarImage(name: string, img: unknown): PlanarImage {
  const { data, width, height } = expectObject(name, img, 'PlanarImage');
  expectInstance(`${name}.data`, data, Float32Array);
  expectPositiveInteger(`${name}.width`, width);
  expectPositiveInteger(`${name}.height`, height);
  const length = 3 * (width as number) * (height as number);
  if ((data as Float32Array).length !== length) {
    throw invalidValue(`${name}.data.length`, `3 * width * height = ${length} (${width}x${height})`, (data as Float32Array).length);
  }
  return img as PlanarImage;
}

/** `b` must have the size of `a`. */
export function expectSameSize(nameA: string, a: PlanarImage, nameB: string, b: PlanarImage): void {
  if (a.width !== b.width || a.height !== b.height) {
    throw new RangeError(`Expected the size of ${nameA} (${a.width}x${a.height}) for ${nameB} but received ${b.width}x${b.height}`);
  }
}
