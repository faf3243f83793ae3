/**
 * Lifecycle under load (issue 10 item 7): dispose() while runs are in flight ends them (each finishes or fails with
 * E_DISPOSED) and releases every session, never while one runs; an aborted load or run leaves no session and no
 * listener behind; 100 sequential runs over 10 models do not grow the RSS after dispose().
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { PasticheError, createPastiche, type OrtRuntime } from '@pastiche/core';
import { nodePlatform } from '../../packages/node/src/node-platform.js';
import { REPO_ROOT, builtModel, contentImage } from '../helpers/assets.js';

/** nodePlatform whose runtime counts sessions: created, released, and running now. */
function countingPastiche() {
  const counts = { created: 0, released: 0, running: 0, releasedWhileRunning: 0 };
  const runtime: OrtRuntime = {
    ...nodePlatform.runtime,
    async createSession(model, options) {
      const session = await nodePlatform.runtime.createSession(model, options);
      counts.created++;
      let running = 0;
      return new Proxy(session, {
        get(target, key, receiver) {
          if (key === 'run') {
            return async (...args: unknown[]) => {
              running++;
              counts.running++;
              try {
                return await (target.run as (...a: unknown[]) => Promise<unknown>).apply(target, args);
              } finally {
                running--;
                counts.running--;
              }
            };
          }
          if (key === 'release') {
            return async () => {
              if (running > 0) counts.releasedWhileRunning++;
              counts.released++;
              return target.release();
            };
          }
          const value = Reflect.get(target, key, receiver);
          return typeof value === 'function' ? value.bind(target) : value;
        },
      });
    },
  };
  const pastiche = createPastiche({ ...nodePlatform, runtime });
  const open = () => counts.created - counts.released;
  return { pastiche, counts, open };
}

const photo = () => contentImage('coffee.png');
const settle = (promise: Promise<unknown>) => promise.then((value) => ({ value }), (error: unknown) => ({ error }));
const until = async (condition: () => boolean, ms = 20_000) => {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 10));
  }
};

/** An AbortSignal that counts the listeners added to it and still attached. */
function countedSignal(controller = new AbortController()) {
  const signal = controller.signal;
  let attached = 0;
  const add = signal.addEventListener.bind(signal);
  const remove = signal.removeEventListener.bind(signal);
  signal.addEventListener = ((...args: Parameters<AbortSignal['addEventListener']>) => {
    attached++;
    add(...args);
  }) as typeof signal.addEventListener;
  signal.removeEventListener = ((...args: Parameters<AbortSignal['removeEventListener']>) => {
    attached--;
    remove(...args);
  }) as typeof signal.removeEventListener;
  return { controller, signal, attached: () => attached };
}

describe('dispose() with runs in flight', () => {
  it('ends tiled fast runs of held and one-shot stylizers (finished or E_DISPOSED) and releases every session after they settle', async () => {
    const { pastiche, counts, open } = countingPastiche();
    const a = await pastiche.loadStyle('candy');
    const b = await pastiche.loadStyle('mosaic');
    let tilesDone = 0;
    const onProgress = () => void tilesDone++;
    const runs = [
      a.stylize(photo(), { size: 256, tile: 64, onProgress }),
      a.stylize(photo(), { size: 256, tile: 64, onProgress }),
      b.stylize(photo(), { size: 256, tile: 64, onProgress }),
      pastiche.stylize(photo(), 'udnie', { size: 256, tile: 64, onProgress }),
    ].map(settle);
    await until(() => tilesDone >= 2);
    await pastiche.dispose();
    // Every run had settled by the time dispose() resolved, and no session was released while it ran.
    const settled = await Promise.race([Promise.all(runs), new Promise((r) => setTimeout(() => r('pending'), 0))]);
    expect(settled).not.toBe('pending');
    const outcomes = settled as { value?: unknown; error?: unknown }[];
    for (const o of outcomes) if ('error' in o) expect(o.error).toMatchObject({ name: 'PasticheError', code: 'E_DISPOSED' });
    expect(outcomes.filter((o) => 'error' in o).length).toBeGreaterThan(0);
    const disposed = outcomes.find((o) => 'error' in o)!.error as PasticheError;
    expect(disposed.message).toMatch(/^This stylizer of '(candy|mosaic|udnie)' was disposed; load the style again\.$/);
    expect(counts).toMatchObject({ running: 0, releasedWhileRunning: 0 });
    // Three style networks, plus the pass sessions exact tiling opened for them (the default when an image is split).
    expect(counts.created).toBeGreaterThanOrEqual(3);
    expect(open()).toBe(0);
    // Held stylizers fail afterwards; later loads work.
    await expect(a.stylize(photo(), { size: 32 })).rejects.toMatchObject({ code: 'E_DISPOSED' });
    expect((await pastiche.stylize(photo(), 'candy', { size: 32 })).width).toBe(32);
    await pastiche.dispose();
    expect(open()).toBe(0);
  });

  it("ends an optimisation at its next iteration, and a stylizer's own dispose() ends only its runs", async () => {
    const { pastiche, counts, open } = countingPastiche();
    const optimizer = await pastiche.loadStyleOptimizer();
    let iterations = 0;
    const optimising = settle(
      optimizer.stylize(photo(), { styleImage: contentImage('chelsea.png') }, { size: 128, iterations: 1000, onProgress: () => void iterations++ }),
    );
    const candy = await pastiche.loadStyle('candy');
    const other = await pastiche.loadStyle('candy');
    const mine = settle(candy.stylize(photo(), { size: 256, tile: 64 }));
    const theirs = settle(other.stylize(photo(), { size: 64 }));
    await until(() => iterations >= 3);
    await candy.dispose();
    expect(await mine).toMatchObject({ error: { code: 'E_DISPOSED' } });
    // The session is shared: the other stylizer's run and later runs go on.
    expect(await theirs).toHaveProperty('value');
    expect((await other.stylize(photo(), { size: 32 })).width).toBe(32);
    const before = iterations;
    await pastiche.dispose();
    const outcome = await optimising;
    expect(outcome).toMatchObject({ error: { name: 'PasticheError', code: 'E_DISPOSED', message: 'This style optimizer (squeezenet1.1) was disposed; load it again.' } });
    expect(((outcome as { error: PasticheError }).error.cause as PasticheError).code).toBe('E_ABORTED');
    expect(iterations - before).toBeLessThanOrEqual(1);
    expect(counts).toMatchObject({ running: 0, releasedWhileRunning: 0 });
    expect(open()).toBe(0);
  });
});

