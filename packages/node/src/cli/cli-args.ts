import { parseArgs } from 'node:util';
import { NODE_DEVICES, type NodeDevice } from '../devices.js';
import { formatForPath } from '../stylized-image.js';

/** A command-line mistake: printed as one line with exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

export const HELP = `Usage: pastiche <inputs…> [--style <name|file.onnx|url>] [-o out | --out-dir dir] [options]
       pastiche <inputs…> --style-image <image[:weight]>… [optimisation options]
       pastiche export-grad [--loss-net n] [--content-layers a,b] [--style-layers a,b] [--pooling average] [--out-dir dir]

Stylizes images with a feed-forward style network (built-in styles or any ONNX style model), or by
optimisation against style images (Gatys et al.). Inputs are image files or quoted globs ('photos/*.jpg').

Options:
  -s, --style <style>      built-in style name, path or URL to an .onnx model (default: the catalog default)
  -o, --output <file>      output file for a single input (.png, .jpg, .webp, .avif, .tiff)
  -d, --out-dir <dir>      folder for outputs, named <input>-<style>.<ext> (default: the current folder)
      --size <N>           resize so the longest side is N pixels
      --tile <N>           largest tile side for big images (0 never tiles)
      --fixed-size <mode>  for fixed-size models: tile (default) or resize
      --preserve-colors    keep the photo's colours, transfer only luminance
      --strength <x>       0..1, blend with the original (default 1)
      --device <d>         ${NODE_DEVICES.join(' | ')} (default cpu)
      --model-dir <dir>    folder with built-in models (default: PASTICHE_MODELS, then models/onnx)
      --quality <q>        JPEG/WebP/AVIF quality 1..100
      --json               print one JSON object per output
      --list-styles        list the built-in styles and exit
  -h, --help               show this help

Optimisation (with --style-image; repeat it to blend styles, weight after a colon: starry.jpg:0.3):
      --loss-net <n>       squeezenet (default, fast) | vgg19 | file.onnx
      --iterations <N>     optimiser iterations per scale (default 100)
      --scales <N>         coarse-to-fine scales (default 3)
      --size <N>           longest side of the result (default 512)
      --optimizer <o>      lbfgs (default) | adam
      --init <i>           content (default) | noise | blend
      --seed <N>           seed of the noise (default 0)
      --content-weight, --style-weight, --tv-weight <x>   loss weights (defaults 1, 10, 0.01)
      --style-scale <x>    style image size relative to the content (default 1)
      --content-layers, --style-layers <a,b>   loss-network layers (defaults from the network)
      --pooling <p>        max (default) | average
`;

/** Options of the optimisation method; undefined fields take the library's defaults. */
export interface CliOptimizeOptions {
  styleImages: { image: string; weight: number }[];
  lossNetwork: string | undefined;
  iterations: number | undefined;
  scales: number | undefined;
  optimizer: 'lbfgs' | 'adam' | undefined;
  init: 'content' | 'noise' | 'blend' | undefined;
  seed: number | undefined;
  contentWeight: number | undefined;
  styleWeight: number | undefined;
  tvWeight: number | undefined;
  styleScale: number | undefined;
  contentLayers: string[] | undefined;
  styleLayers: string[] | undefined;
  pooling: 'max' | 'average' | undefined;
}

export interface CliOptions {
  command: 'stylize' | 'export-grad';
  optimize: CliOptimizeOptions;
  inputs: string[];
  style: string | undefined;
  output: string | undefined;
  outDir: string | undefined;
  size: number | undefined;
  tile: number | false | undefined;
  fixedSize: 'tile' | 'resize' | undefined;
  preserveColors: boolean;
  strength: number | undefined;
  device: NodeDevice | undefined;
  modelDir: string | undefined;
  quality: number | undefined;
  json: boolean;
  listStyles: boolean;
  help: boolean;
}

function number(flag: string, value: string | undefined, min: number, max = Infinity): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !(n >= min && n <= max)) {
    throw new UsageError(`--${flag} expects a number ${max === Infinity ? `≥ ${min}` : `from ${min} to ${max}`}, got '${value}'`);
  }
  return n;
}

function choice<T extends string>(flag: string, value: string | undefined, allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) throw new UsageError(`--${flag} expects one of ${allowed.join(', ')}, got '${value}'`);
  return value as T;
}

/** `starry.jpg` or `starry.jpg:0.3` (a weight after the last colon). */
function styleImage(spec: string): { image: string; weight: number } {
  const match = /^(.*):([0-9]*\.?[0-9]+)$/.exec(spec);
  return match ? { image: match[1], weight: Number(match[2]) } : { image: spec, weight: 1 };
}

const list = (value: string | undefined) => value?.split(',').map((s) => s.trim()).filter(Boolean);

