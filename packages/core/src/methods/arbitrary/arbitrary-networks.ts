import type { InferenceSession, Tensor } from 'onnxruntime-common';
import { expectInstance, expectObject, expectOptions, expectPositiveInteger } from '../../arguments.js';
import { PasticheError } from '../../errors.js';
import type { PlanarImage } from '../../image/image-types.js';
import { planarToTensorUnchecked, tensorToPlanarUnchecked } from '../../image/tensor-conversion.js';
import { DerivedSessions } from '../../models/derived-sessions.js';
import { METADATA_KEYS } from '../../models/metadata-keys.js';
import { resolveModelConventions, type ModelConventionOverrides, type ModelConventions } from '../../models/model-conventions.js';
import type { ImageTensorSignature } from '../../models/model-signature.js';
import { decodeModel } from '../../onnx/onnx-codec.js';
import type { Dim, ModelProto, ValueInfoProto } from '../../onnx/onnx-types.js';
import type { OrtRuntime } from '../../runtime/runtime.js';
import type { DerivableModel } from '../../tiling/shape-probe.js';

/**
 * The two networks of the arbitrary-style method, as the method's functions use them ({@link StylePredictorRunner},
 * {@link StyleTransferRunner}), and their onnxruntime implementations ({@link StylePredictorModel},
 * {@link StyleTransferModel}) over a runtime the platform injects. Another runner (a cached session, a test double)
 * only has to keep to the interfaces.
 */

/** Image → style vector. */
export interface StylePredictorRunner {
  readonly name: string;
  /** The size images are resized to before the predictor (Magenta's: 256×256, the size it was trained at). */
  readonly inputSize: { readonly width: number; readonly height: number };
  /** The style vector of an image of `inputSize` (planar RGB, 0..255). */
  predict(image: PlanarImage): Promise<Float32Array>;
}

/** Content image + style vector → stylized image. */
export interface StyleTransferRunner {
  readonly name: string;
  /** Height and width must be multiples of this for the output to keep the input's size. */
  readonly sizeMultiple: number;
  /** Length of the style vectors it takes. */
  readonly styleLength: number;
  /**
   * The stylized image (planar RGB, 0..255) of a content image whose sides are multiples of `sizeMultiple` and at
   * least MIN_TRANSFER_SIDE.
   */
  transfer(content: PlanarImage, style: Float32Array): Promise<PlanarImage>;
  /**
   * The loaded network behind `transfer`, for exact tiling: without it, a split image keeps per-tile statistics.
   */
  readonly tiling?: TransferTiling;
}

/** What exact tiling needs of a transfer network: its graph, and its style input's feeds. */
export interface TransferTiling {
  /** The network's graph and sessions on graphs derived from it; its image input is the content. */
  readonly model: DerivableModel;
  /** The feeds of the graph's style input for `style`, the same for every tile. */
  styleFeeds(style: Float32Array): Record<string, Tensor>;
}

/** Options of {@link StylePredictorModel.load} and {@link StyleTransferModel.load}. */
export interface ArbitraryNetworkOptions {
  /**
   * Overrides of the image tensors' conventions. The model's `pastiche.*` metadata comes next; without a range there,
   * images are taken as RGB 0..1, as Magenta's networks (and the TFLite converter's output) take them.
   */
  conventions?: ModelConventionOverrides;
  /** Passed to the runtime when the session is created (execution providers, threads, …). */
  sessionOptions?: InferenceSession.SessionOptions;
  /** Name shown in messages; defaults to the model's `pastiche.name` metadata, then `style predictor` / `style transfer network`. */
  name?: string;
}

/** Options of {@link StylePredictorModel.load}. */
export interface StylePredictorOptions extends ArbitraryNetworkOptions {
  /** Size images are resized to when the model's input has free dimensions. @default DEFAULT_PREDICTOR_SIZE (256×256) */
  inputSize?: { width: number; height: number };
}

