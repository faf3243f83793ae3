import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { CATALOG } from '../catalog.js';
import { loadStyle } from '../load-style.js';
import { dispose } from '../session-cache.js';
import { modelSearchPath } from '../model-locations.js';
import { stylize } from '../stylize.js';
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

async function stylizeAll(options: CliOptions, streams: CliStreams): Promise<number> {
  const style = options.style ?? CATALOG.default;
  const inputs = await expandInputs(options.inputs);
  const outputs = planOutputs(inputs, style, options.output, options.outDir ?? '.');
  const loadOptions = { device: options.device, modelDir: options.modelDir };
  // Load once up front: a bad style is one clear error, not one per image.
  await loadStyle(style, loadOptions);
  if (options.outDir) await mkdir(options.outDir, { recursive: true });

  const bar = new ProgressBar(streams.stderr, inputs.length);
  let failures = 0;
  for (const [i, input] of inputs.entries()) {
    bar.update(i, input);
    try {
      const image = await stylize(input, style, {
        ...loadOptions,
        size: options.size,
        tile: options.tile,
        fixedSize: options.fixedSize,
        preserveColors: options.preserveColors,
        strength: options.strength,
      });
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
    return await stylizeAll(options, streams);
  } catch (error) {
    const usage = error instanceof UsageError;
    streams.stderr.write(`pastiche: ${(error as Error).message}${usage ? ' (see pastiche --help)' : ''}\n`);
    return usage ? 2 : 1;
  } finally {
    await dispose();
  }
}
