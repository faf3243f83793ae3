import {
  BUILTIN_CATALOG,
  DEFAULT_CONTENT_WEIGHT,
  DEFAULT_GATYS_ITERATIONS,
  DEFAULT_GATYS_LEARNING_RATE,
  DEFAULT_GATYS_SCALES,
  DEFAULT_GATYS_SIZE,
  DEFAULT_INIT_NOISE,
  DEFAULT_LOSS_NETWORK,
  DEFAULT_MAX_PIXELS,
  DEFAULT_POOLING,
  DEFAULT_REMOTE_HOST,
  DEFAULT_STRENGTH,
  DEFAULT_STYLE_PREDICTOR,
  DEFAULT_TRANSFER_NETWORK,
  DEFAULT_STYLE_SCALE,
  DEFAULT_STYLE_WEIGHT,
  DEFAULT_TILE_LIMIT,
  DEFAULT_TILE_MODE,
  DEFAULT_TILE_OVERLAP,
  DEFAULT_TV_WEIGHT,
  MAX_GATYS_SCALES,
  MAX_IMAGE_SIDE,
  MAX_SEED,
  MAX_STYLE_SCALE,
  MIN_GATYS_SIZE,
  MIN_TILE,
  QUANTIZED_ACTIVATIONS,
  STYLE_IMAGE_METHODS,
  arbitraryNetworkNames,
  lossNetworkNames,
  resolveGatysOptions,
  resolveStylizeOptions,
  type FixedSizeMode,
  type GatysInit,
  type OptimizerKind,
  type Pooling,
  type TileMode,
} from '@pastiche/core';
import { NODE_DEVICES } from '../devices.js';

/** How a flag's text becomes an option value. */
export type FlagKind = 'integer' | 'number' | 'choice' | 'boolean' | 'string' | 'list' | 'url';
/** The stylization methods: style networks, optimisation against style images, and the arbitrary method. */
export type StylizeMethod = 'fast' | 'optimization' | 'arbitrary';

/**
 * Which stylization method a flag belongs to: one method, several (a list), `all` of them; `cli` flags are the
 * command line's own (files, output, help), `models` flags belong to `pastiche models` alone, `convert` flags to
 * `pastiche convert`.
 */
export type FlagMethod = StylizeMethod | readonly StylizeMethod[] | 'all' | 'cli' | 'models' | 'convert';

/**
 * One command-line flag. The parser's configuration, the checks, the help text and the option objects handed to
 * `loadStyle` / `loadStyleOptimizer` / `stylize` are all derived from {@link FLAGS}.
 */
export interface Flag {
  /** Long name, without the dashes. */
  flag: string;
  short?: string;
  /** Name of the option it sets: the library's option name for `load`/`run` flags, the CLI's own otherwise. */
  option: string;
  kind: FlagKind;
  method: FlagMethod;
  /** Where the value goes: the load options, the run options, or the CLI itself. */
  target: 'load' | 'run' | 'cli';
  /** Also a flag of `pastiche export-grad`; a string is its help text there. */
  exportGrad?: boolean | string;
  /** Also a flag of `pastiche models` (see {@link MODELS_COMMANDS} for which command takes it); a string is its help text there. */
  models?: boolean | string;
  /** Also a flag of `pastiche predict-style`; a string is its help text there. */
  predictStyle?: boolean | string;
  /** Also a flag of `pastiche convert`; a string is its help text there. */
  convert?: boolean | string;
  /** May be repeated (the values are collected in order). */
  multiple?: boolean;
  /** Placeholder of the value in the help text. */
  arg?: string;
  help: string;
  /** The default, for the help text (undefined: none, or said in `help`). */
  default?: string | number;
  /** Bounds checked by the CLI itself (the library's options are bounded by its resolvers). */
  min?: number;
  max?: number;
  choices?: readonly string[];
  /** `0` stands for `false` (e.g. `--tile 0` never tiles). */
  zeroMeansFalse?: boolean;
  /** `0` and `Infinity` stand for no limit (`Infinity`, e.g. `--max-pixels 0`). */
  zeroMeansUnlimited?: boolean;
}