/** Magenta's predictor was trained on 256×256 style images. */
export const DEFAULT_PREDICTOR_SIZE: Readonly<{ width: number; height: number }> = Object.freeze({ width: 256, height: 256 });

/** Height and width of the transfer network's input must be multiples of this (two stride-2 layers down, two ×2 up). */
export const DEFAULT_TRANSFER_SIZE_MULTIPLE = 4;

const signatureError = (model: string, why: string) =>
  new PasticheError('E_MODEL_SIGNATURE', `${model}: ${why}. Check that the file is the right network of the arbitrary-style method.`);

const isImageInput = (v: ValueInfoProto) => v.shape?.length === 4 && (v.shape[1] === 3 || v.shape[3] === 3);

/** Element count of fixed dims, or undefined when one is free. */
function fixedCount(dims: readonly Dim[] | undefined): number | undefined {
  if (!dims || dims.some((d) => typeof d !== 'number')) return undefined;
  return (dims as number[]).reduce((n, d) => n * d, 1);
}

/** Conventions of the image tensors, RGB 0..1 unless the metadata or the overrides say otherwise. */
function conventionsOf(proto: ModelProto, overrides: ModelConventionOverrides | undefined): ModelConventions {
  const range = proto.metadataProps[METADATA_KEYS.inputRange] === undefined ? { range: '0-1' as const } : {};
  return resolveModelConventions(proto, { ...range, ...overrides });
}

/** One session whose runs are queued, as one session must not run twice at once (onnxruntime-web). */
class QueuedSession {
  private session: InferenceSession | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly name: string,
    session: InferenceSession,
    readonly runtime: OrtRuntime,
  ) {
    this.session = session;
  }

  static async open(bytes: Uint8Array, runtime: OrtRuntime, options: InferenceSession.SessionOptions | undefined, name: string): Promise<QueuedSession> {
    try {
      return new QueuedSession(name, await runtime.createSession(bytes, options), runtime);
    } catch (cause) {
      throw new PasticheError('E_MODEL_LOAD', `${runtime.name} could not create a session for the ${name}: ${(cause as Error)?.message ?? cause}`, { cause });
    }
  }

  run(feeds: InferenceSession.FeedsType, output: string, what: string): Promise<{ data: Float32Array; dims: readonly number[] }> {
    const result = this.queue.then(async () => {
      const session = this.session;
      if (!session) throw new PasticheError('E_DISPOSED', `The ${this.name} was disposed; load it again.`);
      let outputs: InferenceSession.OnnxValueMapType;
      try {
        outputs = await session.run(feeds, [output]);
      } catch (cause) {
        throw new PasticheError('E_INFERENCE', `Running the ${this.name} on ${what} failed: ${(cause as Error)?.message ?? cause}`, { cause });
      }
      const out = outputs[output] as unknown as { data: unknown; dims: readonly number[]; dispose?: () => void };
      try {
        if (!(out.data instanceof Float32Array)) throw new PasticheError('E_INFERENCE', `The ${this.name} returned ${typeof out.data}; expected float32.`);
        const bad = out.data.findIndex((v) => !Number.isFinite(v));
        if (bad >= 0) throw new PasticheError('E_NUMERIC', `The ${this.name} returned ${out.data[bad]} for ${what}; the model is broken or overflows. Try the CPU device.`);
        return { data: out.data.slice(), dims: [...out.dims] };
      } finally {
        out.dispose?.();
      }
    });
    this.queue = result.catch(() => undefined);
    return result;
  }

  get disposed(): boolean {
    return !this.session;
  }

  async dispose(): Promise<void> {
    const session = this.session;
    this.session = undefined;
    await this.queue;
    await session?.release();
  }
}

function checkLoad(bytes: unknown, options: unknown): ArbitraryNetworkOptions {
  expectInstance('bytes', bytes, Uint8Array);
  return expectOptions<ArbitraryNetworkOptions>('options', options);
}

