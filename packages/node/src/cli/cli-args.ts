import { existsSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  BUILTIN_CATALOG,
  arbitraryNetworkNames,
  expectInteger,
  expectNumber,
  expectStyleVector,
  findCatalogArbitraryNetwork,
  findCatalogLossNetwork,
  findCatalogStyle,
  lossNetworkNames,
  resolveArbitraryOptions,
  resolveGatysOptions,
  resolveStylizeOptions,
  type QuantizedActivations,
} from '@pastiche/core';
import type { ExportGradientOptions } from '../export-grad.js';
import type {
  ArbitraryOptions,
  LoadArbitraryOptions,
  LoadOptimizerOptions,
  LoadStyleOptions,
  OptimizeRunOptions,
  PredictStyleOptions,
  StylizeOptions,
} from '../index.js';
import { builtInModelNames, findBuiltInModel } from '../model-admin.js';
import type { ModelLocationOptions } from '../model-store.js';
import { formatForPath } from '../stylized-image.js';
import { FLAGS, MODELS_COMMANDS, appliesTo, flagForOption, flagName, type Flag, type ModelsAction, type StylizeMethod } from './flags.js';
import { SUBCOMMANDS, UsageError, type HelpTopic } from './usage-error.js';

export { UsageError, type HelpTopic };

/** A style image and its share of the blend (`starry.jpg:0.3`). */
export interface StyleImageArgument {
  image: string;
  weight: number;
}

/** Where the results go. */
export interface OutputArguments {
  /** Input files and glob patterns, as given. */
  inputs: string[];
  output: string | undefined;
  outDir: string | undefined;
  quality: number | undefined;
  json: boolean;
}

export interface FastCommand extends OutputArguments {
  command: 'stylize';
  method: 'fast';
  style: string;
  load: LoadStyleOptions;
  run: StylizeOptions;
}

export interface OptimizationCommand extends OutputArguments {
  command: 'stylize';
  method: 'optimization';
  styleImages: StyleImageArgument[];
  load: LoadOptimizerOptions;
  run: OptimizeRunOptions;
}

/** A kept style vector (a JSON file from `pastiche predict-style`) and its share of the blend (`v.json:0.3`). */
export interface StyleVectorArgument {
  file: string;
  vector: Float32Array;
  weight: number;
}

export interface ArbitraryCommand extends OutputArguments {
  command: 'stylize';
  method: 'arbitrary';
  /** The style images, or none when the styles are kept vectors. */
  styleImages: StyleImageArgument[];
  styleVectors: StyleVectorArgument[];
  load: LoadArbitraryOptions;
  run: ArbitraryOptions;
}

export type StylizeCommand = FastCommand | OptimizationCommand | ArbitraryCommand;

/** `pastiche predict-style <images…> [-o v.json]`: the style vector of each painting. */
export interface PredictStyleCommand {
  command: 'predict-style';
  /** Input files and glob patterns, as given. */
  inputs: string[];
  output: string | undefined;
  options: PredictStyleOptions;
}

/** `pastiche convert in.tflite -o out.onnx`. */
export interface ConvertCommand {
  command: 'convert';
  input: string;
  output: string;
  quantizedActivations: QuantizedActivations | undefined;
}

/** `pastiche models <action>`: model names are the catalog's (an alias is resolved), checked before any download. */
export interface ModelsCommand {
  command: 'models';
  action: ModelsAction;
  /** Catalog names given to pull or clear; `all` for pull --all (clear with no names clears all). */
  names: string[];
  all: boolean;
  json: boolean;
  locations: ModelLocationOptions;
  remoteHost: string | undefined;
}

/** A command line, checked: nothing here has read an image or loaded a model. */
export type CliCommand =
  | { command: 'help'; topic: HelpTopic }
  | { command: 'version' }
  | { command: 'list-styles'; json: boolean; locations: ModelLocationOptions }
  | { command: 'export-grad'; outDir: string; json: boolean; options: ExportGradientOptions }
  | ModelsCommand
  | PredictStyleCommand
  | ConvertCommand
  | StylizeCommand;

type Values = Record<string, unknown>;

