import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { GatysProgress } from '@pastiche/core';
import { CATALOG } from '../catalog.js';
import { exportGradientGraphs } from '../export-grad.js';
import { loadStyle } from '../load-style.js';
import { dispose } from '../session-cache.js';
import { modelSearchPath } from '../model-locations.js';
import type { NodeOptimizeOptions } from '../optimize.js';
import { stylize } from '../stylize.js';
import type { StylizedImage } from '../stylized-image.js';
import { HELP, UsageError, parseCliArgs, type CliOptions } from './cli-args.js';
import { expandInputs } from './expand-inputs.js';
import { planOutputs } from './output-paths.js';
import { ProgressBar } from './progress-bar.js';

export interface CliStreams {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
}

function listStyles(options: CliOptions, { stdout }: CliStreams): void {
  const dirs = modelSearchPath({ modelDir: options.modelDir });
  for (const style of CATALOG.styles) {
    const installed = dirs.some((d) => existsSync(join(d, style.file)));
    if (options.json) {
      stdout.write(JSON.stringify({ name: style.name, title: style.title, license: style.license, installed }) + '\n');
    } else {
      const mark = installed ? '' : '  (not built: run `npm run models`)';
      stdout.write(`${style.name.padEnd(20)} ${style.title.padEnd(22)} ${style.license}${style.name === CATALOG.default ? '  [default]' : ''}${mark}\n`);
    }
  }
}

function optimizeOptions(options: CliOptions, bar: ProgressBar, input: string): NodeOptimizeOptions {
  const { styleImages: _, ...o } = options.optimize;
  const scales = o.scales;
  return {
    ...o,
    size: options.size,
    preserveColors: options.preserveColors,
    device: options.device,
    modelDir: options.modelDir,
    onProgress: (p: GatysProgress) => {
      const done = (p.scale - 1) * p.iterations + p.iteration;
      bar.update(done, `${input} scale ${p.scale}/${scales ?? p.scales} ${p.width}×${p.height} iteration ${p.iteration} loss ${p.loss.toPrecision(4)}`);
    },
  };
}

/** Runs one input through the chosen method, with a per-iteration bar for the optimisation method. */
async function stylizeOne(options: CliOptions, input: string, style: string, streams: CliStreams): Promise<StylizedImage> {
  const common = { device: options.device, modelDir: options.modelDir };
  if (options.optimize.styleImages.length === 0) {
    return stylize(input, style, {
      ...common,
      size: options.size,
      tile: options.tile,
      fixedSize: options.fixedSize,
      preserveColors: options.preserveColors,
      strength: options.strength,
    });
  }
  const scales = options.optimize.scales ?? 3;
  const bar = new ProgressBar(streams.stderr, scales * (options.optimize.iterations ?? 100));
  try {
    return await stylize(input, { styleImages: options.optimize.styleImages }, optimizeOptions(options, bar, input));
  } finally {
    bar.clear();
  }
}

async function stylizeAll(options: CliOptions, streams: CliStreams): Promise<number> {
  const optimizing = options.optimize.styleImages.length > 0;
  const style = optimizing ? `gatys-${options.optimize.lossNetwork ?? 'squeezenet'}` : (options.style ?? CATALOG.default);
  const inputs = await expandInputs(options.inputs);
  const outputs = planOutputs(inputs, style, options.output, options.outDir ?? '.');
  // Load once up front: a bad style is one clear error, not one per image.
  if (!optimizing) await loadStyle(style, { device: options.device, modelDir: options.modelDir });

  const bar = new ProgressBar(streams.stderr, optimizing ? 0 : inputs.length);
  let failures = 0;
  for (const [i, input] of inputs.entries()) {
    bar.update(i, input);
    try {
      const image = await stylizeOne(options, input, style, streams);
      await mkdir(dirname(outputs[i]), { recursive: true });
      await image.toFile(outputs[i], { quality: options.quality });
      const { model, device, ms } = image.info;
      bar.clear();
      if (options.json) {
        const record = { input, output: outputs[i], width: image.width, height: image.height, ms: Math.round(ms), device, model };
        streams.stdout.write(JSON.stringify(record) + '\n');
      } else if (!bar.enabled) {
        streams.stdout.write(`${input} → ${outputs[i]} (${image.width}×${image.height}, ${Math.round(ms)} ms, ${device})\n`);
      }
    } catch (error) {
      bar.clear();
      failures++;
      streams.stderr.write(`pastiche: ${input}: ${(error as Error).message}\n`);
    }
  }
  bar.update(inputs.length, 'done');
  bar.clear();
  return failures === 0 ? 0 : 1;
}

async function exportGrad(options: CliOptions, { stdout }: CliStreams): Promise<number> {
  const { lossNetwork, contentLayers, styleLayers, pooling } = options.optimize;
  const paths = await exportGradientGraphs(options.outDir ?? '.', { lossNetwork, contentLayers, styleLayers, pooling, modelDir: options.modelDir });
  stdout.write(options.json ? JSON.stringify(paths) + '\n' : `${paths.features}\n${paths.lossGrad}\n`);
  return 0;
}

/** The whole CLI: returns the exit code instead of exiting, so that it stays testable. */
export async function runCli(argv: string[], streams: CliStreams): Promise<number> {
  try {
    const options = parseCliArgs(argv);
    if (options.help) {
      streams.stdout.write(HELP);
      return 0;
    }
    if (options.listStyles) {
      listStyles(options, streams);
      return 0;
    }
    return await (options.command === 'export-grad' ? exportGrad(options, streams) : stylizeAll(options, streams));
  } catch (error) {
    const usage = error instanceof UsageError;
    streams.stderr.write(`pastiche: ${(error as Error).message}${usage ? ' (see pastiche --help)' : ''}\n`);
    return usage ? 2 : 1;
  } finally {
    await dispose();
  }
}
