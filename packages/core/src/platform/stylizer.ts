import { resolveStylizeOptions, type StylizeOptions } from '../methods/fast/stylize-options.js';
import { stylizeResolved } from '../methods/fast/stylize-planar.js';
import { rawToPlanar } from '../image/pixels.js';
import type { ModelConventions } from '../models/model-conventions.js';
import { StyleModel } from '../models/style-model.js';
import { PasticheError } from '../errors.js';
import type { KernelContext } from './kernel-context.js';
import type { SessionHold } from './session-cache.js';
import type { StylizeInfo } from './platform.js';

/** What a loaded style network is and where it runs. */
export interface StylizerInfo {
  /** Catalog name or file name. */
  readonly model: string;
  readonly title: string;
  /** Device or execution providers its session runs on. */
  readonly device: string;
  readonly conventions: ModelConventions;
  /** Set when the network takes one input size only (other sizes are tiled or resized). */
  readonly fixedSize: { width: number; height: number } | undefined;
}

/** A style network loaded once, to stylize many images (the fast method). */
export interface Stylizer<Image, Result> {
  readonly info: StylizerInfo;
  /** Stylizes one image; runs on one stylizer are queued (one session runs one image at a time). */
  stylize(input: Image, options?: StylizeOptions): Promise<Result>;
  /** Releases the session (shared sessions live until their last user lets go). Later calls fail with E_DISPOSED. */
  dispose(): Promise<void>;
}

/** The model inside a session-cache entry, and the device it opened on. */
export interface LoadedStyleModel {
  model: StyleModel;
  device: string;
  dispose(): Promise<void>;
}

export function describeStyleModel(model: StyleModel, device: string): StylizerInfo {
  return Object.freeze({ model: model.name, title: model.title, device, conventions: model.conventions, fixedSize: model.fixedSize });
}

/** A stylizer whose runs can report time from an earlier start (a one-shot call counts its loading too). */
export interface TimedStylizer<Image, Result> extends Stylizer<Image, Result> {
  run(input: Image, options: StylizeOptions | undefined, started: number): Promise<Result>;
}

/** A stylizer over a held model; `hold` is undefined for a model the caller owns. */
export function createStylizer<Image, Result>(
  context: KernelContext<Image, Result>,
  model: StyleModel,
  device: string,
  hold: SessionHold<LoadedStyleModel> | undefined,
): TimedStylizer<Image, Result> {
  let disposed = false;
  const info = describeStyleModel(model, device);
  return {
    info,
    stylize(input: Image, options?: StylizeOptions): Promise<Result> {
      return this.run(input, options, performance.now());
    },
    async run(input: Image, options: StylizeOptions | undefined, started: number): Promise<Result> {
      const resolved = resolveStylizeOptions(context.runOptions('fast', options));
      context.checkImage(input, 'input');
      if (disposed) throw new PasticheError('E_DISPOSED', `This stylizer of '${info.model}' was disposed; load the style again.`);
      const raw = await context.platform.decodeImage(input, resolved.signal, { maxPixels: resolved.maxPixels });
      const output = await stylizeResolved(model, rawToPlanar(raw), resolved);
      return context.platform.createResult(output, { model: info.model, device, ms: performance.now() - started } satisfies StylizeInfo);
    },
    async dispose(): Promise<void> {
      if (disposed) return;
      disposed = true;
      await hold?.release();
    },
  };
}
