import { attr, float32Tensor } from '../../onnx/index.js';
import type { TfliteGraph } from './tflite-graph.js';

/** PAD, MIRROR_PAD and RESIZE_NEAREST_NEIGHBOR. */

const MirrorPadMode = { REFLECT: 0, SYMMETRIC: 1 } as const;

/** ONNX Pad's `pads` (all begins, then all ends) from TFLite's [rank, 2] paddings, moved to NCHW for 4-D inputs. */
function pads(ctx: TfliteGraph, nchw: boolean, rank: number): number[] {
  const c = ctx.constantInput(1, 'the paddings');
  const p = ctx.integers(c);
  if (p.length !== 2 * rank) throw ctx.fail(`has ${p.length / 2} padding pairs for a rank-${rank} input`);
  const order = nchw ? [0, 3, 1, 2] : Array.from({ length: rank }, (_, i) => i);
  return [...order.map((a) => p[2 * a]), ...order.map((a) => p[2 * a + 1])];
}

/** Padding moves values: int8 integers pass through when the output keeps their quantization (zero pads to zero point). */
function pad(ctx: TfliteGraph, mode: 'constant' | 'reflect'): void {
  const v = ctx.input(0);
  const q = ctx.passedQuantization(v, 0);
  const nchw = v.kind === 'dynamic' && v.layout === 'nchw';
  const rank = ctx.rank(v) ?? ctx.inputTensor(1).shape[0];
  const list = pads(ctx, nchw, rank);
  const x = nchw ? ctx.nchw(v, q !== undefined) : ctx.plain(v, q !== undefined);
  const p = ctx.int64Constant(`pads_${list.join('_')}`, list);
  ctx.define(0, ctx.g.node('Pad', [x, p], [ctx.outName(0, q !== undefined)], { mode })[0], nchw ? 'nchw' : 'plain', rank, ctx.isInteger(v), q);
}

/** PAD pads with zeros (a quantized tensor's zero point, which is 0 in float). */
export const translatePad = (ctx: TfliteGraph) => pad(ctx, 'constant');

export function translateMirrorPad(ctx: TfliteGraph): void {
  const mode = ctx.op?.options?.int8(0) ?? MirrorPadMode.REFLECT;
  if (mode !== MirrorPadMode.REFLECT) throw ctx.fail('SYMMETRIC mirror padding has no ONNX equivalent; only REFLECT is converted');
  pad(ctx, 'reflect');
}

/**
 * RESIZE_NEAREST_NEIGHBOR on NCHW. A constant size becomes a scale factor when the file records the input's size,
 * so that the network keeps working at other sizes (the 384 files say "resize to 192×192" where they mean "×2");
 * a computed size (the dynamic file) is used as it is. Nearest neighbours move int8 integers unchanged.
 */
export function translateResizeNearest(ctx: TfliteGraph): void {
  const o = ctx.op?.options;
  const alignCorners = o?.bool(0) ?? false;
  const halfPixel = o?.bool(1) ?? false;
  const v = ctx.input(0);
  const q = ctx.passedQuantization(v, 0);
  const x = ctx.nchw(v, q !== undefined);
  const name = ctx.outputTensor(0).name;
  // TFLite: align_corners rounds (half away from zero) on the corner-aligned grid; half_pixel_centers floors
  // (x + 0.5) · scale; neither floors x · scale.
  const attrs = {
    mode: 'nearest',
    coordinate_transformation_mode: alignCorners ? 'align_corners' : halfPixel ? 'tf_half_pixel_for_nn' : 'asymmetric',
    nearest_mode: alignCorners ? 'round_prefer_ceil' : 'floor',
  };
  const sizeValue = ctx.input(1);
  const inShape = ctx.inputTensor(0).shape;
  if (sizeValue.kind === 'constant') {
    const [h, w] = ctx.integers(sizeValue);
    if (inShape.length === 4 && inShape[1] > 0 && inShape[2] > 0) {
      const scales = ctx.sharedInitializer(`resize_scales:${h / inShape[1]}:${w / inShape[2]}`, () =>
        float32Tensor(ctx.fresh(`${name}/scales`), [4], [1, 1, h / inShape[1], w / inShape[2]]),
      );
      ctx.define(0, ctx.g.node('Resize', [x, '', scales], [ctx.outName(0, q !== undefined)], attrs)[0], 'nchw', 4, false, q);
      return;
    }
  }
  // sizes = [N, C] of the input, then the computed [height, width].
  const shape = ctx.node('Shape', [x], `${name}/input_shape`);
  const nc = ctx.node('Slice', [shape, ctx.int64Constant('slice_0', [0]), ctx.int64Constant('slice_2', [2])], `${name}/batch_channels`);
  const sizes = ctx.node('Concat', [nc, ctx.plain(sizeValue)], `${name}/sizes`, { axis: attr.int(0) });
  ctx.define(0, ctx.g.node('Resize', [x, '', '', sizes], [ctx.outName(0, q !== undefined)], attrs)[0], 'nchw', 4, false, q);
}