/** parseArgs' configuration, from the flag table. */
const PARSE_OPTIONS = Object.fromEntries(
  FLAGS.map((f) => [f.flag, { type: f.kind === 'boolean' ? 'boolean' : 'string', ...(f.short && { short: f.short }), ...(f.multiple && { multiple: true }) }]),
) as Record<string, { type: 'boolean' | 'string'; short?: string; multiple?: boolean }>;

const SHORT = new Map(FLAGS.filter((f) => f.short).map((f) => [`-${f.short}`, f]));
const LONG = new Map(FLAGS.map((f) => [`--${f.flag}`, f]));

/**
 * parseArgs refuses `--iterations -1` as ambiguous (the value starts with a dash); a negative number after a flag
 * that takes a value is that flag's value, passed on as `--iterations=-1`, so that the range check can speak.
 */
function joinNegativeNumbers(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') return [...out, ...argv.slice(i)];
    const flag = LONG.get(arg) ?? SHORT.get(arg);
    if (flag && flag.kind !== 'boolean' && i + 1 < argv.length && /^-(\d|\.\d)/.test(argv[i + 1])) {
      out.push(`--${flag.flag}=${argv[++i]}`);
    } else {
      out.push(arg);
    }
  }
  return out;
}

/** `a positive integer`, `an integer ≥ 32`, `one of …`: core's expectations read as a sentence. */
function withArticle(expected: string): string {
  if (/^(a|an|one of|at least)\b/.test(expected)) return expected;
  return `${/^[aeiou]/i.test(expected) ? 'an' : 'a'} ${expected}`;
}

/**
 * Core's argument errors (`Expected <what> for <option> but received <value>`, TypeError or RangeError) as the
 * command line's: `--flag expects <what>, got '<text>'`. Other errors pass through.
 */
function usageErrorFrom(error: unknown, raw: ReadonlyMap<string, string>, values: Values): unknown {
  if (!(error instanceof TypeError || error instanceof RangeError)) return error;
  const match = /^Expected (.+) for (\w+)(?:\[(\d+)\])? but received (.+)$/s.exec(error.message);
  const flag = match ? flagForOption(match[2]) : undefined;
  if (!match || !flag) return new UsageError(error.message);
  let expected = flag.zeroMeansFalse ? match[1].replace(/ or false$/, ' or 0') : match[1];
  if (flag.zeroMeansUnlimited) expected = expected.replace(/ or Infinity$/, ', or 0 or Infinity for no limit');
  const item = match[3] === undefined ? undefined : (values[flag.option] as unknown[] | undefined)?.[Number(match[3])];
  return new UsageError(`${flagName(flag)} expects ${withArticle(expected)}, got '${item ?? raw.get(flag.flag) ?? match[4]}'`);
}

/** Runs a core resolver, turning its TypeError/RangeError into a usage error. */
function check(resolve: () => unknown, raw: ReadonlyMap<string, string>, values: Values): void {
  try {
    resolve();
  } catch (error) {
    throw usageErrorFrom(error, raw, values);
  }
}

/** One flag's text as its option value; types and the CLI's own bounds here, the library's bounds in its resolvers. */
function convert(flag: Flag, text: string | boolean): unknown {
  const name = flagName(flag);
  if (flag.kind === 'boolean') return text === true;
  const value = String(text);
  switch (flag.kind) {
    case 'integer':
    case 'number': {
      if (flag.zeroMeansUnlimited && /^\s*(0|\+?Infinity)\s*$/.test(value)) return Infinity;
      const n = value.trim() === '' ? NaN : Number(value);
      if (!Number.isFinite(n)) throw new UsageError(`${name} expects ${flag.kind === 'integer' ? 'an integer' : 'a number'}, got '${value}'`);
      if (flag.zeroMeansFalse && n === 0) return false;
      if (flag.min !== undefined || flag.max !== undefined) {
        const bounds = { min: flag.min, max: flag.max };
        check(() => (flag.kind === 'integer' ? expectInteger(flag.option, n, bounds) : expectNumber(flag.option, n, bounds)), new Map([[flag.flag, value]]), {});
      }
      return n;
    }
    case 'choice':
      if (!flag.choices!.includes(value)) throw new UsageError(`${name} expects one of ${flag.choices!.join(', ')}, got '${value}'`);
      return value;
    case 'list': {
      const items = value.split(',').map((s) => s.trim()).filter(Boolean);
      if (items.length === 0) throw new UsageError(`${name} expects comma-separated names, got '${value}'`);
      return items;
    }
    case 'string':
      if (value === '') throw new UsageError(`${name} expects a value, got ''`);
      return value;
    case 'url':
      if (!/^https?:\/\/[^/]/i.test(value)) throw new UsageError(`${name} expects an http(s) URL, got '${value}'`);
      return value;
  }
}