/** The style predictor on an onnxruntime session: one image input, one output of `styleLength` numbers. */
export class StylePredictorModel implements StylePredictorRunner {
  readonly styleLength: number;

  private constructor(
    private readonly session: QueuedSession,
    readonly inputSize: { readonly width: number; readonly height: number },
    readonly conventions: ModelConventions,
    private readonly inputName: string,
    private readonly outputName: string,
    styleLength: number,
  ) {
    this.styleLength = styleLength;
  }

  get name(): string {
    return this.session.name;
  }

  /**
   * Parses the model, checks its signature, then creates its session through the injected runtime.
   * @throws PasticheError E_MODEL_SIGNATURE when the graph is not a predictor, E_MODEL_LOAD when no session opens.
   */
  static async load(bytes: Uint8Array, runtime: OrtRuntime, options: StylePredictorOptions = {}): Promise<StylePredictorModel> {
    const o = checkLoad(bytes, options) as StylePredictorOptions;
    let size: { width: number; height: number } = DEFAULT_PREDICTOR_SIZE;
    if (o.inputSize !== undefined) {
      const s = expectObject('options.inputSize', o.inputSize, '{ width, height }');
      size = { width: expectPositiveInteger('options.inputSize.width', s.width), height: expectPositiveInteger('options.inputSize.height', s.height) };
    }
    const proto = decodeModel(bytes);
    const name = o.name ?? proto.metadataProps[METADATA_KEYS.name] ?? 'style predictor';
    const initializers = new Set(proto.graph.initializers.map((t) => t.name));
    const inputs = proto.graph.inputs.filter((i) => !initializers.has(i.name));
    if (inputs.length !== 1 || !isImageInput(inputs[0])) throw signatureError(name, `Expected one image input [1,3,H,W] or [1,H,W,3] but found ${inputs.map((i) => `'${i.name}' [${i.shape?.join(',') ?? '?'}]`).join(', ') || 'none'}`);
    const output = proto.graph.outputs[0];
    const styleLength = fixedCount(output?.shape);
    if (!output || styleLength === undefined) throw signatureError(name, `Expected an output of fixed size (the style vector) but found ${output ? `[${output.shape?.join(',') ?? '?'}]` : 'none'}`);
    const conventions = conventionsOf(proto, o.conventions);
    const dims = inputs[0].shape as Dim[];
    const [h, w] = conventions.input.layout === 'NCHW' ? [dims[2], dims[3]] : [dims[1], dims[2]];
    if (typeof h === 'number' && typeof w === 'number') size = { width: w, height: h };
    const session = await QueuedSession.open(bytes, runtime, o.sessionOptions, name);
    return new StylePredictorModel(session, Object.freeze({ ...size }), conventions, inputs[0].name, output.name, styleLength);
  }

  async predict(image: PlanarImage): Promise<Float32Array> {
    const { data, dims } = planarToTensorUnchecked(image, this.conventions.input);
    const feeds = { [this.inputName]: this.session.runtime.createTensor(data, dims) };
    const out = await this.session.run(feeds, this.outputName, `a ${image.width}×${image.height} image`);
    return out.data;
  }

  dispose(): Promise<void> {
    return this.session.dispose();
  }
}

/** The style transfer network on an onnxruntime session: a content image input, a style vector input, an image output. */
export class StyleTransferModel implements StyleTransferRunner {
  readonly tiling: TransferTiling;