function integer(flag: string, value: string | undefined, min: number, max = Infinity): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max) {
    throw new UsageError(`--${flag} expects an integer ${max === Infinity ? `≥ ${min}` : `from ${min} to ${max}`}, got '${value}'`);
  }
  return n;
}

/** Parses and validates argv, so that mistakes are reported before any image is read. */
export function parseCliArgs(argv: string[]): CliOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        style: { type: 'string', short: 's' },
        output: { type: 'string', short: 'o' },
        'out-dir': { type: 'string', short: 'd' },
        size: { type: 'string' },
        tile: { type: 'string' },
        'fixed-size': { type: 'string' },
        'preserve-colors': { type: 'boolean', default: false },
        strength: { type: 'string' },
        device: { type: 'string' },
        'model-dir': { type: 'string' },
        quality: { type: 'string' },
        json: { type: 'boolean', default: false },
        'list-styles': { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
        'style-image': { type: 'string', multiple: true },
        'loss-net': { type: 'string' },
        iterations: { type: 'string' },
        scales: { type: 'string' },
        optimizer: { type: 'string' },
        init: { type: 'string' },
        seed: { type: 'string' },
        'content-weight': { type: 'string' },
        'style-weight': { type: 'string' },
        'tv-weight': { type: 'string' },
        'style-scale': { type: 'string' },
        'content-layers': { type: 'string' },
        'style-layers': { type: 'string' },
        pooling: { type: 'string' },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message.split('\n')[0]);
  }
  const v = parsed.values;
  const command = parsed.positionals[0] === 'export-grad' ? 'export-grad' : 'stylize';
  const positionals = command === 'export-grad' ? parsed.positionals.slice(1) : parsed.positionals;
  const optimize: CliOptimizeOptions = {
    styleImages: (v['style-image'] ?? []).map(styleImage),
    lossNetwork: v['loss-net'],
    iterations: integer('iterations', v.iterations, 1),
    scales: integer('scales', v.scales, 1),
    optimizer: choice('optimizer', v.optimizer, ['lbfgs', 'adam'] as const),
    init: choice('init', v.init, ['content', 'noise', 'blend'] as const),
    seed: integer('seed', v.seed, 0),
    contentWeight: number('content-weight', v['content-weight'], 0),
    styleWeight: number('style-weight', v['style-weight'], 0),
    tvWeight: number('tv-weight', v['tv-weight'], 0),
    styleScale: number('style-scale', v['style-scale'], 0.01),
    contentLayers: list(v['content-layers']),
    styleLayers: list(v['style-layers']),
    pooling: choice('pooling', v.pooling, ['max', 'average'] as const),
  };
  const strength = v.strength === undefined ? undefined : Number(v.strength);
  if (strength !== undefined && (v.strength!.trim() === '' || !(strength >= 0 && strength <= 1))) {
    throw new UsageError(`--strength expects a number from 0 to 1, got '${v.strength}'`);
  }
  if (v.device !== undefined && !(NODE_DEVICES as readonly string[]).includes(v.device)) {
    throw new UsageError(`--device expects one of ${NODE_DEVICES.join(', ')}, got '${v.device}'`);
  }
  if (v['fixed-size'] !== undefined && v['fixed-size'] !== 'tile' && v['fixed-size'] !== 'resize') {
    throw new UsageError(`--fixed-size expects tile or resize, got '${v['fixed-size']}'`);
  }
  const tile = integer('tile', v.tile, 0);
  if (tile !== undefined && tile > 0 && tile < 32) throw new UsageError(`--tile expects 0 or at least 32, got '${v.tile}'`);
  const options: CliOptions = {
    command,
    optimize,
    inputs: positionals,
    style: v.style,
    output: v.output,
    outDir: v['out-dir'],
    size: integer('size', v.size, 1),
    tile: tile === 0 ? false : tile,
    fixedSize: v['fixed-size'] as CliOptions['fixedSize'],
    preserveColors: v['preserve-colors'] ?? false,
    strength,
    device: v.device as NodeDevice | undefined,
    modelDir: v['model-dir'],
    quality: integer('quality', v.quality, 1, 100),
    json: v.json ?? false,
    listStyles: v['list-styles'] ?? false,
    help: v.help ?? false,
  };
  if (options.help || options.listStyles || command === 'export-grad') return options;
  if (options.style !== undefined && optimize.styleImages.length > 0) throw new UsageError('use either --style or --style-image, not both');
  if (options.inputs.length === 0) throw new UsageError('no input images given');
  if (options.output !== undefined && options.outDir !== undefined) throw new UsageError('use either -o/--output or --out-dir, not both');
  if (options.output !== undefined) {
    try {
      formatForPath(options.output);
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  }
  return options;
}
