import { describeValue } from '../../errors.js';

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

/** The style images as `{ image, weight }`, in order. @throws TypeError when there is none. */
export function listStyleImages<Image>(style: StyleImages<Image>): WeightedImageInput<Image>[] {
  const list = style.styleImages ?? (style.styleImage === undefined ? [] : [style.styleImage]);
  if (!Array.isArray(list) || list.length === 0) {
    throw new TypeError(`Expected styleImage or a non-empty styleImages array for style but received ${describeValue(style.styleImages ?? style.styleImage)}`);
  }
  return list.map((item) => (typeof item === 'object' && item !== null && 'image' in item ? (item as WeightedImageInput<Image>) : { image: item as Image }));
}
