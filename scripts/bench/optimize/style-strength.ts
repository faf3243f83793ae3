/**
 * How much style the optimisation method puts into a photo, judged by a network the run did not optimise
 * (issue 13 item 2b). For each photo × painting, the result of `stylize(photo, { styleImage: painting })` is
 * scored on the other loss network:
 * - style distance: mean over its default style layers of ‖G(result) − G(painting)‖² / ‖G(painting)‖², divided
 *   by the same for the photo itself (1 = no style at all, 0 = the painting's statistics);
 * - content distance: ‖F(result) − F(photo)‖² / ‖F(photo)‖² on its default content layer (0 = the photo).
 * The painting is measured at the result's longest side, whatever `styleScale` the run used.
 */
import { rawToPlanar, resizeImage, fitLongestSide, type GatysEngine, type PlanarImage } from '../../../packages/core/src/index.js';
import { LOSS_GRAPH_NAMES as N } from '../../../packages/core/src/gradient/loss-graph-names.js';
import type { StylizedImage } from '../../../packages/node/src/stylized-image.js';

export interface Scores {
  /** Style distance relative to the photo's own (lower: more of the painting's style). */
  style: number;
  /** Content feature distance to the photo (lower: closer to the photo). */
  content: number;
}

function relativeDistance(a: Float32Array, b: Float32Array): number {
  let diff = 0;
  let norm = 0;
  for (let i = 0; i < a.length; i++) {
    diff += (a[i] - b[i]) ** 2;
    norm += b[i] * b[i];
  }
  return diff / (norm || 1);
}

function styleDistance(engine: GatysEngine, x: Map<string, { data: Float32Array }>, painting: Map<string, { data: Float32Array }>): number {
  const layers = engine.graphs.styleLayers;
  return layers.reduce((sum, l) => sum + relativeDistance(x.get(N.gram(l))!.data, painting.get(N.gram(l))!.data), 0) / layers.length;
}

function contentDistance(engine: GatysEngine, x: Map<string, { data: Float32Array }>, photo: Map<string, { data: Float32Array }>): number {
  const layers = engine.graphs.contentLayers;
  return layers.reduce((sum, l) => sum + relativeDistance(x.get(N.content(l))!.data, photo.get(N.content(l))!.data), 0) / layers.length;
}

export function planarOf(result: StylizedImage): PlanarImage {
  return rawToPlanar({ data: result.data, width: result.width, height: result.height, channels: 3 });
}

/** Scores a result against the photo and painting it came from, on `engine`'s network. */
export async function scoreResult(engine: GatysEngine, result: PlanarImage, photo: PlanarImage, painting: PlanarImage): Promise<Scores> {
  const side = Math.max(result.width, result.height);
  const photoAtSize = resizeImage(photo, result.width, result.height);
  const p = fitLongestSide(painting.width, painting.height, side);
  const [fx, fphoto, fpainting] = [
    await engine.features(result),
    await engine.features(photoAtSize),
    await engine.features(resizeImage(painting, p.width, p.height)),
  ];
  return {
    style: styleDistance(engine, fx, fpainting) / styleDistance(engine, fphoto, fpainting),
    content: contentDistance(engine, fx, fphoto),
  };
}
