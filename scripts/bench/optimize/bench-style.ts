/**
 * `npm run bench:style`: style strength, content kept and time of the optimisation method's defaults against the
 * previous defaults (or any other option sets), on 3 photos × 4 paintings at 512 px, each result scored on the
 * loss network the run did not optimise (style-strength.ts). Writes scripts/bench/optimize/STYLE.md and a
 * before/after grid (docs/images/gatys-before-after.jpg).
 * Flags: --size N (512), --network squeezenet|vgg19 (the one optimised), --config 'name={"styleWeight":30}'
 * (repeatable; replaces the default pair 'before' and 'defaults'), --pairs N (the first N pairs only),
 * --no-write, --threads N (2).
 */
import { statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import sharp, { type OverlayOptions } from 'sharp';
import { loadStyleOptimizer } from '../../../packages/node/src/index.js';
import type { GatysOptions } from '../../../packages/core/src/index.js';
import { IMAGES, NETWORKS, ROOT, loadImage, openEngine } from './inputs.js';
import { machineFacts, median } from '../machine.js';
import { planarOf, scoreResult, type Scores } from './style-strength.js';

const PHOTOS = ['chelsea.png', 'stata.jpg', 'kite.jpg'];
const PAINTINGS = ['starry_night.jpg', 'great_wave.jpg', 'the_scream.jpg', 'udnie.jpg'];
/** The defaults before issue 13's retune, spelled out so that they can still be compared. */
const BEFORE: GatysOptions = { styleWeight: 10, contentWeight: 1, tvWeight: 1e-2, styleScale: 1, iterations: 100, scales: 3 };
const GRID = resolve(ROOT, 'docs/images/gatys-before-after.jpg');
const REPORT = resolve(ROOT, 'scripts/bench/optimize/STYLE.md');
const CELL = 192;
const MAX_GRID_BYTES = 200 * 1024;

const { values: flags } = parseArgs({
  options: {
    size: { type: 'string', default: '512' },
    network: { type: 'string', default: 'squeezenet' },
    config: { type: 'string', multiple: true },
    pairs: { type: 'string' },
    'no-write': { type: 'boolean', default: false },
    threads: { type: 'string', default: '2' },
  },
});
const log = (...a: unknown[]) => console.error(...a);

function configs(): Array<{ name: string; options: GatysOptions }> {
  if (!flags.config) return [{ name: 'before', options: BEFORE }, { name: 'defaults', options: {} }];
  return flags.config.map((c) => {
    const at = c.indexOf('=');
    return at < 0 ? { name: c, options: c === 'before' ? BEFORE : {} } : { name: c.slice(0, at), options: JSON.parse(c.slice(at + 1)) as GatysOptions };
  });
}

interface Row extends Scores {
  config: string;
  photo: string;
  painting: string;
  ms: number;
  png: Buffer;
}

async function main(): Promise<void> {
  const size = Number(flags.size);
  const optimised = NETWORKS.find((n) => n.key === flags.network);
  const judge = NETWORKS.find((n) => n.key !== flags.network);
  if (!optimised || !judge) throw new Error(`--network: expected squeezenet or vgg19, got ${flags.network}`);
  const sessionOptions = { intraOpNumThreads: Number(flags.threads) };
  const judgeEngine = await openEngine(judge, sessionOptions);
  const selfEngine = await openEngine(optimised, sessionOptions);
  const optimizer = await loadStyleOptimizer({ lossNetwork: optimised.key, sessionOptions });
  const pairs = PHOTOS.flatMap((photo) => PAINTINGS.map((painting) => ({ photo, painting }))).slice(0, flags.pairs ? Number(flags.pairs) : undefined);
  const list = configs();
  const rows: Row[] = [];
  try {
    for (const { photo, painting } of pairs) {
      const [photoImage, paintingImage] = [await loadImage(`content/${photo}`), await loadImage(`style/${painting}`)];
      for (const { name, options } of list) {
        const out = await optimizer.stylize(join(IMAGES, 'content', photo), { styleImage: join(IMAGES, 'style', painting) }, { size, ...options });
        const result = planarOf(out);
        const scores = await scoreResult(judgeEngine, result, photoImage, paintingImage);
        const self = await scoreResult(selfEngine, result, photoImage, paintingImage);
        rows.push({ config: name, photo, painting, ms: out.info.ms, ...scores, png: await out.toSharp().png().toBuffer() });
        log(
          `${photo} × ${painting} [${name}]: ${(out.info.ms / 1000).toFixed(1)} s; ${judge.key}: style ${scores.style.toFixed(3)}, content ${scores.content.toFixed(3)}; ` +
            `${optimised.key}: style ${self.style.toFixed(3)}, content ${self.content.toFixed(3)}`,
        );
      }
    }
  } finally {
    await optimizer.dispose();
    await judgeEngine.dispose();
    await selfEngine.dispose();
  }
  const summary = list.map(({ name, options }) => {
    const mine = rows.filter((r) => r.config === name);
    return {
      name,
      options,
      style: median(mine.map((r) => r.style)),
      content: median(mine.map((r) => r.content)),
      ms: median(mine.map((r) => r.ms)),
      total: mine.reduce((a, r) => a + r.ms, 0),
    };
  });
  for (const s of summary) {
    log(`[${s.name}] ${JSON.stringify(s.options)}: median style ${s.style.toFixed(3)}, content ${s.content.toFixed(3)}, ${(s.ms / 1000).toFixed(1)} s per image`);
  }
  if (flags['no-write']) return;
  writeReport(summary, rows, optimised.title, judge.title, size, pairs.length);
  await writeGrid(rows, list.map((c) => c.name));
}

function writeReport(
  summary: Array<{ name: string; options: GatysOptions; style: number; content: number; ms: number }>,
  rows: Row[],
  optimised: string,
  judge: string,
  size: number,
  pairs: number,
): void {
  const facts = machineFacts();
  const base = summary[0];
  const lines = [
    '# Optimisation method: style strength (npm run bench:style)',
    '',
    `Generated on ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC: ${facts.cores} × ${facts.cpuModel}, Node ${facts.node}, ` +
      `onnxruntime-node ${facts.onnxruntimeNode}; ${pairs} photo × painting pairs at ${size} px, optimised on ${optimised}, judged on ${judge}.`,
    '',
    `Style: mean over ${judge}'s style layers of ‖G(result) − G(painting)‖² / ‖G(painting)‖², relative to the photo's own ` +
      `(1: no style; lower: more of the painting). Content: ‖F(result) − F(photo)‖² / ‖F(photo)‖² on its content layer. Medians over the pairs.`,
    '',
    '| configuration | options | style distance | vs first | content distance | time per image | vs first |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...summary.map(
      (s) =>
        `| ${s.name} | \`${JSON.stringify(s.options)}\` | ${s.style.toFixed(3)} | ${(s.style / base.style).toFixed(2)}× | ${s.content.toFixed(3)} | ` +
        `${(s.ms / 1000).toFixed(1)} s | ${(s.ms / base.ms).toFixed(2)}× |`,
    ),
    '',
    '| photo | painting | ' + summary.map((s) => `${s.name}: style / content / time`).join(' | ') + ' |',
    '| --- | --- | ' + summary.map(() => '---').join(' | ') + ' |',
    ...[...new Set(rows.map((r) => `${r.photo}|${r.painting}`))].map((key) => {
      const [photo, painting] = key.split('|');
      const cells = summary.map((s) => {
        const r = rows.find((x) => x.config === s.name && x.photo === photo && x.painting === painting)!;
        return `${r.style.toFixed(3)} / ${r.content.toFixed(3)} / ${(r.ms / 1000).toFixed(1)} s`;
      });
      return `| ${photo} | ${painting} | ${cells.join(' | ')} |`;
    }),
    '',
  ];
  writeFileSync(REPORT, lines.join('\n'));
  log(`wrote ${REPORT}`);
}

