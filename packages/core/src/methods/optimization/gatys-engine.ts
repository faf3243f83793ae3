import type { InferenceSession, Tensor } from 'onnxruntime-common';
import { expectOptions, invalidType, isObject } from '../../arguments.js';
import { PasticheError } from '../../errors.js';
import type { PlanarImage } from '../../image/image-types.js';
import { METADATA_KEYS } from '../../models/metadata-keys.js';
import { buildLossGraphs, type LossGraphs } from '../../gradient/build-loss-graphs.js';
import type { Pooling } from '../../gradient/forward-plan.js';
import { LOSS_GRAPH_NAMES as N } from '../../gradient/loss-graph-names.js';
import { lossNetworkLayers } from '../../gradient/loss-spec.js';
import { encodeModel } from '../../onnx/onnx-codec.js';
import type { ModelProto } from '../../onnx/onnx-types.js';
import type { OrtRuntime } from '../../runtime/runtime.js';
import { checkLayerNames } from './gatys-options.js';

/** How much larger than the image a content feature map may be (a network that pads a little keeps the size). */
export const MAX_FEATURE_GROWTH = 4;

/** A float tensor's data and shape, as fed to or fetched from a session. */
export interface FloatArray {
  data: Float32Array;
  dims: readonly number[];
}

/** Loss, its terms and d loss / d image at one image. */
export interface Evaluation {
  loss: number;
  terms: Record<string, number>;
  grad: Float32Array;
}

export interface GatysEngineOptions {
  /** Content layers; default from the loss network's `pastiche.default_content_layers`. */
  contentLayers?: string[];
  /** Style layers; default from the loss network's `pastiche.default_style_layers`. */
  styleLayers?: string[];
  /** Replace max pooling by average pooling. @default 'max' */
  pooling?: Pooling;
  sessionOptions?: InferenceSession.SessionOptions;
}

function defaultLayers(lossNet: ModelProto, key: string, kind: 'content' | 'style'): string[] {
  const listed = lossNet.metadataProps[key];
  if (!listed) {
    throw new PasticheError(
      'E_MODEL_SIGNATURE',
      `Loss network '${lossNet.metadataProps[METADATA_KEYS.name] ?? lossNet.graph.name}' names no default ${kind} layers (metadata ${key}); ` +
        `pass ${kind}Layers, chosen from: ${lossNetworkLayers(lossNet).join(', ')}.`,
    );
  }
  return listed.split(',').map((s) => s.trim()).filter(Boolean);
}

/**
 * The features and loss+gradient graphs for a loss network, with the chosen layers or the network's
 * defaults. Term weights are graph inputs, so the spec's weights are placeholders (1).
 */
export function buildGatysGraphs(lossNet: ModelProto, options: Pick<GatysEngineOptions, 'contentLayers' | 'styleLayers' | 'pooling'> = {}): LossGraphs {
  const o = expectOptions<GatysEngineOptions>('options', options);
  if (!isObject(lossNet) || !isObject(lossNet.graph)) throw invalidType('lossNet', 'a decoded ONNX model (decodeModel)', lossNet);
  const contentLayers = checkLayerNames('contentLayers', o.contentLayers);
  const styleLayers = checkLayerNames('styleLayers', o.styleLayers);
  const content = contentLayers ?? defaultLayers(lossNet, METADATA_KEYS.defaultContentLayers, 'content');
  const style = styleLayers ?? defaultLayers(lossNet, METADATA_KEYS.defaultStyleLayers, 'style');
  const unit = (layer: string) => ({ layer, weight: 1 });
  return buildLossGraphs(lossNet, { content: content.map(unit), style: style.map(unit), tvWeight: 1 }, { pooling: o.pooling });
}

function fetchScalar(outputs: InferenceSession.OnnxValueMapType, name: string): number {
  return (outputs[name] as Tensor).data[0] as number;
}

/**
 * The sessions of one loss network's features and loss+gradient graphs. Built once per (network, layers,
 * pooling, device) and reused across runs and scales: the graphs take any image size.
 */
export class GatysEngine {
  private constructor(
    readonly graphs: LossGraphs,
    private readonly runtime: OrtRuntime,
    private featuresSession: InferenceSession | undefined,
    private lossGradSession: InferenceSession | undefined,
  ) {}

  /** Builds the gradient graphs from a forward loss network and opens their sessions. */
  static async fromLossNetwork(runtime: OrtRuntime, lossNet: ModelProto, options: GatysEngineOptions = {}): Promise<GatysEngine> {
    return GatysEngine.fromGraphs(runtime, buildGatysGraphs(lossNet, options), options.sessionOptions);
  }

  /** Opens sessions for graphs built earlier (or decoded from files written by `pastiche export-grad`). */
  static async fromGraphs(runtime: OrtRuntime, graphs: LossGraphs, sessionOptions?: InferenceSession.SessionOptions): Promise<GatysEngine> {
    const open = async (model: ModelProto, what: string) => {
      try {
        return await runtime.createSession(encodeModel(model), sessionOptions);
      } catch (cause) {
        throw new PasticheError('E_MODEL_LOAD', `${runtime.name} could not load the ${what} graph: ${(cause as Error).message}`, { cause });
      }
    };
    const opened = await Promise.allSettled([open(graphs.features, 'features'), open(graphs.lossGrad, 'loss+gradient')]);
    const failed = opened.find((o) => o.status === 'rejected');
    if (failed) {
      // The other session may have opened: release it, or it would live as long as the process.
      await Promise.allSettled(opened.map((o) => (o.status === 'fulfilled' ? o.value.release() : undefined)));
      throw failed.reason;
    }
    const [features, lossGrad] = opened.map((o) => (o as PromiseFulfilledResult<InferenceSession>).value);
    return new GatysEngine(graphs, runtime, features, lossGrad);
  }

