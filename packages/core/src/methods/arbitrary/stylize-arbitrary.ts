import { invalidType, invalidValue } from '../../arguments.js';
import { preserveColorsUnchecked } from '../../image/color.js';
import { checkPixelLimit } from '../../image/image-header.js';
import type { PlanarImage } from '../../image/image-types.js';
import { cropImageUnchecked, reflectPadUnchecked } from '../../image/padding.js';
import { expectPlanarImage } from '../../image/planar-checks.js';
import { fitLongestSideUnchecked, resizeImageUnchecked } from '../../image/resize.js';
import type { CheckpointSpill } from '../../tiling/checkpoint-storage.js';
import { runSplit } from '../fast/stylize-planar.js';
import { resolveArbitraryOptions, type ArbitraryStylizeOptions, type ResolvedArbitraryOptions } from './arbitrary-options.js';
import type { StylePredictorRunner, StyleTransferRunner } from './arbitrary-networks.js';
import { throwIfAborted } from './abort.js';
import { predictStyleUnchecked } from './predict-style.js';
import { blendStyleVectors, expectStyleVector, isStyleVectorInput, mixStyleVectors, type StyleVectorInput } from './style-vectors.js';

/** The networks of the method; the predictor is needed for styles given as images and for strength below 1. */
export interface ArbitraryNetworks {
  predictor?: StylePredictorRunner;
  transfer: StyleTransferRunner;
}

/** A style: a painting (planar RGB, 0..255) or a style vector predicted before. */
export type ArbitraryStyle = PlanarImage | StyleVectorInput;

/**
 * Smallest side the transfer network runs on; smaller images are reflect-padded up to it and cropped back. Magenta's
 * network reflect-pads 4 pixels before its first 9×9 convolution and 1 pixel of the quarter-size map in its residual
 * blocks (onnxruntime refuses a reflect pad as large as the side): 8 runs, 16 leaves its normalisation 4×4 pixels.
 */
export const MIN_TRANSFER_SIDE = 16;

const roundUp = (value: number, multiple: number) => Math.ceil(value / multiple) * multiple;

/**
 * Runs the transfer network on a content image of any size: reflect-pads it to a multiple of the network's size
 * multiple (at least {@link MIN_TRANSFER_SIDE}) at the bottom and right, runs, and crops back.
 */
export async function transferPadded(transfer: StyleTransferRunner, content: PlanarImage, style: Float32Array): Promise<PlanarImage> {
  const m = transfer.sizeMultiple;
  const width = roundUp(Math.max(content.width, MIN_TRANSFER_SIDE), m);
  const height = roundUp(Math.max(content.height, MIN_TRANSFER_SIDE), m);
  const padX = width - content.width;
  const padY = height - content.height;
  // All the padding at the bottom and right keeps the image on the grid of the network's stride-2 layers: the same
  // pixels are sampled as in a run on a larger image with the same origin.
  const pads = { left: 0, right: padX, top: 0, bottom: padY };
  const padded = padX || padY ? reflectPadUnchecked(content, pads) : content;
  let output = await transfer.transfer(padded, style);
  if (output.width !== width || output.height !== height) output = resizeImageUnchecked(output, width, height);
  return padded === content ? output : cropImageUnchecked(output, { x: pads.left, y: pads.top, width: content.width, height: content.height });
}

/** Checks the styles: images or vectors of the transfer network's length, one weight each when weights are given. */
function resolveStyles(styles: unknown, transfer: StyleTransferRunner, o: ResolvedArbitraryOptions): (PlanarImage | Float32Array)[] {
  // An array of numbers is one vector; any other array lists styles.
  const list: unknown[] = Array.isArray(styles) && (styles.length === 0 || !isStyleVectorInput(styles)) ? styles : [styles];
  if (list.length === 0) throw invalidValue('styles', 'at least one style image or style vector', styles);
  const resolved = list.map((s, i) => (isStyleVectorInput(s) ? expectStyleVector(`styles[${i}]`, s, transfer.styleLength) : expectPlanarImage(`styles[${i}]`, s)));
  if (o.styleWeights && o.styleWeights.length !== resolved.length) {
    throw invalidValue('styleWeights', `${resolved.length} weight${resolved.length === 1 ? '' : 's'}, one per style`, o.styleWeights);
  }
  return resolved;
}

