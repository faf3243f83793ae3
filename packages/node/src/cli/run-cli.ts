import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { readFile } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import {
  BUILTIN_CATALOG,
  DEFAULT_LOSS_NETWORK,
  PasticheError,
  type ArbitraryProgress,
  type GatysProgress,
  type LoadProgress,
  type StylizeProgress,
} from '@pastiche/core';
import { convertTflite, isTfliteBytes } from '@pastiche/core/converters';
import { writeFileAtomic } from '../atomic-write.js';
import { exportGradientGraphs } from '../export-grad.js';
import { loadArbitraryStylizer, loadStyle, loadStyleOptimizer, predictStyle, type ArbitraryStylizer, type StyleOptimizer, type Stylizer } from '../index.js';
import { modelSearchPath, type ModelLocationOptions } from '../model-store.js';
import type { StylizedImage } from '../stylized-image.js';
import { parseCliArgs, type CliCommand, type StylizeCommand } from './cli-args.js';
import { expandInputs } from './expand-inputs.js';
import { helpText } from './help.js';
import { runModelsCommand } from './models-command.js';
import { planOutputs } from './output-paths.js';
import { ProgressBar, type CliStream } from './progress-bar.js';
import { UsageError } from './usage-error.js';
import { packageVersion } from './version.js';

export type { CliStream };

export interface CliStreams {
  stdout: CliStream;
  stderr: CliStream;
}

function listStyles(json: boolean, locations: ModelLocationOptions, { stdout }: CliStreams): void {
  const dirs = modelSearchPath(locations);
  for (const style of BUILTIN_CATALOG.styles) {
    const installed = dirs.some((d) => existsSync(join(d, style.file)));
    if (json) {
      stdout.write(JSON.stringify({ name: style.name, title: style.title, license: style.license, installed }) + '\n');
    } else {
      const isDefault = style.name === BUILTIN_CATALOG.default ? '  [default]' : '';
      const mark = installed ? '' : '  (not on this machine: fetched on first use, or `pastiche models pull`)';
      stdout.write(`${style.name.padEnd(20)} ${style.title.padEnd(22)} ${style.license}${isDefault}${mark}\n`);
    }
  }
}

const megabytes = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

/** Load progress on the bar: downloads with their size, then nothing once the model is ready. */
function showLoadProgress(bar: ProgressBar, event: LoadProgress): void {
  switch (event.status) {
    case 'initiate':
      bar.update(undefined, `fetching ${event.name} from ${event.url}`, true);
      break;
    case 'download':
      bar.update(undefined, `${event.cached ? 'reading the cached' : 'downloading'} ${event.name}`, true);
      break;
    case 'progress':
      bar.update(
        event.progress === undefined ? undefined : event.progress / 100,
        `downloading ${event.name} ${megabytes(event.loaded)}${event.total === undefined ? '' : ` of ${megabytes(event.total)}`}`,
      );
      break;
    case 'done':
      bar.update(1, `${event.name} ${megabytes(event.bytes)}`, true);
      break;
    case 'ready':
      bar.clear();
      break;
  }
}