/** Every value of a string union, from a record over it (so that a new member is a type error here). */
const keysOf = <T extends string>(record: Record<T, unknown>) => Object.keys(record) as T[];

const FIXED_SIZE_MODES = keysOf<FixedSizeMode>({ tile: 1, resize: 1 });
const TILE_MODES = keysOf<TileMode>({ exact: 1, fast: 1 });
const OPTIMIZERS = keysOf<OptimizerKind>({ lbfgs: 1, adam: 1 });
const INITS = keysOf<GatysInit>({ content: 1, noise: 1, blend: 1 });
const POOLINGS = keysOf<Pooling>({ max: 1, average: 1 });

/** The library's defaults of the values that have no exported constant (resolving no options applies them). */
const FAST = resolveStylizeOptions({});
const GATYS = resolveGatysOptions({});

/** JPEG/WebP/AVIF quality: sharp's range. */
const QUALITY = { min: 1, max: 100 } as const;

export const FLAGS: readonly Flag[] = Object.freeze([
  // The command line's own.
  { flag: 'style', short: 's', option: 'style', kind: 'string', method: 'fast', target: 'cli', arg: '<style>',
    help: 'built-in style name (--list-styles), or path or URL of an .onnx style network', default: BUILTIN_CATALOG.default },
  { flag: 'style-image', option: 'styleImages', kind: 'string', method: ['optimization', 'arbitrary'], target: 'cli', multiple: true, arg: '<img[:w]>',
    help: 'style image (the optimisation method, or --method arbitrary); repeat it to blend styles, weight after a colon (starry.jpg:0.3)' },
  { flag: 'method', option: 'method', kind: 'choice', method: ['optimization', 'arbitrary'], target: 'cli', arg: '<m>', choices: STYLE_IMAGE_METHODS,
    help: 'method for --style-image: optimization (iterations, slow) or arbitrary (one pass)', default: STYLE_IMAGE_METHODS[0] },
  { flag: 'output', short: 'o', option: 'output', kind: 'string', method: 'cli', target: 'cli', arg: '<file>',
    predictStyle: 'JSON file for the style vector (a single input); without it, one JSON line per input on stdout',
    convert: 'the .onnx file to write (written atomically)',
    help: 'output file for a single input (.png, .jpg, .webp, .avif, .tiff)' },
  { flag: 'out-dir', short: 'd', option: 'outDir', kind: 'string', method: 'cli', target: 'cli', arg: '<dir>',
    exportGrad: 'folder for <network>.features.onnx and <network>.loss-grad.onnx',
    help: 'folder for the outputs, named <input>-<style>.<ext>', default: 'the current folder' },
  { flag: 'quality', option: 'quality', kind: 'integer', method: 'cli', target: 'cli', arg: '<q>', ...QUALITY,
    help: `JPEG/WebP/AVIF quality, ${QUALITY.min}..${QUALITY.max}`, default: "sharp's default" },
  { flag: 'json', option: 'json', kind: 'boolean', method: 'cli', target: 'cli', exportGrad: 'print the two paths as one JSON object { features, lossGrad }',
    models: 'print one JSON object per model (path: one object with the search path)',
    help: 'print one JSON object per output' },
  { flag: 'list-styles', option: 'listStyles', kind: 'boolean', method: 'cli', target: 'cli',
    help: 'list the built-in styles (and whether each is built) and exit' },
  { flag: 'help', short: 'h', option: 'help', kind: 'boolean', method: 'cli', target: 'cli', exportGrad: true, models: true, predictStyle: true, convert: true,
    help: 'show this help' },
  { flag: 'version', option: 'version', kind: 'boolean', method: 'cli', target: 'cli', help: 'print the version of @pastiche/node' },

  // Every method.
  { flag: 'size', option: 'size', kind: 'integer', method: 'all', target: 'run', arg: '<N>',
    help: `longest side of the result in pixels: 1..${MAX_IMAGE_SIDE} for style networks and --method arbitrary (default: keep the size), ` +
      `${MIN_GATYS_SIZE}..${MAX_IMAGE_SIDE} for the optimisation method (default ${DEFAULT_GATYS_SIZE})` },
  { flag: 'max-pixels', option: 'maxPixels', kind: 'integer', method: 'all', target: 'run', arg: '<N>', zeroMeansUnlimited: true, predictStyle: true,
    help: 'refuse images (and sizes) with more pixels than this, read from the header before decoding; 0 or Infinity for no limit',
    default: DEFAULT_MAX_PIXELS },
  { flag: 'preserve-colors', option: 'preserveColors', kind: 'boolean', method: 'all', target: 'run',
    help: "keep the photo's colours, transfer only luminance" },
  { flag: 'device', option: 'device', kind: 'choice', method: 'all', target: 'load', arg: '<d>', choices: NODE_DEVICES.names, predictStyle: true,
    help: `where models run: ${NODE_DEVICES.names.join(' | ')} (auto tries ${NODE_DEVICES.autoOrder.join(', then ')})`, default: NODE_DEVICES.default },
  { flag: 'model-dir', option: 'modelDir', kind: 'string', method: 'all', target: 'load', exportGrad: true, models: true, predictStyle: true, arg: '<dir>',
    help: 'folder with the built-in models, searched first', default: 'PASTICHE_MODELS, then models/onnx of the repository' },
  { flag: 'cache-dir', option: 'cacheDir', kind: 'string', method: 'all', target: 'load', exportGrad: true, predictStyle: true, arg: '<dir>',
    models: 'the cache folder: where pull keeps models, what verify and clear work on (default: PASTICHE_CACHE, then ~/.cache/pastiche)',
    help: 'cache of downloaded models (built-in models fetched on first use, models by URL)', default: 'PASTICHE_CACHE, then ~/.cache/pastiche' },
  { flag: 'remote-host', option: 'remoteHost', kind: 'url', method: 'all', target: 'load', models: true, predictStyle: true, arg: '<url>',
    help: "host serving the original weights of built-in models under GitHub's raw-file paths (a mirror)",
    default: `PASTICHE_REMOTE_HOST, then ${DEFAULT_REMOTE_HOST}` },

  // pastiche models.
  { flag: 'all', option: 'all', kind: 'boolean', method: 'models', target: 'cli', models: 'every built-in model',
    help: 'with pastiche models pull: every built-in model' },

  // pastiche convert.
  { flag: 'quantized-activations', option: 'quantizedActivations', kind: 'choice', method: 'convert', target: 'cli', arg: '<q>', choices: QUANTIZED_ACTIVATIONS,
    convert: `int8 activations of a full-integer .tflite: ${QUANTIZED_ACTIVATIONS.join(' | ')} (simulate reproduces the TFLite runtime's results; float runs them in float32) (default: ${QUANTIZED_ACTIVATIONS[0]})`,
    help: 'with pastiche convert: how int8 activations are computed' },

  // The fast method (style networks), and the arbitrary method.
  { flag: 'strength', option: 'strength', kind: 'number', method: ['fast', 'arbitrary'], target: 'run', arg: '<x>',
    help: 'style strength: 0 keeps the photo (with --method arbitrary: its own style vector), 1 is the full style', default: DEFAULT_STRENGTH },
  { flag: 'tile', option: 'tile', kind: 'integer', method: ['fast', 'arbitrary'], target: 'run', arg: '<N>', zeroMeansFalse: true,
    help: `largest tile side for big images, ≥ ${MIN_TILE}; 0 never tiles`,
    default: `the largest whose run fits the memory budget, at most ${DEFAULT_TILE_LIMIT}` },
  { flag: 'tile-overlap', option: 'tileOverlap', kind: 'integer', method: ['fast', 'arbitrary'], target: 'run', arg: '<N>',
    help: 'overlap of neighbouring tiles in pixels', default: DEFAULT_TILE_OVERLAP },
  { flag: 'tile-mode', option: 'tileMode', kind: 'choice', method: ['fast', 'arbitrary'], target: 'run', arg: '<mode>', choices: TILE_MODES,
    help: 'tiles normalised with whole-image statistics (exact: as one run over the image) or their own (fast: one pass)',
    default: DEFAULT_TILE_MODE },
  { flag: 'fixed-size', option: 'fixedSize', kind: 'choice', method: 'fast', target: 'run', arg: '<mode>', choices: FIXED_SIZE_MODES,
    help: `models with one input size: ${FIXED_SIZE_MODES.join(' | ')} other sizes`, default: FAST.fixedSize },

  // The arbitrary method (one pass of a style predictor and a transfer network).
  { flag: 'style-vector', option: 'styleVectors', kind: 'string', method: 'arbitrary', target: 'cli', multiple: true, arg: '<json[:w]>',
    help: 'a style vector from pastiche predict-style (implies --method arbitrary); repeat it to blend, weight after a colon (v.json:0.3)' },
  { flag: 'predictor', option: 'predictor', kind: 'string', method: 'arbitrary', target: 'load', predictStyle: true, arg: '<p>',
    help: 'style predictor: a built-in name, or an .onnx or .tflite file or URL', default: DEFAULT_STYLE_PREDICTOR },
  { flag: 'transfer-net', option: 'transferNetwork', kind: 'string', method: 'arbitrary', target: 'load', arg: '<t>',
    help: `style transfer network: ${arbitraryNetworkNames(BUILTIN_CATALOG, 'transfer').join(' | ')}, or an .onnx or .tflite file or URL`,
    default: DEFAULT_TRANSFER_NETWORK },

  // The optimisation method (style images).
  { flag: 'loss-net', option: 'lossNetwork', kind: 'string', method: 'optimization', target: 'load', exportGrad: true, arg: '<n>',
    help: `loss network: ${lossNetworkNames(BUILTIN_CATALOG).join(' | ')}, or an .onnx file`, default: DEFAULT_LOSS_NETWORK },
  { flag: 'content-layers', option: 'contentLayers', kind: 'list', method: 'optimization', target: 'load', exportGrad: true, arg: '<a,b>',
    help: 'content layers of the loss network', default: "the network's" },
  { flag: 'style-layers', option: 'styleLayers', kind: 'list', method: 'optimization', target: 'load', exportGrad: true, arg: '<a,b>',
    help: 'style layers of the loss network', default: "the network's" },
  { flag: 'pooling', option: 'pooling', kind: 'choice', method: 'optimization', target: 'load', exportGrad: true, arg: '<p>', choices: POOLINGS,
    help: `pooling of the loss network: ${POOLINGS.join(' | ')}`, default: DEFAULT_POOLING },
  { flag: 'iterations', option: 'iterations', kind: 'integer', method: 'optimization', target: 'run', arg: '<N>',
    help: 'optimiser iterations per scale', default: DEFAULT_GATYS_ITERATIONS },
  { flag: 'scales', option: 'scales', kind: 'integer', method: 'optimization', target: 'run', arg: '<N>',
    help: `coarse-to-fine scales, 1..${MAX_GATYS_SCALES}`, default: DEFAULT_GATYS_SCALES },
  { flag: 'optimizer', option: 'optimizer', kind: 'choice', method: 'optimization', target: 'run', arg: '<o>', choices: OPTIMIZERS,
    help: OPTIMIZERS.join(' | '), default: GATYS.optimizer },
  { flag: 'learning-rate', option: 'learningRate', kind: 'number', method: 'optimization', target: 'run', arg: '<x>',
    help: "adam's step, in 0..255 pixel units", default: DEFAULT_GATYS_LEARNING_RATE },
  { flag: 'init', option: 'init', kind: 'choice', method: 'optimization', target: 'run', arg: '<i>', choices: INITS,
    help: `start from: ${INITS.join(' | ')}`, default: GATYS.init },
  { flag: 'init-noise', option: 'initNoise', kind: 'number', method: 'optimization', target: 'run', arg: '<x>',
    help: 'share of noise in a blend start, 0..1', default: DEFAULT_INIT_NOISE },
  { flag: 'seed', option: 'seed', kind: 'integer', method: 'optimization', target: 'run', arg: '<N>',
    help: `seed of the noise, 0..${MAX_SEED}`, default: GATYS.seed },
  { flag: 'content-weight', option: 'contentWeight', kind: 'number', method: 'optimization', target: 'run', arg: '<x>',
    help: 'weight of the content loss', default: DEFAULT_CONTENT_WEIGHT },
  { flag: 'style-weight', option: 'styleWeight', kind: 'number', method: 'optimization', target: 'run', arg: '<x>',
    help: 'weight of the style loss', default: DEFAULT_STYLE_WEIGHT },
  { flag: 'tv-weight', option: 'tvWeight', kind: 'number', method: 'optimization', target: 'run', arg: '<x>',
    help: 'weight of total variation (smoothness)', default: DEFAULT_TV_WEIGHT },
  { flag: 'style-scale', option: 'styleScale', kind: 'number', method: 'optimization', target: 'run', arg: '<x>',
    help: `style images' size relative to the content, up to ${MAX_STYLE_SCALE}`, default: DEFAULT_STYLE_SCALE },
] satisfies Flag[]);