describe('aborting', () => {
  it('a load aborted while its session opens releases the session once it has opened', async () => {
    const { pastiche, counts, open } = countingPastiche();
    const { controller, signal, attached } = countedSignal();
    const loading = settle(pastiche.loadStyle(builtModel('mosaic.onnx'), { signal }));
    controller.abort();
    expect(await loading).toMatchObject({ error: { code: 'E_ABORTED' } });
    await until(() => counts.created === counts.released);
    expect(open()).toBe(0);
    expect(attached()).toBe(0);
  });

  it('a run aborted part way fails with E_ABORTED, leaves no listener on the signal, and dispose() releases the session', async () => {
    const { pastiche, counts, open } = countingPastiche();
    const stylizer = await pastiche.loadStyle('candy');
    const reused = countedSignal();
    // A long-lived signal used for many runs keeps no listener from any of them.
    for (let i = 0; i < 5; i++) await stylizer.stylize(photo(), { size: 32, signal: reused.signal });
    expect(reused.attached()).toBe(0);
    const { controller, signal, attached } = countedSignal();
    let tiles = 0;
    // Aborted from the first tile's progress event: polling for it from outside let 20 tiles of 64² pass on a busy
    // machine before the abort landed.
    const abortAfterFirst = () => {
      if (++tiles === 1) controller.abort(new Error('user gave up'));
    };
    const outcome = (await settle(stylizer.stylize(photo(), { size: 256, tile: 64, signal, onProgress: abortAfterFirst }))) as { error: PasticheError };
    expect(outcome.error).toBeInstanceOf(PasticheError);
    expect(outcome.error.code).toBe('E_ABORTED');
    expect((outcome.error.cause as Error).message).toBe('user gave up');
    expect(tiles).toBe(1);
    expect(attached()).toBe(0);
    await stylizer.dispose();
    expect(counts).toMatchObject({ running: 0, releasedWhileRunning: 0 });
    expect(open()).toBe(0);
  });
});

describe('memory', () => {
  it('100 sequential runs over 10 models do not grow the RSS after dispose()', async () => {
    const models = ['candy', 'mosaic', 'pointilism', 'rain_princess', 'udnie', 'ml5-la_muse', 'ml5-scream', 'ml5-wave', 'ml5-udnie', 'ml5-wreck'];
    for (const m of models) builtModel(`${m}.onnx`);
    // A fresh process with gc exposed, on the built package: no test runner's allocations in the figures.
    const script = `
      import { dispose, loadStyle, stylize } from '@pastiche/node';
      const models = ${JSON.stringify(models)};
      const image = { data: new Uint8Array(96 * 64 * 3).map((_, i) => (i * 7) % 251), width: 96, height: 64, channels: 3 };
      const rss = () => { globalThis.gc(); globalThis.gc(); return process.memoryUsage().rss; };
      const samples = [];
      for (let round = 0; round < 10; round++) {
        for (const [i, name] of models.entries()) {
          // Held and one-shot calls alternate, so that both paths are measured.
          if ((round + i) % 2 === 0) {
            const stylizer = await loadStyle(name);
            await stylizer.stylize(image);
            await stylizer.dispose();
          } else {
            await stylize(image, name);
          }
        }
        await dispose();
        samples.push(rss());
      }
      console.log(JSON.stringify(samples));
    `;
    const { stdout } = await promisify(execFile)(process.execPath, ['--expose-gc', '--input-type=module', '-e', script], { cwd: REPO_ROOT, timeout: 150_000 });
    const samples = (JSON.parse(stdout.trim().split('\n').at(-1)!) as number[]).map((b) => b / 2 ** 20);
    console.log(`RSS after each round of 10 runs and dispose(), MiB: ${samples.map((s) => s.toFixed(0)).join(', ')}`);
    // The first round warms the allocator and onnxruntime up (+40–70 MiB); after it the RSS wanders ±25 MiB with no
    // trend. A session kept per run would add about 70 MiB a round (10 models of 6.7 MB, their weights and arenas).
    const settled = samples.slice(1);
    const n = settled.length;
    const meanX = (n - 1) / 2;
    const meanY = settled.reduce((a, b) => a + b, 0) / n;
    const slope = settled.reduce((a, y, x) => a + (x - meanX) * (y - meanY), 0) / settled.reduce((a, _y, x) => a + (x - meanX) ** 2, 0);
    console.log(`after the first round: slope ${slope.toFixed(1)} MiB per round, last − lowest of rounds 2–4: ${(settled[n - 1] - Math.min(...settled.slice(0, 3))).toFixed(0)} MiB`);
    expect(slope).toBeLessThan(8);
    expect(settled[n - 1] - Math.min(...settled.slice(0, 3))).toBeLessThan(80);
  }, 180_000);
});