/** Loads the method's model once (a style network, the loss network's gradient graphs, or both arbitrary networks) for every input. */
async function loadRunner(command: StylizeCommand, bar: ProgressBar, styleName: string) {
  const onLoadProgress = (event: LoadProgress) => showLoadProgress(bar, event);
  if (command.method === 'arbitrary') {
    bar.update(undefined, 'loading the style predictor and transfer network…', true);
    const stylizer: ArbitraryStylizer = await loadArbitraryStylizer({ ...command.load, onLoadProgress });
    const style =
      command.styleVectors.length > 0
        ? { styleVectors: command.styleVectors.map(({ vector, weight }) => ({ vector, weight })) }
        : { styleImages: command.styleImages.map(({ image, weight }) => ({ image, weight })) };
    const steps = { style: 'style vector', content: "the photo's own style vector", transfer: 'transfer network' } as const;
    return {
      stylizer: stylizer as Stylizer | StyleOptimizer | ArbitraryStylizer,
      run: (input: string, onProgress: (fraction: number, detail: string) => void) =>
        stylizer.stylize(input, style, { ...command.run, onProgress: ({ done, total, step }: ArbitraryProgress) => onProgress(done / total, steps[step]) }),
    };
  }
  if (command.method === 'fast') {
    bar.update(undefined, `loading ${styleName}…`, true);
    const stylizer: Stylizer = await loadStyle(command.style, { ...command.load, onLoadProgress });
    return {
      stylizer: stylizer as Stylizer | StyleOptimizer | ArbitraryStylizer,
      run: (input: string, onProgress: (fraction: number, detail: string) => void) =>
        stylizer.stylize(input, {
          ...command.run,
          onProgress: ({ done, total }: StylizeProgress) => onProgress(done / total, total > 1 ? `tile ${done}/${total}` : ''),
        }),
    };
  }
  bar.update(undefined, `building the gradient graphs of ${String(command.load.lossNetwork ?? DEFAULT_LOSS_NETWORK)}…`, true);
  const optimizer: StyleOptimizer = await loadStyleOptimizer({ ...command.load, onLoadProgress });
  const style = { styleImages: command.styleImages };
  return {
    stylizer: optimizer as Stylizer | StyleOptimizer | ArbitraryStylizer,
    run: (input: string, onProgress: (fraction: number, detail: string) => void) =>
      optimizer.stylize(input, style, {
        ...command.run,
        onProgress: (p: GatysProgress) => {
          const done = (p.scale - 1) * p.iterations + p.iteration;
          onProgress(
            done / (p.scales * p.iterations),
            `scale ${p.scale}/${p.scales} ${p.width}×${p.height} iteration ${p.iteration}/${p.iterations} loss ${p.loss.toPrecision(4)}`,
          );
        },
      }),
  };
}

/** The name outputs are called after: the style network, `gatys-<loss network>`, or `arbitrary-<first painting or vector file>`. */
function styleNameOf(command: StylizeCommand): string {
  if (command.method === 'fast') return command.style;
  if (command.method === 'optimization') return `gatys-${String(command.load.lossNetwork ?? DEFAULT_LOSS_NETWORK)}`;
  const first = command.styleVectors[0]?.file ?? command.styleImages[0].image;
  return `arbitrary-${basename(first, extname(first))}`;
}

/** Files a run reads besides its inputs, which no output may overwrite. */
function readFiles(command: StylizeCommand): string[] {
  if (command.method === 'fast') return [command.style];
  const images = command.styleImages.map((s) => s.image);
  return command.method === 'arbitrary' ? [...images, ...command.styleVectors.map((s) => s.file)] : images;
}

async function stylizeAll(command: StylizeCommand, streams: CliStreams): Promise<number> {
  const styleName = styleNameOf(command);
  const inputs = await expandInputs(command.inputs);
  const outputs = await planOutputs(inputs, styleName, command.output, command.outDir ?? '.', readFiles(command));
  const bar = new ProgressBar(streams.stderr);
  const count = inputs.length;
  try {
    // Loaded once up front: a bad style is one clear error, not one per image.
    const { stylizer, run } = await loadRunner(command, bar, styleName);
    let failures = 0;
    try {
      for (const [i, input] of inputs.entries()) {
        // The counter and the run's own progress first: a long path is what the terminal's width cuts.
        const label = (detail: string) => [count > 1 ? `${i + 1}/${count}` : '', detail, input].filter(Boolean).join(' ');
        bar.update(i / count, label(''), true);
        let image: StylizedImage;
        try {
          image = await run(input, (fraction, detail) => bar.update((i + fraction) / count, label(detail)));
          await mkdir(dirname(outputs[i]), { recursive: true });
          await image.toFile(outputs[i], { quality: command.quality });
        } catch (error) {
          bar.clear();
          failures++;
          streams.stderr.write(`pastiche: ${input}: ${oneLine(error)}\n`);
          continue;
        }
        const { model, device, ms } = image.info;
        bar.clear();
        if (command.json) {
          const record = { input, output: outputs[i], width: image.width, height: image.height, ms: Math.round(ms), device, model };
          streams.stdout.write(JSON.stringify(record) + '\n');
        } else {
          streams.stdout.write(`${input} → ${outputs[i]} (${image.width}×${image.height}, ${Math.round(ms)} ms, ${device})\n`);
        }
      }
    } finally {
      await stylizer.dispose();
    }
    if (failures > 0 && count > 1) streams.stderr.write(`pastiche: ${failures} of ${count} images failed\n`);
    return failures === 0 ? 0 : 1;
  } finally {
    bar.clear();
  }
}

