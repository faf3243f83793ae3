import { PasticheError } from '@pastiche/core';

/** A 2D canvas of either kind; OffscreenCanvas first, so that the same code runs in a Web Worker. */
export type AnyCanvas = OffscreenCanvas | HTMLCanvasElement;
type Context2D = OffscreenCanvasRenderingContext2D | CanvasRenderingContext2D;

export function createCanvas(width: number, height: number): AnyCanvas {
  if (typeof OffscreenCanvas !== 'undefined') return new OffscreenCanvas(width, height);
  if (typeof document !== 'undefined') {
    const canvas = document.createElement('canvas');
    canvas.width = width;
    canvas.height = height;
    return canvas;
  }
  throw new PasticheError('E_IMAGE_DECODE', 'Neither OffscreenCanvas nor document is available to draw images on.');
}

export function context2d(canvas: AnyCanvas, what: string): Context2D {
  const context = canvas.getContext('2d', { willReadFrequently: true }) as Context2D | null;
  if (!context) throw new PasticheError('E_IMAGE_DECODE', `Could not get a 2D context to read ${what}.`);
  return context;
}