  private sessions(): [InferenceSession, InferenceSession] {
    if (!this.featuresSession || !this.lossGradSession) {
      throw new PasticheError('E_DISPOSED', 'This optimisation engine was disposed; create a new one.');
    }
    return [this.featuresSession, this.lossGradSession];
  }

  private imageTensor(data: Float32Array, width: number, height: number): Tensor {
    return this.runtime.createTensor(data, [1, 3, height, width]);
  }

  /** The loss network's name, for messages. */
  private get name(): string {
    return this.graphs.lossGrad.metadataProps[METADATA_KEYS.name] ?? this.graphs.features.metadataProps[METADATA_KEYS.name] ?? 'loss network';
  }

  /** Runs a session; what onnxruntime throws (a shape it cannot take, …) becomes E_INFERENCE. */
  private async run(session: InferenceSession, feeds: Record<string, Tensor>, what: string, width: number, height: number) {
    try {
      return await session.run(feeds);
    } catch (cause) {
      throw new PasticheError(
        'E_INFERENCE',
        `Running the ${what} graph of '${this.name}' on a ${width}×${height} image failed: ${((cause as Error)?.message ?? String(cause)).split('\n')[0]}`,
        { cause },
      );
    }
  }

  /**
   * Content feature maps and Gram matrices of an image, keyed by the features graph's output names. Features
   * that are NaN or infinite (a broken network, an overflow on the device) are E_NUMERIC: every loss would be NaN.
   */
  async features(image: PlanarImage): Promise<Map<string, FloatArray>> {
    const [session] = this.sessions();
    const outputs = await this.run(session, { [N.image]: this.imageTensor(image.data, image.width, image.height) }, 'features', image.width, image.height);
    const result = new Map<string, FloatArray>();
    for (const [name, value] of Object.entries(outputs)) {
      const tensor = value as Tensor;
      const data = tensor.data as Float32Array;
      this.checkMapSize(name, tensor.dims, image);
      for (let i = 0; i < data.length; i++) {
        if (!Number.isFinite(data[i])) {
          throw new PasticheError(
            'E_NUMERIC',
            `Loss network '${this.name}' returned ${data[i]} in ${name} for a ${image.width}×${image.height} image: every loss would be NaN. ` +
              `The network is broken or overflows: try the CPU device, or another loss network.`,
          );
        }
      }
      result.set(name, { data, dims: tensor.dims });
    }
    return result;
  }

  /**
   * Throws E_MODEL_SIGNATURE for a content feature map larger than MAX_FEATURE_GROWTH times the image: loss networks
   * shrink their input (convolutions, pooling), so such a map comes from wrong padding or strides, and every
   * evaluation would then run on it (a padding of 100000 made each one take seconds on a 16×16 image).
   */
  private checkMapSize(name: string, dims: readonly number[], image: PlanarImage): void {
    if (!name.startsWith(N.content(''))) return;
    const area = dims.length === 4 ? dims[2] * dims[3] : 0;
    if (area <= MAX_FEATURE_GROWTH * image.width * image.height) return;
    throw new PasticheError(
      'E_MODEL_SIGNATURE',
      `Loss network '${this.name}' returned a ${dims[3]}×${dims[2]} map at ${name} for a ${image.width}×${image.height} image, over ` +
        `${MAX_FEATURE_GROWTH} times its size: a loss network shrinks its input, so its padding or strides are wrong. Check the model.`,
    );
  }

  /**
   * Loss, terms and gradient at `image` (planar RGB 0..255, i.e. [1,3,H,W]) against targets keyed by the
   * loss+gradient graph's input names, with one weight per term (see `graphs.termNames`).
   */
  async evaluate(image: Float32Array, width: number, height: number, targets: ReadonlyMap<string, FloatArray>, weights: Float32Array): Promise<Evaluation> {
    const [, session] = this.sessions();
    const feeds: Record<string, Tensor> = {
      [N.image]: this.imageTensor(image, width, height),
      [N.weights]: this.runtime.createTensor(weights, [weights.length]),
    };
    for (const [name, t] of targets) feeds[name] = this.runtime.createTensor(t.data, t.dims);
    const outputs = await this.run(session, feeds, 'loss+gradient', width, height);
    const terms: Record<string, number> = {};
    for (const term of this.graphs.termNames) terms[term] = fetchScalar(outputs, term);
    return { loss: fetchScalar(outputs, N.loss), terms, grad: (outputs[N.grad] as Tensor).data as Float32Array };
  }

  async dispose(): Promise<void> {
    const sessions = [this.featuresSession, this.lossGradSession];
    this.featuresSession = this.lossGradSession = undefined;
    await Promise.all(sessions.map((s) => s?.release()));
  }
}
