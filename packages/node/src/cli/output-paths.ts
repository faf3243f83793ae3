import { realpath, stat } from 'node:fs/promises';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { resolveWriteTarget } from '../atomic-write.js';
import { UsageError } from './usage-error.js';

const KEEP_EXTENSIONS = new Set(['.png', '.jpg', '.jpeg', '.webp', '.avif', '.tif', '.tiff']);

/** `<dir>/<name>-<style><ext>`, keeping the input's format when it can be written, else PNG. */
export function outputPathFor(input: string, style: string, outDir: string): string {
  const ext = extname(input).toLowerCase();
  const styleSlug = basename(style, '.onnx').replace(/[^\w.-]+/g, '_');
  return join(outDir, `${basename(input, extname(input))}-${styleSlug}${KEEP_EXTENSIONS.has(ext) ? ext : '.png'}`);
}

/** The real path of a folder, where the part that does not exist yet (the output's new folders) is kept as written. */
async function realFolder(folder: string): Promise<string> {
  try {
    return await realpath(folder);
  } catch {
    const parent = dirname(folder);
    return parent === folder ? folder : join(await realFolder(parent), basename(folder));
  }
}

/**
 * What a path names, as a file: the device and inode of an existing file (so that another spelling, a symbolic link
 * or a hard link compare equal), else where it would be created: the real path of its folder plus its name (through a
 * symbolic link that points nowhere yet, as the write would go).
 */
async function fileIdentity(path: string): Promise<string> {
  try {
    const info = await stat(path);
    if (info.ino !== 0) return `file ${info.dev}:${info.ino}`;
  } catch {
    // Not there (yet), or not readable: compare where it is.
  }
  let target = resolve(path);
  try {
    target = await resolveWriteTarget(path);
  } catch {
    // A link loop or a file where a folder should be: the write fails on its own; compare the path as written.
  }
  return `path ${join(await realFolder(dirname(target)), basename(target))}`;
}

/**
 * Plans every output up front: no two inputs may write the same file, and no input (nor any of `otherInputs`, such as
 * the style images, where they exist) is overwritten, however the output names it.
 */
export async function planOutputs(
  inputs: string[],
  style: string,
  output: string | undefined,
  outDir: string,
  otherInputs: readonly string[] = [],
): Promise<string[]> {
  if (output !== undefined && inputs.length > 1) {
    throw new UsageError(`-o/--output takes a single input but ${inputs.length} were given; use --out-dir`);
  }
  const outputs = inputs.map((input) => (output !== undefined ? output : outputPathFor(input, style, outDir)));
  const read = new Map<string, string>();
  for (const input of inputs) {
    const id = await fileIdentity(input);
    if (!read.has(id)) read.set(id, input);
  }
  const others = new Map<string, string>();
  for (const other of otherInputs) {
    const exists = await stat(other).then(
      (s) => s.isFile(),
      () => false,
    );
    if (exists) others.set(await fileIdentity(other), other);
  }
  const seen = new Map<string, string>();
  for (const [i, out] of outputs.entries()) {
    const id = await fileIdentity(out);
    const input = read.get(id);
    if (input !== undefined) {
      const same = resolve(input) === resolve(out) ? '' : ` (the same file as '${input}')`;
      throw new UsageError(`output '${out}' would overwrite an input image${same}`);
    }
    const other = others.get(id);
    if (other !== undefined) throw new UsageError(`output '${out}' would overwrite '${other}', which this run reads`);
    const earlier = seen.get(id);
    if (earlier !== undefined) throw new UsageError(`inputs '${earlier}' and '${inputs[i]}' would both write '${out}'`);
    seen.set(id, inputs[i]);
  }
  return outputs;
}
