import { resolveStylizeOptions, type StylizeOptions } from '../methods/fast/stylize-options.js';
import { stylizeResolved, type RunnableStyleModel } from '../methods/fast/stylize-planar.js';
import { checkPixelLimit } from '../image/image-header.js';
import type { PlanarImage, RawImage } from '../image/image-types.js';
import { rawToPlanar } from '../image/pixels.js';
import type { ModelConventions } from '../models/model-conventions.js';
import { StyleModel } from '../models/style-model.js';
import type { KernelContext } from './kernel-context.js';
import { typed } from './run-scope.js';
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
  /**
   * Ends the runs in flight (each finishes or fails with E_DISPOSED), then releases the session (shared sessions
   * live until their last user lets go). Later calls fail with E_DISPOSED.
   */
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

/**
 * The model as the fast method runs it: the same runs, but an output of another size than its input (which the
 * method resizes back) is warned about once per model instead of passing silently.
 */
function checkedRuns<Image, Result>(context: KernelContext<Image, Result>, model: StyleModel, device: string): RunnableStyleModel {
  return {
    name: model.name,
    fixedSize: model.fixedSize,
    conventions: model.conventions,
    derivable: model,
    async run(image: PlanarImage): Promise<PlanarImage> {
      const output = await model.run(image);
      if (output.width !== image.width || output.height !== image.height) {
        context.warnOnce(
          model,
          `Style model '${model.name}' (${device}) returned a ${output.width}×${output.height} image for a ${image.width}×${image.height} input; ` +
            `Pastiche resizes its outputs back to the input's size, which blurs or crops the style. A style network should keep the size ` +
            `(export it with padding that does, or set pastiche.size_multiple to the multiple it needs).`,
          'PASTICHE_OUTPUT_SIZE',
        );
      }
      return output;
    },
  };
}

/** A stylizer over a held model; `hold` is undefined for a model the caller owns. */
export function createStylizer<Image, Result>(
  context: KernelContext<Image, Result>,
  model: StyleModel,
  device: string,
  hold: SessionHold<LoadedStyleModel> | undefined,
): TimedStylizer<Image, Result> {
  const info = describeStyleModel(model, device);
  const runs = context.runs.child(`This stylizer of '${info.model}'`, 'load the style again');
  const runnable = checkedRuns(context, model, device);
  let released: Promise<void> | undefined;
  return {
    info,
    stylize(input: Image, options?: StylizeOptions): Promise<Result> {
      return this.run(input, options, performance.now());
    },
    async run(input: Image, options: StylizeOptions | undefined, started: number): Promise<Result> {
      const resolved = resolveStylizeOptions(context.runOptions('fast', options));
      context.checkImage(input, 'input');
      // A fixed-size network runs on at least its input size, whatever the image: that too is within maxPixels.
      if (model.fixedSize) {
        checkPixelLimit(model.fixedSize.width, model.fixedSize.height, resolved.maxPixels, `the fixed input size of '${info.model}'`, 'Pass a larger maxPixels to allow it.');
      }
      return runs.run(resolved.signal, async (signal) => {
        let raw: RawImage | undefined = await typed('E_IMAGE_DECODE', 'Decoding the input image', () =>
          context.platform.decodeImage(input, signal, { maxPixels: resolved.maxPixels }),
        );
        // The planar copy is this run's own, which tiled runs may overwrite with the result; the decoded bytes go now.
        const planar = rawToPlanar(raw);
        raw = undefined;
        const output = await typed(
          'E_INFERENCE',
          `Stylizing with '${info.model}' on ${device}`,
          () => stylizeResolved(runnable, planar, { ...resolved, signal }, { reuseContent: true, spill: context.platform.checkpointSpill }),
          true,
        );
        return context.platform.createResult(output, { model: info.model, device, ms: performance.now() - started } satisfies StylizeInfo);
      });
    },
    dispose(): Promise<void> {
      // Runs in flight end (E_DISPOSED) before the session is let go: onnxruntime must not release a running session.
      released ??= runs.dispose().then(() => hold?.release());
      return released;
    },
  };
}
