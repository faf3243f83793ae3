/**
 * Argument checks shared by the image functions (internal: not re-exported by the barrel).
 * Wrong types throw TypeError, wrong values RangeError; messages quote the parameter like sharp's.
 */
import { describeValue } from '../errors.js';
import type { PlanarImage } from './image-types.js';

export function expectPositiveInteger(value: unknown, name: string): number {
  if (typeof value !== 'number') {
    throw new TypeError(`Expected positive integer for ${name} but received ${describeValue(value)}`);
  }
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`Expected positive integer for ${name} but received ${describeValue(value)}`);
  }
  return value;
}

export function expectNonNegativeInteger(value: unknown, name: string): number {
  if (typeof value !== 'number') {
    throw new TypeError(`Expected non-negative integer for ${name} but received ${describeValue(value)}`);
  }
  if (!Number.isInteger(value) || value < 0) {
    throw new RangeError(`Expected non-negative integer for ${name} but received ${describeValue(value)}`);
  }
  return value;
}

export function expectObject(value: unknown, what: string, name: string): void {
  if (typeof value !== 'object' || value === null) {
    throw new TypeError(`Expected ${what} for ${name} but received ${describeValue(value)}`);
  }
}

/** Checks shape and storage; the pixel values themselves are not scanned (that would cost a full pass). */
export function expectPlanarImage(img: unknown, name: string): PlanarImage {
  expectObject(img, 'PlanarImage', name);
  const { data, width, height } = img as PlanarImage;
  if (!(data instanceof Float32Array)) {
    throw new TypeError(`Expected Float32Array for ${name}.data but received ${describeValue(data)}`);
  }
  expectPositiveInteger(width, `${name}.width`);
  expectPositiveInteger(height, `${name}.height`);
  if (data.length !== 3 * width * height) {
    throw new RangeError(
      `Expected ${name}.data of length 3 * width * height = ${3 * width * height} (${width}x${height}) but received length ${data.length}`,
    );
  }
  return img as PlanarImage;
}

export function expectSameSize(a: PlanarImage, b: PlanarImage, nameA: string, nameB: string): void {
  if (a.width !== b.width || a.height !== b.height) {
    throw new RangeError(
      `Expected ${nameB} of the same size as ${nameA} (${a.width}x${a.height}) but received ${b.width}x${b.height}`,
    );
  }
}