/** One row per photo × painting: the photo, the painting, then each configuration's result. */
async function writeGrid(rows: Row[], names: string[]): Promise<void> {
  const keys = [...new Set(rows.map((r) => `${r.photo}|${r.painting}`))];
  const columns = 2 + names.length;
  const tiles: OverlayOptions[] = [];
  for (const [y, key] of keys.entries()) {
    const [photo, painting] = key.split('|');
    const inputs = [join(IMAGES, 'content', photo), join(IMAGES, 'style', painting), ...names.map((n) => rows.find((r) => r.config === n && `${r.photo}|${r.painting}` === key)!.png)];
    for (const [x, input] of inputs.entries()) {
      tiles.push({ input: await sharp(input).resize(CELL, CELL, { fit: 'cover' }).toBuffer(), left: x * CELL, top: y * CELL });
    }
  }
  const grid = sharp({ create: { width: columns * CELL, height: keys.length * CELL, channels: 3, background: '#111' } }).composite(tiles);
  for (let quality = 80; quality >= 40; quality -= 8) {
    await grid.clone().jpeg({ quality, mozjpeg: true }).toFile(GRID);
    if (statSync(GRID).size <= MAX_GRID_BYTES) break;
  }
  log(`wrote ${GRID} (${Math.round(statSync(GRID).size / 1024)} KB; columns: photo, painting, ${names.join(', ')})`);
}

await main();
