import type { InferenceSession, Tensor } from 'onnxruntime-common';
import { expectInstance, expectOptions } from '../arguments.js';
import { PasticheError } from '../errors.js';
import type { PlanarImage } from '../image/image-types.js';
import { planarToTensorUnchecked, tensorToPlanarUnchecked } from '../image/tensor-conversion.js';
import { decodeModel } from '../onnx/onnx-codec.js';
import type { ModelProto } from '../onnx/onnx-types.js';
import type { OrtRuntime } from '../runtime/runtime.js';
import { DerivedSessions, type DerivedSession } from './derived-sessions.js';
import { METADATA_KEYS } from './metadata-keys.js';
import { resolveModelConventions, type ModelConventionOverrides, type ModelConventions } from './model-conventions.js';
import { assertThreeChannels, fixedImageSize, inferSignature, type ModelSignature } from './model-signature.js';

export type { DerivedSession };

export interface StyleModelOptions {
  /** Overrides of the model's `pastiche.*` metadata. */
  conventions?: ModelConventionOverrides;
  /** Passed to the runtime when the session is created (execution providers, threads, …). */
  sessionOptions?: InferenceSession.SessionOptions;
  /** Name shown in results; defaults to the model's `pastiche.name` metadata, then `model`. */
  name?: string;
}

/**
 * A loaded image-to-image style network: its signature, its conventions and one inference session.
 * Runs are queued, because one session must not run twice at once (onnxruntime-web).
 */
export class StyleModel {
  readonly name: string;
  readonly metadata: Readonly<Record<string, string>>;
  readonly signature: ModelSignature;
  readonly conventions: ModelConventions;
  /** Set when the model only accepts one input size (e.g. `[1,3,256,256]`). */
  readonly fixedSize: { width: number; height: number } | undefined;
  /** The execution providers its session was created with (e.g. `cpu`), or undefined for the runtime's default. */
  readonly device: string | undefined;
  private readonly runtime: OrtRuntime;
  private session: InferenceSession | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  /** The decoded graph (its weights are views of the model's bytes) and the session options, for derived graphs. */
  private readonly proto: ModelProto;
  private readonly derived: DerivedSessions;

  private constructor(init: {
    name: string;
    metadata: Record<string, string>;
    signature: ModelSignature;
    conventions: ModelConventions;
    session: InferenceSession;
    runtime: OrtRuntime;
    device: string | undefined;
    proto: ModelProto;
    sessionOptions: InferenceSession.SessionOptions | undefined;
  }) {
    this.proto = init.proto;
    this.device = init.device;
    this.name = init.name;
    this.metadata = Object.freeze({ ...init.metadata });
    this.signature = init.signature;
    this.conventions = init.conventions;
    this.fixedSize = fixedImageSize(init.signature.input, init.conventions.input.layout);
    this.session = init.session;
    this.runtime = init.runtime;
    this.derived = new DerivedSessions({
      name: this.name,
      runtime: init.runtime,
      sessionOptions: init.sessionOptions,
      isDisposed: () => !this.session,
      disposedError: () => new PasticheError('E_DISPOSED', `Style model '${this.name}' was disposed; load it again.`),
    });
  }

  /**
   * Parses and checks the model, then creates its session through the injected runtime. The conventions are
   * checked here, once; runs do not check them again.
   */
  static async load(bytes: Uint8Array, runtime: OrtRuntime, options: StyleModelOptions = {}): Promise<StyleModel> {
    expectInstance('bytes', bytes, Uint8Array);
    expectOptions<StyleModelOptions>('options', options);
    const proto = decodeModel(bytes);
    const signature = inferSignature(proto);
    const conventions = resolveModelConventions(proto, options.conventions, {
      inputLayout: signature.input.layout,
      outputLayout: signature.output.layout,
      batch: signature.input.batch,
      outputBatch: signature.output.batch,
    });
    assertThreeChannels(signature.input, conventions.input.layout, 'input');
    assertThreeChannels(signature.output, conventions.output.layout, 'output');
    let session: InferenceSession;
    try {
      session = await runtime.createSession(bytes, options.sessionOptions);
    } catch (cause) {
      throw new PasticheError(
        'E_MODEL_LOAD',
        `${runtime.name} could not create a session for this model: ${(cause as Error)?.message ?? cause}`,
        { cause },
      );
    }
    const metadata = proto.metadataProps;
    return new StyleModel({
      name: options.name ?? metadata[METADATA_KEYS.name] ?? 'model',
      metadata,
      signature,
      conventions,
      session,
      runtime,
      device: options.sessionOptions?.executionProviders?.map((ep) => (typeof ep === 'string' ? ep : ep.name)).join(','),
      proto,
      sessionOptions: options.sessionOptions,
    });
  }

