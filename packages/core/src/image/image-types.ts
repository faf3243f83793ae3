/** Interleaved 8-bit pixels in row-major order, as decoders and canvases hand them out. */
export interface RawImage {
  data: Uint8Array | Uint8ClampedArray;
  width: number;
  height: number;
  /** 1 = grey, 2 = grey + alpha, 3 = RGB, 4 = RGBA. */
  channels: 1 | 2 | 3 | 4;
}

/**
 * The pipeline's working image: planar float RGB with values on the 0..255 scale.
 * `data.length === 3 * width * height`; the R plane comes first, then G, then B.
 */
export interface PlanarImage {
  data: Float32Array;
  width: number;
  height: number;
}
