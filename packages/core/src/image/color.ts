import { expectNumber } from '../arguments.js';
import { expectPlanarImage, expectSameSize } from './planar-checks.js';
import type { PlanarImage } from './image-types.js';

/** BT.601 luma weights (full range, as in JPEG's YCbCr). */
const KR = 0.299;
const KG = 0.587;
const KB = 0.114;

/**
 * Luminance-only transfer (Gatys et al. 2016, "Preserving Color in Neural Artistic Style Transfer"):
 * the result has the stylized image's luma Y and the content's chroma Cb, Cr (BT.601 full range).
 *
 * The stylized Y is used as it is, not matched to the content's luminance mean / std: the style's tonal
 * range is part of the look (this is what neural-style's `-original_colors` does). Because Cb and Cr are
 * differences from Y, swapping Y comes down to `content + (Y_stylized - Y_content)` on every channel.
 * Values are not clamped; pixels pushed out of gamut are clamped when converted to 8 bits.
 */
export function preserveColors(stylized: PlanarImage, content: PlanarImage): PlanarImage {
  expectPlanarImage('stylized', stylized);
  expectPlanarImage('content', content);
  expectSameSize('stylized', stylized, 'content', content);
  return preserveColorsUnchecked(stylized, content);
}

/** {@link preserveColors} without the argument checks, for the pipeline (two images of one size). */
export function preserveColorsUnchecked(stylized: PlanarImage, content: PlanarImage): PlanarImage {
  const n = content.width * content.height;
  const s = stylized.data;
  const c = content.data;
  const out = new Float32Array(3 * n);
  for (let i = 0, g = n, b = 2 * n; i < n; i++, g++, b++) {
    const cr = c[i];
    const cg = c[g];
    const cb = c[b];
    const dy = KR * (s[i] - cr) + KG * (s[g] - cg) + KB * (s[b] - cb);
    out[i] = cr + dy;
    out[g] = cg + dy;
    out[b] = cb + dy;
  }
  return { data: out, width: content.width, height: content.height };
}

/**
 * Linear mix `content + strength * (stylized - content)`: strength 1 gives the stylized image, 0 the
 * content, both exactly.
 */
export function blendWithContent(stylized: PlanarImage, content: PlanarImage, strength: number): PlanarImage {
  expectPlanarImage('stylized', stylized);
  expectPlanarImage('content', content);
  expectSameSize('stylized', stylized, 'content', content);
  expectNumber('strength', strength, { min: 0, max: 1 });
  return blendWithContentUnchecked(stylized, content, strength);
}

/** {@link blendWithContent} without the argument checks, for the pipeline (strength resolved to 0..1). */
export function blendWithContentUnchecked(stylized: PlanarImage, content: PlanarImage, strength: number): PlanarImage {
  const { width, height } = content;
  if (strength === 0) return { data: content.data.slice(), width, height };
  if (strength === 1) return { data: stylized.data.slice(), width, height };
  const s = stylized.data;
  const c = content.data;
  const out = new Float32Array(c.length);
  for (let i = 0; i < c.length; i++) out[i] = c[i] + strength * (s[i] - c[i]);
  return { data: out, width, height };
}