/** The commands of `pastiche models`: what each does, the flags it takes, and whether it takes model names. */
export const MODELS_COMMANDS = Object.freeze({
  list: { flags: ['json', 'model-dir', 'cache-dir'], names: 'none', synopsis: 'list [--json]',
    help: 'every built-in model (styles and loss networks): kind, name, title, licence, size, and the folder of its verified copy on this machine' },
  pull: { flags: ['all', 'json', 'model-dir', 'cache-dir', 'remote-host'], names: 'required', synopsis: 'pull <names…> | --all [--json]',
    help: 'download and convert models ahead of time into the cache folder (for offline machines and container images); a verified copy already here is kept' },
  path: { flags: ['json', 'model-dir', 'cache-dir'], names: 'none', synopsis: 'path [--json]',
    help: 'print the cache folder (with --json, every folder searched for models, in order)' },
  verify: { flags: ['json', 'cache-dir'], names: 'none', synopsis: 'verify [--json]',
    help: "check every model in the cache folder against the catalog's sha256: ok or altered (exit 1 if any is altered)" },
  clear: { flags: ['json', 'cache-dir'], names: 'optional', synopsis: 'clear [names…] [--json]',
    help: 'delete the named models, or every model (and models downloaded by URL), from the cache folder only' },
} as const satisfies Record<string, { flags: readonly string[]; names: 'none' | 'optional' | 'required'; synopsis: string; help: string }>);

export type ModelsAction = keyof typeof MODELS_COMMANDS;

/** Whether a flag applies to a stylization method. */
export function appliesTo(flag: Flag, method: StylizeMethod): boolean {
  return flag.method === 'all' || flag.method === method || (Array.isArray(flag.method) && flag.method.includes(method));
}

const BY_FLAG = new Map(FLAGS.map((f) => [f.flag, f]));
const BY_OPTION = new Map(FLAGS.map((f) => [f.option, f]));

export function flagNamed(flag: string): Flag {
  const found = BY_FLAG.get(flag);
  if (!found) throw new Error(`No flag --${flag}`);
  return found;
}

/** The flag that sets an option, for turning the library's messages into the command line's. */
export const flagForOption = (option: string): Flag | undefined => BY_OPTION.get(option);

/** `--tile`, or `-s, --style`. */
export const flagName = (f: Flag) => `--${f.flag}`;
