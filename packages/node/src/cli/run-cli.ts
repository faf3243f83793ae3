import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { BUILTIN_CATALOG, DEFAULT_LOSS_NETWORK, type GatysProgress, type LoadProgress, type StylizeProgress } from '@pastiche/core';
import { exportGradientGraphs } from '../export-grad.js';
import { loadStyle, loadStyleOptimizer, type StyleOptimizer, type Stylizer } from '../index.js';
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

/** Loads the method's model once (a style network, or the loss network's gradient graphs) for every input. */
async function loadRunner(command: StylizeCommand, bar: ProgressBar, styleName: string) {
  const onLoadProgress = (event: LoadProgress) => showLoadProgress(bar, event);
  if (command.method === 'fast') {
    bar.update(undefined, `loading ${styleName}…`, true);
    const stylizer: Stylizer = await loadStyle(command.style, { ...command.load, onLoadProgress });
    return {
      stylizer: stylizer as Stylizer | StyleOptimizer,
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
    stylizer: optimizer as Stylizer | StyleOptimizer,
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

/** The name outputs are called after: the style network, or `gatys-<loss network>`. */
function styleNameOf(command: StylizeCommand): string {
  return command.method === 'fast' ? command.style : `gatys-${String(command.load.lossNetwork ?? DEFAULT_LOSS_NETWORK)}`;
}

async function stylizeAll(command: StylizeCommand, streams: CliStreams): Promise<number> {
  const styleName = styleNameOf(command);
  const inputs = await expandInputs(command.inputs);
  const outputs = await planOutputs(inputs, styleName, command.output, command.outDir ?? '.', command.method === 'fast' ? [command.style] : command.styleImages.map((s) => s.image));
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
