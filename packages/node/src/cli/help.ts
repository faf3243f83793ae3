import { FLAGS, MODELS_COMMANDS, appliesTo, type Flag, type FlagMethod, type StylizeMethod } from './flags.js';
import type { HelpTopic } from './usage-error.js';

const WIDTH = 100;
const INDENT = 30;

/** Words (of `text`, or given) in lines of at most `width` characters. */
function wrap(text: string | string[], width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of typeof text === 'string' ? text.split(' ') : text) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else {
      line = line ? `${line} ${word}` : word;
    }
  }
  return line ? [...lines, line] : lines;
}

/** `  -s, --style <style>        text (default: candy)`, wrapped under the text column. */
function flagLine(flag: Flag, topic: HelpTopic, note = ''): string {
  const names = `${flag.short ? `-${flag.short}, ` : '    '}--${flag.flag}${flag.arg ? ` ${flag.arg}` : ''}`;
  const OWN: Record<HelpTopic, Flag['exportGrad']> = {
    stylize: undefined,
    'export-grad': flag.exportGrad,
    models: flag.models,
    'predict-style': flag.predictStyle,
    convert: flag.convert,
  };
  const own = OWN[topic];
  const text = typeof own === 'string' ? own : flag.help;
  const described = (flag.default === undefined || typeof own === 'string' ? text : `${text} (default: ${flag.default})`) + note;
  const [first, ...rest] = wrap(described, WIDTH - INDENT);
  const head = `  ${names}`;
  return [
    head.length < INDENT ? `${head.padEnd(INDENT)}${first}` : `${head}\n${' '.repeat(INDENT)}${first}`,
    ...rest.map((l) => ' '.repeat(INDENT) + l),
  ].join('\n');
}

const SECTIONS: readonly { method: FlagMethod; title: string }[] = [
  { method: 'cli', title: 'Files and output:' },
  { method: 'all', title: 'Every method:' },
  { method: 'fast', title: 'Style networks (the fast method):' },
  { method: 'optimization', title: 'Style images (the optimisation method of Gatys et al., with --style-image):' },
  { method: 'arbitrary', title: 'Style images in one pass (the arbitrary method, with --style-image and --method arbitrary, or --style-vector):' },
  { method: 'models', title: 'Built-in models (pastiche models, see pastiche models --help):' },
  { method: 'convert', title: 'Converting TFLite models (pastiche convert, see pastiche convert --help):' },
];

/** The flags of a help section: its own, and those of several methods that include it. */
const sectionFlags = (method: FlagMethod) =>
  FLAGS.filter((f) => f.method === method || (Array.isArray(f.method) && typeof method === 'string' && appliesTo(f, method as StylizeMethod)));

function stylizeHelp(): string {
  const sections = SECTIONS.map(({ method, title }) => [title, ...sectionFlags(method).map((f) => flagLine(f, 'stylize'))].join('\n'));
  return `Usage: pastiche <inputs…> [--style <style>] [-o <file> | --out-dir <dir>] [options]
       pastiche <inputs…> --style-image <img[:w]>… [--method optimization | arbitrary] [options]
       pastiche <inputs…> --style-vector <json[:w]>… [options]
       pastiche predict-style <paintings…> [-o <file.json>]    (see pastiche predict-style --help)
       pastiche convert <in.tflite> -o <out.onnx>              (see pastiche convert --help)
       pastiche export-grad [options]          (see pastiche export-grad --help)
       pastiche models list | pull | path | verify | clear    (see pastiche models --help)
       pastiche --list-styles | --version | --help

Stylizes images with a feed-forward style network (a built-in style or any ONNX style network), by
optimisation against style images, or with any style image in one pass (the arbitrary method: a style
predictor and a transfer network). Inputs are image files or quoted globs ('photos/*.jpg'); every output
is planned before the first image is read, and no input is ever overwritten.

${sections.join('\n\n')}
`;
}