/**
 * The arbitrary-style method on planar pixels: each style image through the predictor (style vectors pass as they
 * are), the vectors blended by `styleWeights`, mixed with the content's own vector when `strength` is below 1, then
 * the transfer network on the content (resized to `size`, padded to the network's multiple and cropped back; split
 * into tiles, exact by default, when its run does not fit `memoryBudget`), and colour preservation. Checks the
 * content, the styles and the options once, then runs {@link stylizeArbitraryResolved}.
 * @throws TypeError / RangeError for wrong arguments, TypeError when a predictor is needed and `networks` has none.
 */
export async function stylizeArbitrary(
  networks: ArbitraryNetworks,
  content: PlanarImage,
  styles: ArbitraryStyle | readonly ArbitraryStyle[],
  options: ArbitraryStylizeOptions = {},
): Promise<PlanarImage> {
  expectPlanarImage('content', content);
  const o = resolveArbitraryOptions(options);
  const list = resolveStyles(styles, networks.transfer, o);
  if (!networks.predictor && (o.strength < 1 || list.some((s) => !(s instanceof Float32Array)))) {
    throw invalidType('networks.predictor', `a style predictor (styles given as images${o.strength < 1 ? ' and strength below 1' : ''} need it)`, networks.predictor);
  }
  return stylizeArbitraryResolved(networks, content, list, o);
}

/**
 * {@link stylizeArbitrary} on arguments checked already: `styles` are planar images or Float32Array vectors of the
 * transfer network's length, `options` the result of {@link resolveArbitraryOptions}, and `networks.predictor`
 * present where needed.
 */
export async function stylizeArbitraryResolved(
  networks: ArbitraryNetworks,
  content: PlanarImage,
  styles: readonly (PlanarImage | Float32Array)[],
  o: ResolvedArbitraryOptions,
  spill?: CheckpointSpill,
): Promise<PlanarImage> {
  throwIfAborted(o.signal);
  checkPixelLimit(content.width, content.height, o.maxPixels, 'the content image');
  const target = o.size ? fitLongestSideUnchecked(content.width, content.height, o.size) : content;
  if (o.size) checkPixelLimit(target.width, target.height, o.maxPixels, `the image at size ${o.size}`, 'Pass a smaller size, or a larger maxPixels to allow it.');
  const image = target.width === content.width && target.height === content.height ? content : resizeImageUnchecked(content, target.width, target.height);
  const predictor = networks.predictor as StylePredictorRunner;
  const vectors: Float32Array[] = [];
  for (const style of styles) {
    throwIfAborted(o.signal);
    vectors.push(style instanceof Float32Array ? style : await predictStyleUnchecked(predictor, style));
  }
  let vector = blendStyleVectors(vectors, o.styleWeights);
  if (o.strength < 1) {
    throwIfAborted(o.signal);
    vector = mixStyleVectors(vector, await predictStyleUnchecked(predictor, image), o.strength);
  }
  throwIfAborted(o.signal);
  const { transfer } = networks;
  const style = vector;
  const stylized = await runSplit(
    {
      fixedSize: undefined,
      conventions: { sizeMultiple: transfer.sizeMultiple },
      runPadded: (input) => transferPadded(transfer, input, style),
      derivable: transfer.tiling?.model,
      runInputs: transfer.tiling?.styleFeeds(style),
      padding: 'bottom-right',
    },
    image,
    { ...o, spill },
  );
  return o.preserveColors ? preserveColorsUnchecked(stylized, image) : stylized;
}
