import type { LoadProgress } from '@pastiche/core';
import {
  builtInModels,
  clearCachedModels,
  findBuiltInModel,
  listBuiltInModels,
  modelPaths,
  pullBuiltInModel,
  verifyCachedModels,
  type PulledModel,
} from '../model-admin.js';
import type { ModelsCommand } from './cli-args.js';
import { ProgressBar, type CliStream } from './progress-bar.js';

interface Streams {
  stdout: CliStream;
  stderr: CliStream;
}

const megabytes = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;
const line = (stream: CliStream, record: object) => stream.write(JSON.stringify(record) + '\n');

/** Rows as columns padded to their widest cell (the last column unpadded). */
function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]))).join('  ')).join('\n') + '\n';
}

async function list(command: ModelsCommand, { stdout }: Streams): Promise<number> {
  const models = await listBuiltInModels(command.locations);
  if (command.json) {
    for (const m of models) line(stdout, { kind: m.kind, name: m.name, title: m.title, license: m.license, bytes: m.bytes, cached: m.cached, folder: m.folder ?? null });
    return 0;
  }
  const rows = models.map((m) => [m.kind, m.name, m.title, m.license, megabytes(m.bytes), m.folder ?? '-']);
  stdout.write(table([['KIND', 'NAME', 'TITLE', 'LICENCE', 'SIZE', 'ON THIS MACHINE'], ...rows]));
  return 0;
}

/**
 * A model's download on the bar: its source files (one for a pytorch-examples style, 49 for an ml5 one) fetched
 * several at a time, as one fraction, then the conversion.
 */
function pullProgress(bar: ProgressBar, prefix: string, name: string, files: number) {
  const done = new Map<string, number>();
  const totals = new Map<string, number | undefined>();
  return (event: LoadProgress) => {
    if (event.status === 'ready') return;
    if (event.status === 'progress') {
      done.set(event.url, event.loaded);
      totals.set(event.url, event.total);
    } else if (event.status === 'done') {
      done.set(event.url, event.bytes);
      totals.set(event.url, event.bytes);
    } else if (!totals.has(event.url)) {
      totals.set(event.url, undefined);
    }
    const finished = [...done].filter(([url, bytes]) => totals.get(url) === bytes).length;
    const fraction = [...totals].reduce((sum, [url, total]) => sum + (total ? (done.get(url) ?? 0) / total : 0), 0) / files;
    const loaded = megabytes([...done.values()].reduce((a, b) => a + b, 0));
    if (finished === files) return bar.update(1, `${prefix}${name}: converting…`, true);
    bar.update(fraction, `${prefix}${name}: downloading${files > 1 ? ` ${finished}/${files} files,` : ''} ${loaded}`, event.status !== 'progress');
  };
}

async function pull(command: ModelsCommand, { stdout, stderr }: Streams): Promise<number> {
  const names = command.all ? builtInModels().map((m) => m.entry.name) : command.names;
  const bar = new ProgressBar(stderr);
  let failures = 0;
  try {
    for (const [i, name] of names.entries()) {
      const prefix = names.length > 1 ? `${i + 1}/${names.length} ` : '';
      const files = findBuiltInModel(name)!.entry.source.files.length;
      bar.update(undefined, `${prefix}${name}`, true);
      let pulled: PulledModel;
      try {
        pulled = await pullBuiltInModel(name, {
          ...command.locations,
          remoteHost: command.remoteHost,
          onLoadProgress: pullProgress(bar, prefix, name, files),
        });
      } catch (error) {
        bar.clear();
        failures++;
        stderr.write(`pastiche: ${name}: ${(error as Error).message}\n`);
        continue;
      }
      bar.clear();
      const status = pulled.downloaded ? 'downloaded' : 'present';
      if (command.json) {
        line(stdout, { name: pulled.name, kind: pulled.kind, status, bytes: pulled.bytes, path: pulled.path });
      } else {
        stdout.write(`${pulled.name}  ${status}  ${megabytes(pulled.bytes)}  ${pulled.path}\n`);
      }
    }
  } finally {
    bar.clear();
  }
  return failures === 0 ? 0 : 1;
}

function path(command: ModelsCommand, { stdout }: Streams): number {
  const paths = modelPaths(command.locations);
  stdout.write(command.json ? JSON.stringify(paths) + '\n' : `${paths.cache}\n`);
  return 0;
}

async function verify(command: ModelsCommand, { stdout, stderr }: Streams): Promise<number> {
  const checks = await verifyCachedModels(command.locations);
  for (const c of checks) {
    const status = c.ok ? 'ok' : 'altered';
    if (command.json) line(stdout, { name: c.name, kind: c.kind, status, path: c.path, sha256: c.sha256, expected: c.expected });
    else stdout.write(`${c.name}  ${status}  ${c.path}\n`);
  }
  if (checks.length === 0 && !command.json) stderr.write(`no built-in models in ${modelPaths(command.locations).models}\n`);
  return checks.every((c) => c.ok) ? 0 : 1;
}

async function clear(command: ModelsCommand, { stdout }: Streams): Promise<number> {
  const removed = await clearCachedModels(command.names.length > 0 ? command.names : undefined, command.locations);
  for (const p of removed) stdout.write(command.json ? JSON.stringify({ removed: p }) + '\n' : `removed ${p}\n`);
  return 0;
}

/** `pastiche models <action>`: returns the exit code. */
export async function runModelsCommand(command: ModelsCommand, streams: Streams): Promise<number> {
  switch (command.action) {
    case 'list':
      return list(command, streams);
    case 'pull':
      return pull(command, streams);
    case 'path':
      return path(command, streams);
    case 'verify':
      return verify(command, streams);
    case 'clear':
      return clear(command, streams);
  }
}
