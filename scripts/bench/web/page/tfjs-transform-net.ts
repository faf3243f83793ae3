/**
 * ml5's fast style transfer network (lengstrom/fast-style-transfer design) in TensorFlow.js ops, as ml5 builds it
 * (ml5-library src/StyleTransfer/index.js): conv2d 'same', instance norm from tf.moments, five residual blocks,
 * conv2dTranspose 'same', tanh · 150 + 127.5, clipped to 0..255. Weights are the deeplearn.js checkpoint's
 * Variables (manifest.json + raw float32 files). NHWC, batch 1; input and output RGB 0..255.
 */
import type * as Tf from '@tensorflow/tfjs-core';

export type Ml5Manifest = Record<string, { filename: string; shape: number[] }>;

const EPSILON = 1e-3;

/** Variable n's name in the checkpoint: `Variable`, `Variable_1`, … */
const variableName = (n: number) => (n === 0 ? 'Variable' : `Variable_${n}`);

type Tensor3D = Tf.Tensor3D;

export class TfjsTransformNet {
  private constructor(
    private readonly tf: typeof Tf,
    private readonly variables: readonly Tf.Tensor[],
  ) {}

  /** Fetches the 48 Variables from `baseUrl` (a folder URL ending in `/`); `tf` is the TensorFlow.js namespace. */
  static async load(tf: typeof Tf, baseUrl: string): Promise<TfjsTransformNet> {
    const manifest = (await (await fetch(`${baseUrl}manifest.json`)).json()) as Ml5Manifest;
    const variables = await Promise.all(
      Array.from({ length: 48 }, async (_, n) => {
        const entry = manifest[variableName(n)];
        if (!entry) throw new Error(`manifest.json has no ${variableName(n)}`);
        const bytes = await (await fetch(`${baseUrl}${entry.filename}`)).arrayBuffer();
        return tf.tensor(new Float32Array(bytes), entry.shape, 'float32');
      }),
    );
    return new TfjsTransformNet(tf, variables);
  }

  private instanceNorm(x: Tensor3D, id: number): Tensor3D {
    const { mean, variance } = this.tf.moments(x, [0, 1]);
    const normalized = this.tf.div(this.tf.sub(x, mean), this.tf.sqrt(this.tf.add(variance, EPSILON)));
    // Variables: kernel, then shift, then scale.
    return this.tf.add(this.tf.mul(this.variables[id + 1]!, normalized), this.variables[id]!) as Tensor3D;
  }

  private conv(x: Tensor3D, stride: number, relu: boolean, id: number): Tensor3D {
    const y = this.instanceNorm(this.tf.conv2d(x, this.variables[id] as Tf.Tensor4D, [stride, stride], 'same'), id + 1);
    return relu ? this.tf.relu(y) : y;
  }

  private convTranspose(x: Tensor3D, filters: number, id: number): Tensor3D {
    const [height, width] = x.shape;
    const y = this.tf.conv2dTranspose(x, this.variables[id] as Tf.Tensor4D, [height * 2, width * 2, filters], [2, 2], 'same');
    return this.tf.relu(this.instanceNorm(y, id + 1));
  }

  private residual(x: Tensor3D, id: number): Tensor3D {
    return this.tf.add(this.conv(this.conv(x, 1, true, id), 1, false, id + 3), x) as Tensor3D;
  }

  /** [H, W, 3] RGB 0..255 → [H, W, 3] RGB 0..255 (H and W multiples of 4). */
  predict(image: Tensor3D): Tensor3D {
    return this.tf.tidy(() => {
      let x = this.conv(image, 1, true, 0);
      x = this.conv(x, 2, true, 3);
      x = this.conv(x, 2, true, 6);
      for (let id = 9; id <= 33; id += 6) x = this.residual(x, id);
      x = this.convTranspose(x, 64, 39);
      x = this.convTranspose(x, 32, 42);
      x = this.conv(x, 1, false, 45);
      return this.tf.clipByValue(this.tf.add(this.tf.mul(this.tf.tanh(x), 150), 255 / 2), 0, 255) as Tensor3D;
    });
  }

  dispose(): void {
    for (const v of this.variables) v.dispose();
  }
}
