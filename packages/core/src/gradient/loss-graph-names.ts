/**
 * Input and output names of the features and loss+gradient graphs. The optimiser feeds and fetches by these.
 */
export const LOSS_GRAPH_NAMES = {
  /** Both graphs' input: float [1, 3, H, W], RGB 0..255. */
  image: 'image',
  /** Loss+gradient input: float [n_content + n_style + 1] (content weights, style weights, TV weight). */
  weights: 'weights',
  /** Loss+gradient output: the total loss, a scalar. */
  loss: 'loss',
  /** Loss+gradient output: d loss / d image, float [1, 3, H, W]. */
  grad: 'grad',
  /** Loss+gradient output: the TV term, a scalar. */
  tvLoss: 'tv_loss',
  /** Features output: the feature map of a content layer. */
  content: (layer: string) => `content.${layer}`,
  /** Features output: the Gram matrix [C, C] of a style layer. */
  gram: (layer: string) => `gram.${layer}`,
  /** Loss+gradient input: the target feature map of a content layer (a features output). */
  targetContent: (layer: string) => `target.content.${layer}`,
  /** Loss+gradient input: the target Gram matrix of a style layer (a features output). */
  targetGram: (layer: string) => `target.gram.${layer}`,
  /** Loss+gradient output: one content term, a scalar. */
  contentLoss: (layer: string) => `content_loss.${layer}`,
  /** Loss+gradient output: one style term, a scalar. */
  styleLoss: (layer: string) => `style_loss.${layer}`,
} as const;
