import { basename, extname, join, resolve } from 'node:path';
import { UsageError } from './usage-error.js';

const KEEP_EXTENSIONS = new Set(['.png', '.jpg', '.jpeg', '.webp', '.avif', '.tif', '.tiff']);

/** `<dir>/<name>-<style><ext>`, keeping the input's format when it can be written, else PNG. */
export function outputPathFor(input: string, style: string, outDir: string): string {
  const ext = extname(input).toLowerCase();
  const styleSlug = basename(style, '.onnx').replace(/[^\w.-]+/g, '_');
  return join(outDir, `${basename(input, extname(input))}-${styleSlug}${KEEP_EXTENSIONS.has(ext) ? ext : '.png'}`);
}

/** Plans every output up front: no two inputs may write the same file, and no input is overwritten. */
export function planOutputs(inputs: string[], style: string, output: string | undefined, outDir: string): string[] {
  if (output !== undefined && inputs.length > 1) {
    throw new UsageError(`-o/--output takes a single input but ${inputs.length} were given; use --out-dir`);
  }
  const outputs = inputs.map((input) => (output !== undefined ? output : outputPathFor(input, style, outDir)));
  const inputSet = new Set(inputs.map((i) => resolve(i)));
  const seen = new Map<string, string>();
  outputs.forEach((out, i) => {
    const abs = resolve(out);
    if (inputSet.has(abs)) throw new UsageError(`output '${out}' would overwrite an input image`);
    const other = seen.get(abs);
    if (other) throw new UsageError(`inputs '${other}' and '${inputs[i]}' would both write '${out}'`);
    seen.set(abs, inputs[i]);
  });
  return outputs;
}
