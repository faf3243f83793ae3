import { invalidType, invalidValue } from '../../arguments.js';

/** A style image (in an adapter's input type) with its share of the blend. */
export interface WeightedImageInput<Image> {
  image: Image;
  /** @default 1 */
  weight?: number;
}

/** The style of the optimisation method, as the adapters' `stylize` takes it: one image, or several with weights. */
export interface StyleImages<Image> {
  styleImage?: Image;
  styleImages?: Array<Image | WeightedImageInput<Image>>;
}

/** Tells `{ styleImage }` / `{ styleImages }` from a style network argument (a name, URL, bytes or model). */
export function isStyleImages(style: unknown): style is StyleImages<unknown> {
  return typeof style === 'object' && style !== null && ('styleImage' in style || 'styleImages' in style);
}

/**
 * The style images as `{ image, weight }`, in order.
 * @throws TypeError when there is neither `styleImage` nor a `styleImages` array, RangeError when the array is empty.
 */
export function listStyleImages<Image>(style: StyleImages<Image>): WeightedImageInput<Image>[] {
  const expected = 'styleImage or a non-empty styleImages array';
  const list = style.styleImages ?? (style.styleImage === undefined ? undefined : [style.styleImage]);
  if (!Array.isArray(list)) throw invalidType('style', expected, list);
  if (list.length === 0) throw invalidValue('style', expected, list);
  return list.map((item) => (typeof item === 'object' && item !== null && 'image' in item ? (item as WeightedImageInput<Image>) : { image: item as Image }));
}
