/**
 * The child process of test/node/fuzz.test.ts: runs fuzz cases through @pastiche/node's public API (the built
 * package) and answers each with its outcome, so that a crash or a hang shows as this process dying or going quiet.
 *
 * Messages in: `{ init: { styleModel, lossNetwork, raw } }` once, then `{ id, kind, bytes, as }` per case, and
 * `{ memory: true }` at the end. Messages out: `{ ready: true }`, then `{ id, ok: true }` or
 * `{ id, error: { name, code, message, cause, typed } }`, and `{ memory: rss }` after a dispose().
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ERROR_CODES, PasticheError, dispose, loadStyle, stylize } from '@pastiche/node';

const dir = mkdtempSync(join(tmpdir(), 'pastiche-fuzz-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

let init;
// Small working sizes and a small pixel limit: each case stays well under a second.
const FAST = { size: 32, maxPixels: 1_000_000 };
const OPTIMISE = { size: 16, scales: 1, iterations: 1, maxPixels: 1_000_000 };

/** The bytes as the case hands them to the API: a Uint8Array, an ArrayBuffer, or a file path. */
function input(bytes, as, id) {
  if (as === 'arraybuffer') return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  if (as === 'path') {
    const path = join(dir, `case-${id}`);
    writeFileSync(path, bytes);
    return path;
  }
  return bytes;
}

async function run({ id, kind, bytes, as }) {
  switch (kind) {
    case 'image':
      // One valid style network for every image: its session is opened once and shared (cached by sha256).
      await stylize(input(bytes, as, id), init.styleModel, FAST);
      return;
    case 'style-image':
      await stylize(init.raw, { styleImage: input(bytes, as, id) }, { ...OPTIMISE, lossNetwork: init.lossNetwork });
      return;
    case 'model': {
      const stylizer = await loadStyle(input(bytes, as, id));
      try {
        await stylizer.stylize(init.raw, FAST);
      } finally {
        await stylizer.dispose();
      }
      return;
    }
    case 'loss-network':
      try {
        await stylize(init.raw, { styleImage: init.raw }, { ...OPTIMISE, lossNetwork: input(bytes, as, id) });
      } finally {
        // Each mutated network has sessions of its own: let them go.
        await dispose();
      }
      return;
    default:
      throw new Error(`unknown case kind ${kind}`);
  }
}

/**
 * A typed error for a fuzz case: a PasticheError with a known code. Every argument a case passes is of the right type
 * and in range (only the bytes are bad), so a TypeError or RangeError here would blame an argument for the file's fault.
 */
function describe(error) {
  const e = /** @type {any} */ (error);
  const typed = e instanceof PasticheError && ERROR_CODES.includes(e.code);
  return {
    name: String(e?.name),
    code: e?.code,
    message: String(e?.message ?? e).slice(0, 600),
    cause: e?.cause === undefined ? undefined : `${e.cause?.name}: ${String(e.cause?.message ?? e.cause).slice(0, 300)}`,
    stack: typed ? undefined : String(e?.stack).slice(0, 2000),
    typed,
  };
}

process.on('message', async (message) => {
  if (message.init) {
    init = message.init;
    process.send({ ready: true });
    return;
  }
  if (message.memory) {
    await dispose();
    process.send({ memory: process.memoryUsage().rss });
    return;
  }
  try {
    await run(message);
    process.send({ id: message.id, ok: true });
  } catch (error) {
    process.send({ id: message.id, error: describe(error) });
  }
});