  /** Human title from metadata, falling back to the name. */
  get title(): string {
    return this.metadata[METADATA_KEYS.title] ?? this.name;
  }

  /** The runtime that owns the session, e.g. `onnxruntime-node`. */
  get runtimeName(): string {
    return this.runtime.name;
  }

  /**
   * Runs the network on one image whose size the model accepts (a multiple of `sizeMultiple`, or
   * exactly `fixedSize`). Planning (resize, padding, tiling) happens in `stylizePlanar`, which also checks the
   * image once: `run` is the pipeline's kernel and checks nothing (the output's shape is checked, it comes from
   * the model).
   */
  run(image: PlanarImage): Promise<PlanarImage> {
    const result = this.queue.then(() => this.runNow(image));
    this.queue = result.catch(() => undefined);
    return result;
  }

  private async runNow(image: PlanarImage): Promise<PlanarImage> {
    const session = this.session;
    if (!session) throw new PasticheError('E_DISPOSED', `Style model '${this.name}' was disposed; load it again.`);
    const { data, dims } = planarToTensorUnchecked(image, this.conventions.input);
    const feeds = { [this.signature.input.name]: this.runtime.createTensor(data, dims) };
    let outputs: InferenceSession.OnnxValueMapType;
    try {
      outputs = await session.run(feeds, [this.signature.output.name]);
    } catch (cause) {
      throw new PasticheError(
        'E_INFERENCE',
        `Running '${this.name}' on a ${image.width}×${image.height} image failed: ${(cause as Error)?.message ?? cause}`,
        { cause },
      );
    }
    const out = outputs[this.signature.output.name] as unknown as { data: unknown; dims: readonly number[]; dispose?: () => void };
    try {
      if (!(out.data instanceof Float32Array)) {
        throw new PasticheError('E_INFERENCE', `Model '${this.name}' returned ${describeTensorType(out.data)}; expected float32.`);
      }
      this.checkFinite(out.data, image);
      return tensorToPlanarUnchecked(out.data, out.dims, this.conventions.output);
    } finally {
      out.dispose?.();
    }
  }

  /**
   * Throws E_NUMERIC when the output holds NaN or ±Infinity: converted to 8 bits they would come out as black or
   * white pixels, and the run would look like a success. One pass, a fraction of the run's own time.
   */
  private checkFinite(data: Float32Array, image: PlanarImage): void {
    let bad = 0;
    for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i])) bad++;
    if (bad === 0) return;
    const on = this.device ? ` on ${this.device}` : '';
    throw new PasticheError(
      'E_NUMERIC',
      `Style network '${this.name}' returned ${bad} NaN or infinite value${bad === 1 ? '' : 's'} (of ${data.length})${on} for a ` +
        `${image.width}×${image.height} image, which would come out as black or white pixels. The model is broken or overflows: ` +
        `try the CPU device, a float32 export of the model, or another model.`,
    );
  }

  /** The model's graph as loaded. Read it, do not change it: derived graphs copy what they change. */
  get graph(): ModelProto {
    return this.proto;
  }

  /** A float32 tensor of the model's runtime. */
  createTensor(data: Float32Array, dims: readonly number[]): Tensor {
    return this.runtime.createTensor(data, dims);
  }

  /**
   * Opens a session on a graph derived from this model's, with the model's runtime and session options plus `config`
   * (onnxruntime session config entries, e.g. `session.intra_op.allow_spinning`); `dispose()` releases it too.
   * Creation errors are E_MODEL_LOAD, a model already disposed E_DISPOSED.
   */
  openDerivedSession(graph: ModelProto, label: string, config: Readonly<Record<string, string>> = {}): Promise<DerivedSession> {
    return this.derived.openSession(graph, label, config);
  }

  /** Releases the session once the runs queued before it have finished, and the derived sessions. Further runs raise E_DISPOSED. */
  async dispose(): Promise<void> {
    const session = this.session;
    this.session = undefined;
    await this.queue;
    await session?.release();
    await this.derived.releaseAll();
  }
}

function describeTensorType(data: unknown): string {
  return data && typeof data === 'object' ? `a ${(data as object).constructor.name}` : typeof data;
}
