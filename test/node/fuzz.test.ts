/**
 * Fuzzing (issue 10 item 6): random and mutated image and model bytes through @pastiche/node's public API (the built
 * package) in a child process, so that a crash or a hang is seen. Each case must end within CASE_TIMEOUT_MS in a
 * result or a PasticheError with a known code (the arguments are all well-formed, only the bytes are bad, so a
 * TypeError or RangeError would be a misplaced blame). Reproducible: the cases come
 * from a seeded PRNG; PASTICHE_FUZZ_SEED picks another seed, PASTICHE_FUZZ_CASES another count, and a failure names
 * its case and how it was made (PASTICHE_FUZZ_ONLY=<id> runs that case alone, PASTICHE_FUZZ_DUMP=<dir> keeps its bytes).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { SeededRandom, decodeModel, encodeModel, type ModelProto } from '@pastiche/core';
import { REPO_ROOT } from '../helpers/assets.js';
import { craftedPng } from '../helpers/crafted-png.js';
import { tinyLossNetwork, tinyStyleModel } from '../helpers/tiny-models.js';

const SEED = Number(process.env.PASTICHE_FUZZ_SEED ?? 20261202);
const CASES = Number(process.env.PASTICHE_FUZZ_CASES ?? 2000);
/** PASTICHE_FUZZ_ONLY=12,345 runs only those cases of the seed's list (to reproduce a failure). */
const ONLY = process.env.PASTICHE_FUZZ_ONLY?.split(',').map(Number);
const CASE_TIMEOUT_MS = 10_000;
const WORKER = join(REPO_ROOT, 'test', 'helpers', 'fuzz-worker.mjs');
const BUILT = join(REPO_ROOT, 'packages', 'node', 'dist', 'index.js');

type Kind = 'image' | 'style-image' | 'model' | 'loss-network';
type As = 'bytes' | 'arraybuffer' | 'path';

interface FuzzCase {
  id: number;
  kind: Kind;
  as: As;
  /** How the bytes were made, to reproduce and to read a failure: `png: truncate 113`, `model: flip 3 bits`. */
  recipe: string;
  bytes: Uint8Array;
}

interface Outcome {
  id: number;
  ok?: true;
  error?: { name: string; code?: string; message: string; cause?: string; stack?: string; typed: boolean };
}

/** Seeded choices. */
class Dice {
  readonly random: SeededRandom;
  constructor(seed: number) {
    this.random = new SeededRandom(seed);
  }
  int(n: number): number {
    return Math.floor(this.random.uniform() * n);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }
  bytes(n: number): Uint8Array {
    return Uint8Array.from({ length: n }, () => this.int(256));
  }
}

/** Values a header field is set to: edges, the limit, huge and random. */
const FIELD_VALUES = [0, 1, 2, 3, 255, 256, 65535, 65536, 16000, 0x7fffffff, 0xffffffff];

/** Offsets of size fields in each base image's header (big- or little-endian, 2 or 4 bytes). */
function sizeFields(format: string, b: Uint8Array): { at: number; bytes: 2 | 4; le: boolean }[] {
  switch (format) {
    case 'png':
      return [{ at: 16, bytes: 4, le: false }, { at: 20, bytes: 4, le: false }];
    case 'jpeg': {
      for (let i = 2; i + 9 < b.length; i++) {
        if (b[i] === 0xff && b[i + 1] >= 0xc0 && b[i + 1] <= 0xc3) return [{ at: i + 5, bytes: 2, le: false }, { at: i + 7, bytes: 2, le: false }];
      }
      return [];
    }
    case 'gif':
      return [{ at: 6, bytes: 2, le: true }, { at: 8, bytes: 2, le: true }];
    case 'webp':
      return [{ at: 4, bytes: 4, le: true }, { at: 26, bytes: 2, le: true }, { at: 28, bytes: 2, le: true }];
    default:
      return [];
  }
}

