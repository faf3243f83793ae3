/** Memory layout of an image tensor. */
export type TensorLayout = 'NCHW' | 'NHWC';
/** Value range of an image tensor: what 0 and 255 on the pixel scale map to. */
export type ValueRange = '0-255' | '0-1' | '-1-1';
export type ChannelOrder = 'RGB' | 'BGR';

/** How pixels are laid out and scaled in one image tensor (a model's input or output). */
export interface TensorConventions {
  /** @default 'NCHW' */
  layout: TensorLayout;
  /** @default '0-255' */
  range: ValueRange;
  /** @default 'RGB' */
  channelOrder: ChannelOrder;
  /**
   * Subtracted after range scaling, listed in the tensor's channel order (as models document them,
   * e.g. BGR (104, 117, 123)). @default undefined (none)
   */
  mean?: readonly [number, number, number];
  /** Divided by after the mean, in the tensor's channel order. @default undefined (none) */
  std?: readonly [number, number, number];
  /** Whether the tensor has a leading batch dimension of 1. @default true */
  batch: boolean;
}

export const DEFAULT_TENSOR_CONVENTIONS: Readonly<TensorConventions> = Object.freeze({
  layout: 'NCHW',
  range: '0-255',
  channelOrder: 'RGB',
  batch: true,
});