  private constructor(
    private readonly session: QueuedSession,
    readonly conventions: ModelConventions,
    readonly sizeMultiple: number,
    readonly styleLength: number,
    private readonly names: { content: string; style: string; styleDims: number[]; output: string },
    proto: ModelProto,
    sessionOptions: InferenceSession.SessionOptions | undefined,
  ) {
    const { runtime } = session;
    const derived = new DerivedSessions({
      name: session.name,
      runtime,
      sessionOptions,
      isDisposed: () => session.disposed,
      disposedError: () => new PasticheError('E_DISPOSED', `The ${session.name} was disposed; load it again.`),
    });
    this.derived = derived;
    const image = (name: string, dims: readonly Dim[] | undefined, layout: ModelConventions['input']['layout']): ImageTensorSignature => ({
      name,
      dims: dims ?? [],
      layout,
      batch: dims?.length === 4,
    });
    const model: DerivableModel = {
      name: session.name,
      graph: proto,
      signature: {
        input: image(names.content, proto.graph.inputs.find((i) => i.name === names.content)?.shape, conventions.input.layout),
        output: image(names.output, proto.graph.outputs[0].shape, conventions.output.layout),
      },
      conventions: { ...conventions, sizeMultiple },
      fixedSize: undefined,
      createTensor: (data, dims) => runtime.createTensor(data, dims),
      openDerivedSession: (graph, label, config) => derived.openSession(graph, label, config),
    };
    this.tiling = { model, styleFeeds: (style) => ({ [names.style]: runtime.createTensor(style, names.styleDims) }) };
  }

  private readonly derived: DerivedSessions;

  get name(): string {
    return this.session.name;
  }

  /**
   * Parses the model, tells its content input (the 3-channel image) from its style input (the other, of fixed size),
   * then creates its session through the injected runtime.
   * @throws PasticheError E_MODEL_SIGNATURE when the graph is not a transfer network, E_MODEL_LOAD when no session opens.
   */
  static async load(bytes: Uint8Array, runtime: OrtRuntime, options: ArbitraryNetworkOptions = {}): Promise<StyleTransferModel> {
    const o = checkLoad(bytes, options);
    const proto = decodeModel(bytes);
    const name = o.name ?? proto.metadataProps[METADATA_KEYS.name] ?? 'style transfer network';
    const initializers = new Set(proto.graph.initializers.map((t) => t.name));
    const inputs = proto.graph.inputs.filter((i) => !initializers.has(i.name));
    const content = inputs.find(isImageInput);
    const style = inputs.find((i) => i !== content);
    const styleLength = fixedCount(style?.shape);
    if (inputs.length !== 2 || !content || !style || styleLength === undefined) {
      throw signatureError(name, `Expected a content image input and a style vector input of fixed size but found ${inputs.map((i) => `'${i.name}' [${i.shape?.join(',') ?? '?'}]`).join(', ') || 'none'}`);
    }
    const output = proto.graph.outputs[0];
    if (!output) throw signatureError(name, 'Expected an image output but found none');
    const conventions = conventionsOf(proto, o.conventions);
    const multiple = proto.metadataProps[METADATA_KEYS.sizeMultiple] === undefined && o.conventions?.sizeMultiple === undefined ? DEFAULT_TRANSFER_SIZE_MULTIPLE : conventions.sizeMultiple;
    const session = await QueuedSession.open(bytes, runtime, o.sessionOptions, name);
    const names = { content: content.name, style: style.name, styleDims: style.shape as number[], output: output.name };
    return new StyleTransferModel(session, conventions, multiple, styleLength, names, proto, o.sessionOptions);
  }

  async transfer(content: PlanarImage, style: Float32Array): Promise<PlanarImage> {
    const { data, dims } = planarToTensorUnchecked(content, this.conventions.input);
    const feeds = {
      [this.names.content]: this.session.runtime.createTensor(data, dims),
      [this.names.style]: this.session.runtime.createTensor(style, this.names.styleDims),
    };
    const out = await this.session.run(feeds, this.names.output, `a ${content.width}×${content.height} image`);
    return tensorToPlanarUnchecked(out.data, out.dims, this.conventions.output);
  }

  /** Releases the session once the runs queued before it have finished, and the sessions of exact tiling. */
  async dispose(): Promise<void> {
    await this.session.dispose();
    await this.derived.releaseAll();
  }
}
