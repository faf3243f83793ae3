import { existsSync, statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import {
  BUILTIN_CATALOG,
  expectInteger,
  expectNumber,
  findCatalogLossNetwork,
  findCatalogStyle,
  lossNetworkNames,
  resolveGatysOptions,
  resolveStylizeOptions,
} from '@pastiche/core';
import type { ExportGradientOptions } from '../export-grad.js';
import type { LoadOptimizerOptions, LoadStyleOptions, OptimizeRunOptions, StylizeOptions } from '../index.js';
import { builtInModelNames, findBuiltInModel } from '../model-admin.js';
import type { ModelLocationOptions } from '../model-store.js';
import { formatForPath } from '../stylized-image.js';
import { FLAGS, MODELS_COMMANDS, flagForOption, flagName, type Flag, type ModelsAction } from './flags.js';
import { UsageError, type HelpTopic } from './usage-error.js';

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

export type StylizeCommand = FastCommand | OptimizationCommand;

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
function pick(values: Values, method: 'fast' | 'optimization', target: 'load' | 'run'): Values {
  const picked: Values = {};
  for (const f of FLAGS) {
    if (f.target === target && (f.method === method || f.method === 'both') && values[f.option] !== undefined) picked[f.option] = values[f.option];
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

/**
 * `--style` and `--loss-net`: a built-in name (a loss network's alias too), an http(s) URL, or a file that exists.
 * Anything else is a usage error before any work, rather than a failed load after the inputs were planned.
 */
function checkModelFlag(values: Values, option: 'style' | 'lossNetwork'): void {
  const value = values[option] as string | undefined;
  if (value === undefined || /^https?:\/\//i.test(value)) return;
  const builtIn = option === 'style' ? findCatalogStyle(BUILTIN_CATALOG, value) : findCatalogLossNetwork(BUILTIN_CATALOG, value);
  if (builtIn) return;
  const name = flagName(flagForOption(option)!);
  if (existsSync(value)) {
    if (statSync(value).isDirectory()) throw new UsageError(`${name} '${value}' is a folder, not an .onnx file`);
    return;
  }
  const names = option === 'style' ? BUILTIN_CATALOG.styles.map((s) => s.name) : lossNetworkNames(BUILTIN_CATALOG);
  const what = /[\\/]|\.onnx$/i.test(value) ? `file '${value}' does not exist` : `expects a built-in name (${names.join(', ')}), an .onnx file or an http(s) URL, got '${value}'`;
  throw new UsageError(`${name} ${what}`);
}

/** `starry.jpg` or `starry.jpg:0.3` (a weight after the last colon, unless the whole text names a file). */
function styleImage(spec: string): StyleImageArgument {
  const match = existsSync(spec) ? null : /^(.+):(\d*\.?\d+)$/.exec(spec);
  const image = match ? match[1] : spec;
  if (!existsSync(image)) throw new UsageError(`--style-image '${image}' does not exist`);
  return { image, weight: match ? Number(match[2]) : 1 };
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
    throw new UsageError(parseArgsMessage(error), argv.includes('export-grad') ? 'export-grad' : argv.includes('models') ? 'models' : 'stylize');
  }
  const first = parsed.positionals[0];
  const topic: HelpTopic = first === 'export-grad' || first === 'models' ? first : 'stylize';
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

  if (values.listStyles) {
    checkFolder(values, 'modelDir');
    return { command: 'list-styles', json: values.json === true, locations };
  }
  if (values.style !== undefined && values.styleImages !== undefined) throw new UsageError('use either --style or --style-image, not both');
  const method = values.styleImages === undefined ? 'fast' : 'optimization';
  for (const f of given) {
    if (f.method === 'models') throw new UsageError(`${flagName(f)} is a flag of pastiche models`);
    if (method === 'optimization' && f.method === 'fast') throw new UsageError(`${flagName(f)} does not apply to --style-image (the optimisation method)`);
    if (method === 'fast' && f.method === 'optimization') throw new UsageError(`${flagName(f)} applies only with --style-image (the optimisation method)`);
  }
  const load = pick(values, method, 'load');
  const run = pick(values, method, 'run');
  if (method === 'fast') {
    check(() => resolveStylizeOptions(run), raw, values);
  } else {
    check(() => resolveGatysOptions({ ...run, contentLayers: load.contentLayers as string[], styleLayers: load.styleLayers as string[] }), raw, values);
  }
  checkFolder(values, 'modelDir');
  checkModelFlag(values, method === 'fast' ? 'style' : 'lossNetwork');

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
  const styleImages = (values.styleImages as string[]).map(styleImage);
  return { command: 'stylize', method, styleImages, load, run, ...outputs };
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