/** The options of one method and target (`load` or `run`), named as the library names them. */
function pick(values: Values, method: StylizeMethod, target: 'load' | 'run'): Values {
  const picked: Values = {};
  for (const f of FLAGS) {
    if (f.target === target && appliesTo(f, method) && values[f.option] !== undefined) picked[f.option] = values[f.option];
  }
  return picked;
}

function checkFolder(values: Values, option: string): void {
  const dir = values[option] as string | undefined;
  if (dir === undefined) return;
  const name = flagName(flagForOption(option)!);
  if (!existsSync(dir)) throw new UsageError(`${name} '${dir}' does not exist`);
  if (!statSync(dir).isDirectory()) throw new UsageError(`${name} '${dir}' is not a folder`);
}

type ModelOption = 'style' | 'lossNetwork' | 'predictor' | 'transferNetwork';

/** Built-in names a model flag takes, and whether `name` is one of them. */
const MODEL_FLAGS: Readonly<Record<ModelOption, { names: () => string[]; has: (name: string) => boolean }>> = {
  style: { names: () => BUILTIN_CATALOG.styles.map((s) => s.name), has: (name) => !!findCatalogStyle(BUILTIN_CATALOG, name) },
  lossNetwork: { names: () => lossNetworkNames(BUILTIN_CATALOG), has: (name) => !!findCatalogLossNetwork(BUILTIN_CATALOG, name) },
  predictor: { names: () => arbitraryNetworkNames(BUILTIN_CATALOG, 'predictor'), has: (name) => !!findCatalogArbitraryNetwork(BUILTIN_CATALOG, name, 'predictor') },
  transferNetwork: { names: () => arbitraryNetworkNames(BUILTIN_CATALOG, 'transfer'), has: (name) => !!findCatalogArbitraryNetwork(BUILTIN_CATALOG, name, 'transfer') },
};

/**
 * `--style`, `--loss-net`, `--predictor` and `--transfer-net`: a built-in name (a loss network's alias too), an
 * http(s) URL, or a file that exists. Anything else is a usage error before any work, rather than a failed load after
 * the inputs were planned.
 */
function checkModelFlag(values: Values, option: ModelOption): void {
  const value = values[option] as string | undefined;
  if (value === undefined || /^https?:\/\//i.test(value)) return;
  if (MODEL_FLAGS[option].has(value)) return;
  const name = flagName(flagForOption(option)!);
  if (existsSync(value)) {
    if (statSync(value).isDirectory()) throw new UsageError(`${name} '${value}' is a folder, not an .onnx file`);
    return;
  }
  const names = MODEL_FLAGS[option].names();
  const what = /[\\/]|\.(onnx|tflite)$/i.test(value)
    ? `file '${value}' does not exist`
    : `expects a built-in name (${names.join(', ')}), an .onnx or .tflite file or an http(s) URL, got '${value}'`;
  throw new UsageError(`${name} ${what}`);
}

/** `starry.jpg` or `starry.jpg:0.3` (a weight after the last colon, unless the whole text names a file). */
function styleImage(spec: string): StyleImageArgument {
  const match = existsSync(spec) ? null : /^(.+):(\d*\.?\d+)$/.exec(spec);
  const image = match ? match[1] : spec;
  if (!existsSync(image)) throw new UsageError(`--style-image '${image}' does not exist`);
  return { image, weight: match ? Number(match[2]) : 1 };
}

/** `v.json` or `v.json:0.3`: a style vector file (what `pastiche predict-style` writes), read and checked now. */
function styleVector(spec: string): StyleVectorArgument {
  const match = existsSync(spec) ? null : /^(.+):(\d*\.?\d+)$/.exec(spec);
  const file = match ? match[1] : spec;
  if (!existsSync(file)) throw new UsageError(`--style-vector '${file}' does not exist`);
  if (statSync(file).isDirectory()) throw new UsageError(`--style-vector '${file}' is a folder, not a JSON file`);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UsageError(`--style-vector '${file}' is not JSON (${(error as Error).message})`);
  }
  try {
    return { file, vector: expectStyleVector('styleVector', json), weight: match ? Number(match[2]) : 1 };
  } catch (error) {
    throw new UsageError(`--style-vector '${file}' holds no style vector: ${(error as Error).message}; write one with pastiche predict-style`);
  }
}

