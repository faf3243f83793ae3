import type { InferenceSession, Tensor } from 'onnxruntime-common';
import { PasticheError } from '../errors.js';
import { encodeModel } from '../onnx/onnx-codec.js';
import type { ModelProto } from '../onnx/onnx-types.js';
import type { OrtRuntime } from '../runtime/runtime.js';

/** A session on a graph derived from a loaded model's (exact tiling's passes), on the model's runtime and device. */
export interface DerivedSession {
  /** Runs it; onnxruntime's errors become E_INFERENCE, a run after release E_DISPOSED. */
  run(feeds: Record<string, Tensor>, fetches: readonly string[]): Promise<Record<string, Tensor>>;
  release(): Promise<void>;
}

/** What {@link DerivedSessions} needs of the model that owns them. */
export interface DerivedSessionOwner {
  /** The model's name, for messages. */
  readonly name: string;
  readonly runtime: OrtRuntime;
  readonly sessionOptions: InferenceSession.SessionOptions | undefined;
  /** Whether the model is disposed. */
  isDisposed(): boolean;
  /** E_DISPOSED, worded for the model. */
  disposedError(): PasticheError;
}

/**
 * The sessions a loaded model opens on graphs derived from its own, with its runtime and session options; the model's
 * `dispose()` releases them through {@link releaseAll}.
 */
export class DerivedSessions {
  private readonly open = new Set<InferenceSession>();

  constructor(private readonly owner: DerivedSessionOwner) {}

  /**
   * Opens a session on `graph` with the owner's session options plus `config` (onnxruntime session config entries,
   * e.g. `session.intra_op.allow_spinning`). Creation errors are E_MODEL_LOAD, an owner already disposed E_DISPOSED.
   */
  async openSession(graph: ModelProto, label: string, config: Readonly<Record<string, string>> = {}): Promise<DerivedSession> {
    const { name, runtime, sessionOptions } = this.owner;
    if (this.owner.isDisposed()) throw this.owner.disposedError();
    const options = Object.keys(config).length === 0 ? sessionOptions : { ...sessionOptions, extra: { ...sessionOptions?.extra, ...config } };
    let session: InferenceSession;
    try {
      session = await runtime.createSession(encodeModel(graph), options);
    } catch (cause) {
      throw new PasticheError('E_MODEL_LOAD', `${runtime.name} could not create a session for ${label} of '${name}': ${(cause as Error)?.message ?? cause}`, { cause });
    }
    if (this.owner.isDisposed()) {
      await session.release();
      throw this.owner.disposedError();
    }
    this.open.add(session);
    const released = () => !this.open.has(session);
    return {
      run: async (feeds, fetches) => {
        if (released()) throw this.owner.disposedError();
        try {
          return (await session.run(feeds, [...fetches])) as Record<string, Tensor>;
        } catch (cause) {
          throw new PasticheError('E_INFERENCE', `Running ${label} of '${name}' failed: ${(cause as Error)?.message ?? cause}`, { cause });
        }
      },
      release: async () => {
        if (released()) return;
        this.open.delete(session);
        await session.release();
      },
    };
  }

  /** Releases every session still open. */
  async releaseAll(): Promise<void> {
    const sessions = [...this.open];
    this.open.clear();
    await Promise.all(sessions.map((s) => s.release()));
  }
}