/** A mutation of `base`, and what it did. */
function mutate(dice: Dice, format: string, base: Uint8Array, other: Uint8Array): { bytes: Uint8Array; recipe: string } {
  const b = base.slice();
  const op = dice.pick(['flip', 'flip', 'set', 'truncate', 'truncate', 'splice', 'insert', 'delete', 'duplicate', 'field', 'field', 'text'] as const);
  switch (op) {
    case 'flip': {
      const n = 1 + dice.int(8);
      for (let k = 0; k < n; k++) b[dice.int(b.length)] ^= 1 << dice.int(8);
      return { bytes: b, recipe: `flip ${n} bits` };
    }
    case 'set': {
      const n = 1 + dice.int(16);
      for (let k = 0; k < n; k++) b[dice.int(b.length)] = dice.int(256);
      return { bytes: b, recipe: `set ${n} bytes` };
    }
    case 'truncate': {
      const at = dice.int(b.length);
      return { bytes: b.subarray(0, at), recipe: `truncate at ${at} of ${b.length}` };
    }
    case 'splice': {
      // The head of this file on the tail of another (of another format, or of itself shifted).
      const at = dice.int(b.length);
      const from = dice.int(other.length);
      return { bytes: concat(b.subarray(0, at), other.subarray(from)), recipe: `splice ${at} bytes onto another file from ${from}` };
    }
    case 'insert': {
      const at = dice.int(b.length);
      const n = 1 + dice.int(64);
      return { bytes: concat(b.subarray(0, at), dice.bytes(n), b.subarray(at)), recipe: `insert ${n} random bytes at ${at}` };
    }
    case 'delete': {
      const at = dice.int(b.length);
      const n = 1 + dice.int(64);
      return { bytes: concat(b.subarray(0, at), b.subarray(at + n)), recipe: `delete ${n} bytes at ${at}` };
    }
    case 'duplicate': {
      const at = dice.int(b.length);
      const n = 1 + dice.int(Math.min(256, b.length - at));
      return { bytes: concat(b.subarray(0, at + n), b.subarray(at)), recipe: `duplicate ${n} bytes at ${at}` };
    }
    case 'field': {
      const fields = sizeFields(format, b);
      if (fields.length === 0) return mutate(dice, format, base, other);
      const field = dice.pick(fields);
      const value = dice.int(3) === 0 ? dice.int(2 ** 16) : dice.pick(FIELD_VALUES);
      const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
      if (field.at + field.bytes > b.length) return { bytes: b, recipe: 'field beyond the end' };
      if (field.bytes === 4) view.setUint32(field.at, value >>> 0, field.le);
      else view.setUint16(field.at, value & 0xffff, field.le);
      return { bytes: b, recipe: `header field at ${field.at} = ${value}` };
    }
    case 'text': {
      // A letter of a name (an op type, an attribute, a metadata key or an XML tag) changed.
      const letters: number[] = [];
      for (let i = 0; i < b.length; i++) if ((b[i] >= 0x41 && b[i] <= 0x5a) || (b[i] >= 0x61 && b[i] <= 0x7a)) letters.push(i);
      if (letters.length === 0) return mutate(dice, format, base, other);
      const at = dice.pick(letters);
      b[at] = dice.pick([0x41 + dice.int(26), 0x61 + dice.int(26), 0, 0x2c, 0x20]);
      return { bytes: b, recipe: `letter at ${at} = ${b[at]}` };
    }
  }
}

/** Op types a node is switched to: some take the same inputs, some not, one does not exist. */
const OP_TYPES = ['Relu', 'Sigmoid', 'Conv', 'ConvTranspose', 'Pad', 'Mul', 'Add', 'MaxPool', 'Resize', 'Reshape', 'Transpose', 'Slice', 'NoSuchOp'];
/** Values dims, attributes and metadata are set to. */
const EDGE_INTS = [-1, 0, 1, 2, 3, 7, 64, 100000, 2 ** 31 - 1];

/**
 * A well-formed ONNX model with a semantic fault: a node's op type, inputs or attributes, an initializer's dims or
 * data, the input's shape, the opset, or a metadata value changed. These reach onnxruntime (or core's signature and
 * convention checks) instead of stopping at the parser.
 */