/** An error's message on one line (a runtime's may hold several), so that each failure is one line of stderr. */
function oneLine(error: unknown): string {
  return String((error as Error)?.message ?? error).replace(/\s*\n\s*/g, ' ').trim();
}

async function exportGrad(command: Extract<CliCommand, { command: 'export-grad' }>, { stdout }: CliStreams): Promise<number> {
  const paths = await exportGradientGraphs(command.outDir, command.options);
  stdout.write(command.json ? JSON.stringify(paths) + '\n' : `${paths.features}\n${paths.lossGrad}\n`);
  return 0;
}

/** `pastiche predict-style`: each painting's style vector, as JSON to -o or one line each on stdout. */
async function predictStyles(command: Extract<CliCommand, { command: 'predict-style' }>, streams: CliStreams): Promise<number> {
  const inputs = await expandInputs(command.inputs);
  if (command.output !== undefined && inputs.length > 1) throw new UsageError(`-o/--output takes a single input but '${command.inputs[0]}' matches ${inputs.length} files`, 'predict-style');
  const bar = new ProgressBar(streams.stderr);
  let failures = 0;
  try {
    for (const input of inputs) {
      bar.update(undefined, `predicting the style of ${input}`, true);
      try {
        const vector = await predictStyle(input, { ...command.options, onLoadProgress: (event) => showLoadProgress(bar, event) });
        bar.clear();
        if (command.output !== undefined) {
          await mkdir(dirname(command.output), { recursive: true });
          await writeFileAtomic(command.output, new TextEncoder().encode(JSON.stringify(vector) + '\n'));
          streams.stdout.write(`${input} → ${command.output} (${vector.values.length} numbers, ${vector.predictor})\n`);
        } else {
          streams.stdout.write(JSON.stringify(vector) + '\n');
        }
      } catch (error) {
        bar.clear();
        failures++;
        streams.stderr.write(`pastiche: ${input}: ${oneLine(error)}\n`);
      }
    }
  } finally {
    bar.clear();
  }
  if (failures > 0 && inputs.length > 1) streams.stderr.write(`pastiche: ${failures} of ${inputs.length} images failed\n`);
  return failures === 0 ? 0 : 1;
}

/** `pastiche convert in.tflite -o out.onnx`, written atomically. */
async function convert(command: Extract<CliCommand, { command: 'convert' }>, { stdout }: CliStreams): Promise<number> {
  const bytes = new Uint8Array(await readFile(command.input));
  if (!isTfliteBytes(bytes)) {
    throw new PasticheError('E_CONVERT', `${command.input} is no TensorFlow Lite model (no 'TFL3' file identifier at byte 4); pastiche convert reads .tflite files.`);
  }
  const started = performance.now();
  const onnx = convertTflite(bytes, { file: basename(command.input), quantizedActivations: command.quantizedActivations });
  await mkdir(dirname(command.output), { recursive: true });
  await writeFileAtomic(command.output, onnx);
  stdout.write(`${command.input} → ${command.output} (${(onnx.length / 1e6).toFixed(1)} MB, ${Math.round(performance.now() - started)} ms)\n`);
  return 0;
}

/** The whole CLI: returns the exit code instead of exiting, so that it stays testable. */
export async function runCli(argv: string[], streams: CliStreams): Promise<number> {
  try {
    const command = parseCliArgs(argv);
    switch (command.command) {
      case 'help':
        streams.stdout.write(helpText(command.topic));
        return 0;
      case 'version':
        streams.stdout.write(`${packageVersion()}\n`);
        return 0;
      case 'list-styles':
        listStyles(command.json, command.locations, streams);
        return 0;
      case 'export-grad':
        return await exportGrad(command, streams);
      case 'models':
        return await runModelsCommand(command, streams);
      case 'predict-style':
        return await predictStyles(command, streams);
      case 'convert':
        return await convert(command, streams);
      case 'stylize':
        return await stylizeAll(command, streams);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      const help = error.topic === 'stylize' ? 'pastiche --help' : `pastiche ${error.topic} --help`;
      streams.stderr.write(`pastiche: ${error.message} (see ${help})\n`);
      return 2;
    }
    streams.stderr.write(`pastiche: ${oneLine(error)}\n`);
    return 1;
  }
}