function exportGradHelp(): string {
  // The loss network's flags first, then where models are, then the files.
  const order: FlagMethod[] = ['optimization', 'all', 'cli'];
  const flags = order.flatMap((method) => FLAGS.filter((f) => f.exportGrad && f.method === method));
  const synopsis = flags.filter((f) => f.flag !== 'help').map((f) => `[--${f.flag}${f.arg ? ` ${f.arg}` : ''}]`);
  return `Usage: pastiche export-grad ${wrap(synopsis, WIDTH - 28).join(`\n${' '.repeat(28)}`)}

Builds the optimisation method's gradient graphs for a loss network, layers and pooling, and writes them as
<network>.features.onnx and <network>.loss-grad.onnx. Apps load them with
loadStyleOptimizer({ gradientGraphs: { features, lossGrad } }) and skip building them.

Options:
${flags.map((f) => flagLine(f, 'export-grad')).join('\n')}
`;
}

function modelsHelp(): string {
  const commands = Object.values(MODELS_COMMANDS).map((c) => {
    const [first, ...rest] = wrap(c.help, WIDTH - INDENT);
    const head = `  ${c.synopsis}`;
    return [head.length < INDENT ? `${head.padEnd(INDENT)}${first}` : `${head}\n${' '.repeat(INDENT)}${first}`, ...rest.map((l) => ' '.repeat(INDENT) + l)].join('\n');
  });
  const order: FlagMethod[] = ['models', 'cli', 'all'];
  const flags = order.flatMap((method) => FLAGS.filter((f) => f.models && f.method === method));
  // Which commands take a flag, unless all do.
  const takers = (flag: Flag) => {
    const names = Object.entries(MODELS_COMMANDS).filter(([, c]) => (c.flags as readonly string[]).includes(flag.flag)).map(([name]) => name);
    return flag.flag === 'help' || names.length === Object.keys(MODELS_COMMANDS).length ? '' : ` [${names.join(', ')}]`;
  };
  const flagLines = flags.map((f) => flagLine(f, 'models', takers(f)));
  return `Usage: pastiche models <command> [options]

Manages the built-in models on this machine. A load fetches a missing built-in model on first use: the
original public weights from GitHub (or --remote-host), converted, checked against the catalog's sha256 and
kept in the cache folder. \`pastiche models pull\` does that ahead of time, for offline machines and
container images. A copy counts only when its sha256 is the catalog's.

Commands:
${commands.join('\n')}

Options (in brackets: the only commands that take it):
${flagLines.join('\n')}

Models are searched in --model-dir, then PASTICHE_MODELS (or the repository's models/onnx), then the cache.
Set PASTICHE_ALLOW_REMOTE_MODELS=0 to keep loads off the network.
`;
}

/** The flags of a subcommand, in table order, as option lines. */
function subcommandFlags(topic: 'predict-style' | 'convert'): string {
  return FLAGS.filter((f) => (topic === 'convert' ? f.convert : f.predictStyle)).map((f) => flagLine(f, topic)).join('\n');
}

function predictStyleHelp(): string {
  return `Usage: pastiche predict-style <paintings…> [-o <file.json>] [options]

Runs the arbitrary method's style predictor on each painting and writes its style vector as JSON,
{ "predictor": "magenta-predictor", "values": [100 numbers] }: to a file with -o (one painting), else one
line per painting on stdout. Pass it back with pastiche <photo> --style-vector <file.json>, or in code as
{ styleVector: JSON.parse(text) }; the predictor then does not run again.

Options:
${subcommandFlags('predict-style')}
`;
}

function convertHelp(): string {
  return `Usage: pastiche convert <in.tflite> -o <out.onnx> [options]

Converts a TensorFlow Lite model (schema v3) to ONNX with @pastiche/core's converter: NCHW with free height
and width where the graph allows, weights dequantised, the original input and output names kept in the
model's metadata. The output is written atomically. Models given to Pastiche as .tflite are converted the
same way as they load; converting once ahead of time skips that step.

Options:
${subcommandFlags('convert')}
`;
}

/** The help text of a topic, derived from the flag table. */
export function helpText(topic: HelpTopic): string {
  switch (topic) {
    case 'models':
      return modelsHelp();
    case 'export-grad':
      return exportGradHelp();
    case 'predict-style':
      return predictStyleHelp();
    case 'convert':
      return convertHelp();
    case 'stylize':
      return stylizeHelp();
  }
}