function editModel(dice: Dice, bytes: Uint8Array): { bytes: Uint8Array; recipe: string } {
  const model = decodeModel(bytes) as ModelProto;
  const g = model.graph;
  const edit = dice.pick(['op', 'inputs', 'attribute', 'dims', 'data', 'shape', 'opset', 'metadata', 'drop', 'output'] as const);
  switch (edit) {
    case 'op': {
      const node = dice.pick(g.nodes);
      node.opType = dice.pick(OP_TYPES);
      return { bytes: encodeModel(model), recipe: `node ${node.name || node.outputs[0]} op ${node.opType}` };
    }
    case 'inputs': {
      const node = dice.pick(g.nodes);
      const names = [...g.nodes.flatMap((n) => n.outputs), ...g.initializers.map((t) => t.name), 'input', 'nowhere'];
      node.inputs = node.inputs.map((name) => (dice.int(2) === 0 ? dice.pick(names) : name));
      if (dice.int(3) === 0) node.inputs.pop();
      return { bytes: encodeModel(model), recipe: `node ${node.name || node.outputs[0]} inputs ${node.inputs.join(',')}` };
    }
    case 'attribute': {
      const node = dice.pick(g.nodes.filter((n) => n.attributes.length > 0));
      const attribute = dice.pick(node.attributes);
      if (attribute.ints) attribute.ints = attribute.ints.map(() => dice.pick(EDGE_INTS));
      else if (attribute.s) attribute.s = new TextEncoder().encode(dice.pick(['edge', 'wrap', 'constant', 'bogus', '']));
      else attribute.i = dice.pick(EDGE_INTS);
      return { bytes: encodeModel(model), recipe: `attribute ${attribute.name} of ${node.opType}` };
    }
    case 'dims': {
      const tensor = dice.pick(g.initializers);
      tensor.dims = tensor.dims.map((d) => (dice.int(2) === 0 ? dice.pick(EDGE_INTS) : d));
      return { bytes: encodeModel(model), recipe: `initializer ${tensor.name} dims ${tensor.dims.join('×')}` };
    }
    case 'data': {
      const tensor = dice.pick(g.initializers);
      const values = [NaN, Infinity, -Infinity, 1e38, -1e38, 0];
      if (tensor.floatData) tensor.floatData = tensor.floatData.map((v) => (dice.int(4) === 0 ? dice.pick(values) : v));
      else if (tensor.rawData) tensor.rawData = tensor.rawData.subarray(0, dice.int(tensor.rawData.length + 1));
      return { bytes: encodeModel(model), recipe: `initializer ${tensor.name} data` };
    }
    case 'shape': {
      const input = g.inputs[0];
      input.shape = dice.int(4) === 0 ? [] : (input.shape ?? []).map((d) => (dice.int(2) === 0 ? dice.pick([...EDGE_INTS, 'h']) : d));
      if (dice.int(4) === 0) input.elemType = dice.pick([2, 6, 7, 10, 11]);
      return { bytes: encodeModel(model), recipe: `input shape [${(input.shape ?? []).join(',')}] type ${input.elemType}` };
    }
    case 'opset': {
      model.opsetImports = [{ domain: '', version: dice.pick([1, 6, 9, 11, 13, 17, 21, 99]) }];
      return { bytes: encodeModel(model), recipe: `opset ${model.opsetImports[0].version}` };
    }
    case 'metadata': {
      const key = dice.pick(['pastiche.input.layout', 'pastiche.input.range', 'pastiche.input.mean', 'pastiche.input.std', 'pastiche.size_multiple', 'pastiche.output.channel_order']);
      model.metadataProps = { ...model.metadataProps, [key]: dice.pick(['NHWC', '0-1', '-1-1', '0,0,0', '1,2', 'NaN,1,1', '0', '-4', '1e9', 'BGR', '']) };
      return { bytes: encodeModel(model), recipe: `metadata ${key}=${model.metadataProps[key]}` };
    }
    case 'drop': {
      const at = dice.int(g.nodes.length);
      g.nodes.splice(at, 1);
      return { bytes: encodeModel(model), recipe: `node ${at} dropped` };
    }
    case 'output': {
      const output = g.outputs[0];
      output.name = dice.pick([...g.nodes.flatMap((n) => n.outputs), 'input', 'nowhere']);
      return { bytes: encodeModel(model), recipe: `output ${output.name}` };
    }
  }
}

