import { expectOptions, expectSignal } from '../../arguments.js';
import type { PlanarImage } from '../../image/image-types.js';
import { expectPlanarImage } from '../../image/planar-checks.js';
import { resizeImageUnchecked } from '../../image/resize.js';
import { throwIfAborted } from './abort.js';
import type { StylePredictorRunner } from './arbitrary-networks.js';

/** Options of {@link predictStyle}. */
export interface PredictStyleOptions {
  /** Aborts before the predictor runs (E_ABORTED). */
  signal?: AbortSignal;
}

/**
 * The style vector of a painting: the image resized to the predictor's size (stretched to fill it, with a lanczos3
 * filter, as Magenta's goldens were made with sharp), then the predictor. Keep it, save it as JSON
 * (`Array.from(vector)`) and pass it back as a style to skip the predictor next time.
 */
export async function predictStyle(predictor: StylePredictorRunner, image: PlanarImage, options: PredictStyleOptions = {}): Promise<Float32Array> {
  expectPlanarImage('image', image);
  const o = expectOptions<PredictStyleOptions>('options', options);
  throwIfAborted(o.signal === undefined ? undefined : expectSignal('options.signal', o.signal));
  return predictStyleUnchecked(predictor, image);
}

/** {@link predictStyle} on an image the caller checked. */
export function predictStyleUnchecked(predictor: StylePredictorRunner, image: PlanarImage): Promise<Float32Array> {
  const { width, height } = predictor.inputSize;
  const input = image.width === width && image.height === height ? image : resizeImageUnchecked(image, width, height, 'lanczos3');
  return predictor.predict(input);
}