/** The first line of parseArgs' message, without its advice on `--` (which is not what the user meant). */
function parseArgsMessage(error: unknown): string {
  return String((error as Error).message).split('\n')[0].replace(/\. To specify a positional argument.*$/, '');
}

/** Parses and checks argv completely, so that every mistake is reported before any image is read or model loaded. */
export function parseCliArgs(argv: string[]): CliCommand {
  let parsed: Parsed;
  try {
    parsed = parseArgs({ args: joinNegativeNumbers(argv), options: PARSE_OPTIONS, allowPositionals: true, strict: true });
  } catch (error) {
    if (!String((error as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS_')) throw error;
    throw new UsageError(parseArgsMessage(error), SUBCOMMANDS.find((command) => argv.includes(command)) ?? 'stylize');
  }
  const first = parsed.positionals[0];
  const topic: HelpTopic = SUBCOMMANDS.find((command) => command === first) ?? 'stylize';
  if (parsed.values.help) return { command: 'help', topic };
  if (parsed.values.version && topic === 'stylize') return { command: 'version' };
  try {
    return checkCommand(parsed, topic);
  } catch (error) {
    throw error instanceof UsageError && error.topic !== topic ? new UsageError(error.message, topic) : error;
  }
}

type Parsed = { values: Record<string, string | boolean | (string | boolean)[] | undefined>; positionals: string[] };

function checkCommand(parsed: Parsed, topic: HelpTopic): CliCommand {
  const given = FLAGS.filter((f) => parsed.values[f.flag] !== undefined);
  const exportGrad = topic === 'export-grad';
  if (topic === 'models') return checkModelsCommand(parsed, given);
  if (topic === 'predict-style' || topic === 'convert') {
    const refused = given.find((f) => !(topic === 'convert' ? f.convert : f.predictStyle));
    if (refused) throw new UsageError(`${flagName(refused)} is not a flag of ${topic}`);
  }

  const values: Values = {};
  const raw = new Map<string, string>();
  for (const f of given) {
    const text = parsed.values[f.flag] as string | boolean | string[];
    raw.set(f.flag, Array.isArray(text) ? text.join(' ') : String(text));
    values[f.option] = Array.isArray(text) ? text.map((t) => convert(f, t)) : convert(f, text);
  }
  const locations = { modelDir: values.modelDir, cacheDir: values.cacheDir } as ModelLocationOptions;

  if (exportGrad) {
    const refused = given.find((f) => !f.exportGrad);
    if (refused) throw new UsageError(`${flagName(refused)} is not a flag of export-grad`);
    if (parsed.positionals.length > 1) throw new UsageError(`export-grad takes no inputs, got '${parsed.positionals[1]}'`);
    const { contentLayers, styleLayers } = values as { contentLayers?: string[]; styleLayers?: string[] };
    check(() => resolveGatysOptions({ contentLayers, styleLayers }), raw, values);
    checkFolder(values, 'modelDir');
    checkModelFlag(values, 'lossNetwork');
    const options = pick(values, 'optimization', 'load') as ExportGradientOptions;
    return { command: 'export-grad', outDir: (values.outDir as string | undefined) ?? '.', json: values.json === true, options };
  }

  if (topic === 'predict-style') return checkPredictStyleCommand(parsed, values, raw);
  if (topic === 'convert') return checkConvertCommand(parsed, values);

  if (values.listStyles) {
    checkFolder(values, 'modelDir');
    return { command: 'list-styles', json: values.json === true, locations };
  }
  const method = stylizeMethod(values);
  for (const f of given) {
    if (f.method === 'models' || f.method === 'convert') throw new UsageError(`${flagName(f)} is a flag of pastiche ${f.method}`);
    if (f.method === 'cli' || appliesTo(f, method)) continue;
    if (method === 'optimization' && appliesTo(f, 'fast')) throw new UsageError(`${flagName(f)} does not apply to --style-image (the optimisation method)`);
    if (method === 'arbitrary') throw new UsageError(`${flagName(f)} does not apply to --method arbitrary`);
    if (appliesTo(f, 'optimization')) throw new UsageError(`${flagName(f)} applies only with --style-image (the optimisation method)`);
    throw new UsageError(`${flagName(f)} applies only with --method arbitrary (or --style-vector)`);
  }
  const load = pick(values, method, 'load');
  const run = pick(values, method, 'run');
  if (method === 'fast') {
    check(() => resolveStylizeOptions(run), raw, values);
  } else if (method === 'optimization') {
    check(() => resolveGatysOptions({ ...run, contentLayers: load.contentLayers as string[], styleLayers: load.styleLayers as string[] }), raw, values);
  } else {
    check(() => resolveArbitraryOptions(run), raw, values);
  }
  checkFolder(values, 'modelDir');
  if (method === 'arbitrary') {
    checkModelFlag(values, 'predictor');
    checkModelFlag(values, 'transferNetwork');
  } else {
    checkModelFlag(values, method === 'fast' ? 'style' : 'lossNetwork');
  }

  const outputs: OutputArguments = {
    inputs: parsed.positionals,
    output: values.output as string | undefined,
    outDir: values.outDir as string | undefined,
    quality: values.quality as number | undefined,
    json: values.json === true,
  };
  if (outputs.inputs.length === 0) throw new UsageError('no input images given');
  if (outputs.output !== undefined && outputs.outDir !== undefined) throw new UsageError('use either -o/--output or --out-dir, not both');
  // Before the inputs are looked at (a glob is checked again once expanded).
  if (outputs.output !== undefined && outputs.inputs.length > 1) {
    throw new UsageError(`-o/--output takes a single input but ${outputs.inputs.length} were given; use --out-dir`);
  }
  if (outputs.output !== undefined) check(() => formatForPath(outputs.output!), raw, values);

  if (method === 'fast') {
    return { command: 'stylize', method, style: (values.style as string | undefined) ?? BUILTIN_CATALOG.default, load, run, ...outputs };
  }
  const styleImages = ((values.styleImages as string[] | undefined) ?? []).map(styleImage);
  if (method === 'optimization') return { command: 'stylize', method, styleImages, load, run, ...outputs };
  const styleVectors = ((values.styleVectors as string[] | undefined) ?? []).map(styleVector);
  for (const [flag, list] of [['--style-image', styleImages], ['--style-vector', styleVectors]] as const) {
    if (list.length > 0 && !list.some((s) => s.weight > 0)) throw new UsageError(`${flag} expects at least one weight above 0`);
  }
  return { command: 'stylize', method, styleImages, styleVectors, load, run, ...outputs };
}

/** The method a stylize command runs: --style-vector and --method arbitrary choose the arbitrary method, --style-image alone the optimisation method. */
function stylizeMethod(values: Values): StylizeMethod {
  const images = values.styleImages !== undefined;
  const vectors = values.styleVectors !== undefined;
  if (values.style !== undefined && (images || vectors)) throw new UsageError(`use either --style or ${images ? '--style-image' : '--style-vector'}, not both`);
  if (images && vectors) throw new UsageError('use either --style-image or --style-vector, not both (make a vector of the image with pastiche predict-style)');
  if (values.method === undefined) return vectors ? 'arbitrary' : images ? 'optimization' : 'fast';
  if (!images && !vectors) throw new UsageError('--method applies only with --style-image');
  if (vectors && values.method !== 'arbitrary') throw new UsageError('--style-vector needs --method arbitrary (style vectors are the arbitrary method\'s)');
  return values.method as StylizeMethod;
}

/** `pastiche predict-style <images…> [-o v.json] [--predictor …]`. */
function checkPredictStyleCommand(parsed: Parsed, values: Values, raw: ReadonlyMap<string, string>): PredictStyleCommand {
  const inputs = parsed.positionals.slice(1);
  if (inputs.length === 0) throw new UsageError('predict-style expects the images of one or more paintings', 'predict-style');
  const output = values.output as string | undefined;
  if (output !== undefined && inputs.length > 1) throw new UsageError(`-o/--output takes a single input but ${inputs.length} were given; without it, each vector is one line of stdout`, 'predict-style');
  if (output !== undefined && existsSync(output) && statSync(output).isDirectory()) throw new UsageError(`-o/--output '${output}' is a folder`, 'predict-style');
  if (output !== undefined && resolve(output) === resolve(inputs[0])) throw new UsageError(`-o/--output '${output}' is the input`, 'predict-style');
  const options = pick(values, 'arbitrary', 'load');
  delete options.transferNetwork;
  if (values.maxPixels !== undefined) {
    options.maxPixels = values.maxPixels;
    check(() => resolveArbitraryOptions({ maxPixels: values.maxPixels }), raw, values);
  }
  checkFolder(values, 'modelDir');
  checkModelFlag(values, 'predictor');
  return { command: 'predict-style', inputs, output, options: options as PredictStyleOptions };
}

/** `pastiche convert in.tflite -o out.onnx`. */
function checkConvertCommand(parsed: Parsed, values: Values): ConvertCommand {
  const inputs = parsed.positionals.slice(1);
  if (inputs.length !== 1) throw new UsageError(`convert expects one .tflite file, got ${inputs.length}`, 'convert');
  const [input] = inputs;
  if (!existsSync(input)) throw new UsageError(`input '${input}' does not exist`, 'convert');
  if (statSync(input).isDirectory()) throw new UsageError(`input '${input}' is a folder, not a .tflite file`, 'convert');
  const output = values.output as string | undefined;
  if (output === undefined) throw new UsageError('convert expects -o/--output <file.onnx>', 'convert');
  if (existsSync(output) && statSync(output).isDirectory()) throw new UsageError(`-o/--output '${output}' is a folder`, 'convert');
  if (resolve(output) === resolve(input)) throw new UsageError(`-o/--output '${output}' is the input`, 'convert');
  return { command: 'convert', input, output, quantizedActivations: values.quantizedActivations as QuantizedActivations | undefined };
}

const MODELS_ACTIONS = Object.keys(MODELS_COMMANDS) as ModelsAction[];

/** `pastiche models <action> [names…] [flags]`: the action, its flags and its names, all checked before any work. */
function checkModelsCommand(parsed: Parsed, given: Flag[]): ModelsCommand {
  const [, action, ...rest] = parsed.positionals;
  if (action === undefined) throw new UsageError(`models expects a command: ${MODELS_ACTIONS.join(', ')}`, 'models');
  if (!Object.hasOwn(MODELS_COMMANDS, action)) {
    throw new UsageError(`models expects a command (${MODELS_ACTIONS.join(', ')}), got '${action}'`, 'models');
  }
  const spec = MODELS_COMMANDS[action as ModelsAction];
  const flags: readonly string[] = spec.flags;
  const refused = given.find((f) => !flags.includes(f.flag));
  if (refused) throw new UsageError(`${flagName(refused)} is not a flag of models ${action}`, 'models');

  const values: Values = {};
  for (const f of given) values[f.option] = convert(f, parsed.values[f.flag] as string | boolean);
  const all = values.all === true;
  if (spec.names === 'none' && rest.length > 0) throw new UsageError(`models ${action} takes no model names, got '${rest[0]}'`, 'models');
  if (spec.names === 'required' && all === (rest.length > 0)) {
    throw new UsageError(all ? `use either model names or --all, not both` : `models ${action} expects model names or --all`, 'models');
  }
  const names = rest.map((name) => {
    const found = findBuiltInModel(name);
    if (!found) throw new UsageError(`unknown model '${name}': expected one of ${builtInModelNames().join(', ')}`, 'models');
    return found.entry.name;
  });
  checkFolder(values, 'modelDir');
  return {
    command: 'models',
    action: action as ModelsAction,
    names: [...new Set(names)],
    all,
    json: values.json === true,
    locations: { modelDir: values.modelDir, cacheDir: values.cacheDir } as ModelLocationOptions,
    remoteHost: values.remoteHost as string | undefined,
  };
}
