import { PasticheError, describeValue, planarToRaw, type PlanarImage, type StylizeInfo } from '@pastiche/core';
import { context2d, createCanvas, type AnyCanvas } from './canvas.js';

const isHtmlCanvas = (canvas: unknown): canvas is HTMLCanvasElement =>
  typeof HTMLCanvasElement !== 'undefined' && canvas instanceof HTMLCanvasElement;
const isOffscreenCanvas = (canvas: unknown): canvas is OffscreenCanvas =>
  typeof OffscreenCanvas !== 'undefined' && canvas instanceof OffscreenCanvas;

/** Opaque RGBA ImageData of a planar RGB image (0..255). */
export function planarToImageData(image: PlanarImage): ImageData {
  const rgba = planarToRaw(image, 4);
  return new ImageData(new Uint8ClampedArray(rgba.data.buffer as ArrayBuffer, rgba.data.byteOffset, rgba.data.length), rgba.width, rgba.height);
}

/** The result of a stylization: opaque RGBA pixels, with canvas and Blob helpers. */
export class StylizedImage {
  /** Opaque RGBA pixels (alpha 255). */
  readonly imageData: ImageData;
  readonly width: number;
  readonly height: number;
  readonly info: Readonly<StylizeInfo>;

  constructor(imageData: ImageData, info: StylizeInfo) {
    this.imageData = imageData;
    this.width = imageData.width;
    this.height = imageData.height;
    this.info = Object.freeze({ ...info });
  }

  /** Resizes `canvas` to the image and draws it there. */
  drawTo(canvas: HTMLCanvasElement | OffscreenCanvas): void {
    if (!isHtmlCanvas(canvas) && !isOffscreenCanvas(canvas)) {
      throw new TypeError(`Expected an HTMLCanvasElement or OffscreenCanvas for canvas but received ${describeValue(canvas)}`);
    }
    canvas.width = this.width;
    canvas.height = this.height;
    const context = canvas.getContext('2d') as OffscreenCanvasRenderingContext2D | CanvasRenderingContext2D | null;
    if (!context) throw new PasticheError('E_IMAGE_ENCODE', 'Could not draw: the canvas already has a non-2D context.');
    context.putImageData(this.imageData, 0, 0);
  }

  /**
   * Encodes the image. Browsers encode `image/png` and `image/jpeg`, most also `image/webp`; a type the
   * browser cannot encode is an error rather than a silent PNG.
   * @param type MIME type. @default 'image/png'
   * @param quality 0..1 for lossy types. @default the browser's
   */
  async toBlob(type = 'image/png', quality?: number): Promise<Blob> {
    if (typeof type !== 'string' || !type.startsWith('image/')) {
      throw new TypeError(`Expected an image MIME type such as 'image/png' for type but received ${describeValue(type)}`);
    }
    if (quality !== undefined && (typeof quality !== 'number' || !(quality >= 0 && quality <= 1))) {
      throw new RangeError(`Expected number between 0 and 1 for quality but received ${describeValue(quality)}`);
    }
    const canvas: AnyCanvas = createCanvas(this.width, this.height);
    context2d(canvas, 'the result').putImageData(this.imageData, 0, 0);
    let blob: Blob | null;
    try {
      blob = isOffscreenCanvas(canvas)
        ? await canvas.convertToBlob({ type, quality })
        : await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, type, quality));
    } catch (cause) {
      throw new PasticheError('E_IMAGE_ENCODE', `Could not encode the image as ${type}: ${(cause as Error).message}`, { cause });
    }
    if (!blob) throw new PasticheError('E_IMAGE_ENCODE', `Could not encode the image as ${type}.`);
    if (blob.type !== type) {
      throw new PasticheError(
        'E_IMAGE_ENCODE',
        `This browser cannot encode ${type} (it produced ${blob.type || 'an untyped Blob'}); use image/png, image/jpeg or image/webp.`,
      );
    }
    return blob;
  }
}