const concat = (...parts: Uint8Array[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
};

/** The base files: small real images of each format sharp writes, an SVG, and the two tiny models. */
async function baseFiles(): Promise<Record<string, Uint8Array>> {
  const width = 24;
  const height = 16;
  const rgb = Buffer.from(Uint8Array.from({ length: width * height * 3 }, (_, i) => (i * 37) % 251));
  const image = () => sharp(rgb, { raw: { width, height, channels: 3 } });
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><rect width="12" height="8" fill="#c83"/><circle cx="16" cy="8" r="5" fill="#38c"/></svg>`;
  return {
    png: new Uint8Array(await image().png().toBuffer()),
    jpeg: new Uint8Array(await image().jpeg({ quality: 80 }).toBuffer()),
    webp: new Uint8Array(await image().webp({ quality: 80 }).toBuffer()),
    gif: new Uint8Array(await image().gif().toBuffer()),
    tiff: new Uint8Array(await image().tiff().toBuffer()),
    svg: new Uint8Array(Buffer.from(svg)),
    crafted: craftedPng(3000, 2000),
    model: tinyStyleModel(7),
    lossNetwork: tinyLossNetwork(7),
  };
}

/** The cases, in order: about 60% images, 25% style networks, 7% style images, 8% loss networks. */
function makeCases(seed: number, count: number, files: Record<string, Uint8Array>): FuzzCase[] {
  const dice = new Dice(seed);
  const imageFormats = ['png', 'png', 'jpeg', 'jpeg', 'webp', 'gif', 'tiff', 'svg', 'crafted'];
  const cases: FuzzCase[] = [];
  for (let id = 0; id < count; id++) {
    const roll = dice.int(100);
    const kind: Kind = roll < 60 ? 'image' : roll < 85 ? 'model' : roll < 92 ? 'style-image' : 'loss-network';
    const as: As = dice.pick(['bytes', 'bytes', 'bytes', 'arraybuffer', 'path']);
    const format = kind === 'model' ? 'model' : kind === 'loss-network' ? 'lossNetwork' : dice.pick(imageFormats);
    const other = files[dice.pick(Object.keys(files))];
    let made: { bytes: Uint8Array; recipe: string };
    const style = dice.int(20);
    if (style === 0) made = { bytes: dice.bytes(dice.int(2048)), recipe: 'random bytes' };
    else if (style === 1) made = { bytes: new Uint8Array(0), recipe: 'empty' };
    else if (kind === 'model' || kind === 'loss-network') {
      // Half of the model cases are well-formed ONNX with a semantic fault, the other half broken bytes.
      made = dice.int(2) === 0 ? editModel(dice, files[format]) : mutate(dice, format, files[format], other);
    } else {
      // Mostly one mutation, sometimes two or three on top of each other.
      made = mutate(dice, format, files[format], other);
      for (let extra = dice.int(4) === 0 ? 1 + dice.int(2) : 0; extra > 0; extra--) {
        const next = mutate(dice, format, made.bytes.length > 0 ? made.bytes : files[format], other);
        made = { bytes: next.bytes, recipe: `${made.recipe}; ${next.recipe}` };
      }
    }
    cases.push({ id, kind, as, recipe: `${format}: ${made.recipe}`, bytes: made.bytes });
  }
  return cases;
}

let child: ChildProcess | undefined;
afterAll(() => {
  child?.kill('SIGKILL');
});

/** Sends one case and waits for its outcome, its timeout, or the child's death. */
function runCase(worker: ChildProcess, c: FuzzCase): Promise<Outcome | { hang: true } | { crash: string }> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => finish({ hang: true }), CASE_TIMEOUT_MS);
    const onMessage = (message: Outcome) => {
      if (message.id === c.id) finish(message);
    };
    const onExit = (code: number | null, signal: string | null) => finish({ crash: `exit code ${code}, signal ${signal}` });
    const finish = (outcome: Outcome | { hang: true } | { crash: string }) => {
      clearTimeout(timer);
      worker.off('message', onMessage);
      worker.off('exit', onExit);
      resolve(outcome);
    };
    worker.on('message', onMessage);
    worker.on('exit', onExit);
    worker.send({ id: c.id, kind: c.kind, as: c.as, bytes: c.bytes });
  });
}

function startWorker(files: Record<string, Uint8Array>): Promise<ChildProcess> {
  const worker = fork(WORKER, [], { cwd: REPO_ROOT, serialization: 'advanced', execArgv: [], stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  // onnxruntime and libvips may print warnings; kept in case the worker dies.
  let stderr = '';
  worker.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  (worker as ChildProcess & { lastStderr: () => string }).lastStderr = () => stderr;
  const raw = { data: Uint8Array.from({ length: 20 * 12 * 3 }, (_, i) => (i * 29) % 251), width: 20, height: 12, channels: 3 };
  return new Promise((resolve, reject) => {
    worker.once('message', (m: { ready?: boolean }) => (m.ready ? resolve(worker) : reject(new Error('worker did not start'))));
    worker.once('exit', (code) => reject(new Error(`fuzz worker exited with ${code} before it started: ${stderr}`)));
    worker.send({ init: { styleModel: files.model, lossNetwork: files.lossNetwork, raw } });
  });
}

describe('fuzzing the public API', () => {
  it(`${CASES} random and mutated images and models: each a result or a typed error within ${CASE_TIMEOUT_MS / 1000} s, no crash`, async () => {
    if (!existsSync(BUILT)) throw new Error(`${BUILT} is missing: run \`npm run build\` first (npm test does).`);
    const files = await baseFiles();
    const all = makeCases(SEED, CASES, files);
    const cases = ONLY ? all.filter((c) => ONLY.includes(c.id)) : all;
    console.log(`fuzz seed ${SEED} (PASTICHE_FUZZ_SEED), ${cases.length} cases`);
    const started = performance.now();
    child = await startWorker(files);
    const outcomes = new Map<string, number>();
    const untyped: string[] = [];
    let slowest = { ms: 0, id: -1, what: '' };
    for (const c of cases) {
      const caseStart = performance.now();
      const outcome = await runCase(child, c);
      const ms = performance.now() - caseStart;
      const where = `case ${c.id} (${c.kind} as ${c.as}, ${c.recipe}, ${c.bytes.length} bytes; seed ${SEED})`;
      // PASTICHE_FUZZ_DUMP=<dir> keeps the bytes of every case that fails, to look at or replay.
      if (process.env.PASTICHE_FUZZ_DUMP && !('ok' in outcome && outcome.ok) && !('error' in outcome && outcome.error!.typed)) {
        writeFileSync(join(process.env.PASTICHE_FUZZ_DUMP, `seed-${SEED}-case-${c.id}.bin`), c.bytes);
      }
      if (ms > slowest.ms) slowest = { ms, id: c.id, what: where };
      if ('hang' in outcome) throw new Error(`${where} did not finish within ${CASE_TIMEOUT_MS} ms`);
      if ('crash' in outcome) {
        throw new Error(`${where} crashed the process (${outcome.crash}): ${(child as ChildProcess & { lastStderr: () => string }).lastStderr()}`);
      }
      const label = outcome.ok ? `${c.kind}: ok` : `${c.kind}: ${outcome.error!.code ?? outcome.error!.name}`;
      outcomes.set(label, (outcomes.get(label) ?? 0) + 1);
      if (outcome.error && !outcome.error.typed) untyped.push(`${where}: ${outcome.error.name}: ${outcome.error.message}\n${outcome.error.stack}`);
    }
    const seconds = (performance.now() - started) / 1000;
    // The worker's RSS after every case and a dispose(): what a long-lived process would keep.
    const memory = await new Promise<string>((resolve) => {
      child!.once('message', (m: { memory?: number }) => resolve(`; worker RSS at the end ${((m.memory ?? 0) / 2 ** 20).toFixed(0)} MiB`));
      child!.send({ memory: true });
    });
    child.kill();
    console.log(
      `fuzz: ${cases.length} cases in ${seconds.toFixed(1)} s; slowest ${slowest.ms.toFixed(0)} ms: ${slowest.what}${memory}\n` +
        [...outcomes].sort(([a], [b]) => a.localeCompare(b)).map(([label, n]) => `  ${label.padEnd(34)} ${n}`).join('\n'),
    );
    expect(untyped, untyped.join('\n\n')).toEqual([]);
    if (ONLY) return;
    if (process.env.PASTICHE_FUZZ_CASES === undefined) expect(cases.length).toBeGreaterThanOrEqual(1000);
    // Every kind got through to a result as well as to errors: the mutations reach the pipeline, not just the parser.
    for (const kind of ['image', 'model'] as const) expect(outcomes.get(`${kind}: ok`) ?? 0, `${kind} cases that succeeded`).toBeGreaterThan(10);
    expect(seconds).toBeLessThan(180);
  }, 240_000);
});
