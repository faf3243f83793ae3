import { readFile } from 'node:fs/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { GatysEngine, decodeModel, rawToPlanar, resizeImage, type PlanarImage } from '@pastiche/core';
import { PasticheError, dispose, loadStyleOptimizer, stylize, type GatysProgress } from '@pastiche/node';
import { nodePlatform } from '../../packages/node/src/node-platform.js';
import { builtModel, contentImage, asset } from '../helpers/assets.js';
import { loadPlanar } from '../helpers/images.js';

afterAll(() => dispose());

const photo = () => contentImage('chelsea.png');
const starry = () => asset('images/style/starry_night.jpg');
const wave = () => asset('images/style/great_wave.jpg');

/** Mean squared distance between two images' Gram matrices over the engine's style layers. */
async function gramDistance(engine: GatysEngine, a: PlanarImage, b: PlanarImage): Promise<number> {
  const [fa, fb] = [await engine.features(a), await engine.features(b)];
  let sum = 0;
  for (const layer of engine.graphs.styleLayers) {
    const [ga, gb] = [fa.get(`gram.${layer}`)!.data, fb.get(`gram.${layer}`)!.data];
    let d = 0;
    let n = 0;
    for (let i = 0; i < ga.length; i++) {
      d += (ga[i] - gb[i]) ** 2;
      n += gb[i] ** 2;
    }
    sum += d / n;
  }
  return sum;
}

describe('optimisation method (Gatys) on SqueezeNet', () => {
  it('lowers the loss by a large factor and moves the Gram matrices towards the style', async () => {
    const progress: GatysProgress[] = [];
    const out = await stylize(photo(), { styleImage: starry() }, { size: 96, scales: 1, iterations: 40, onProgress: (p) => progress.push(p) });
    expect([out.width, out.height]).toEqual([96, 64]);
    expect(out.info).toMatchObject({ model: 'gatys:squeezenet1.1', device: 'cpu' });
    const first = progress[0];
    const last = progress.at(-1)!;
    expect(first.iteration).toBe(1);
    expect(last.iteration).toBe(40);
    expect(Object.keys(last.terms)).toEqual(['content_loss.fire2', 'style_loss.conv1', 'style_loss.fire3', 'style_loss.fire4', 'style_loss.fire5', 'tv_loss']);
    console.log(`loss ${first.loss.toFixed(2)} after 1 iteration → ${last.loss.toFixed(4)} after 40`);
    expect(last.loss).toBeLessThan(first.loss / 5);

    const engine = await GatysEngine.fromLossNetwork(nodePlatform.runtime, decodeModel(await readFile(builtModel('squeezenet1.1.onnx'))));
    const content = await loadPlanar(photo(), { width: 96, height: 64 });
    const style = await loadPlanar(starry());
    const styleResized = resizeImage(style, 96, 76);
    const result = rawToPlanar({ data: out.data, width: 96, height: 64, channels: 3 });
    const before = await gramDistance(engine, content, styleResized);
    const after = await gramDistance(engine, result, styleResized);
    console.log(`Gram distance to the style: content ${before.toFixed(3)} → result ${after.toFixed(3)}`);
    expect(after).toBeLessThan(before / 3);
    await engine.dispose();
  });

  it('is reproducible for a seed and differs for another', async () => {
    const run = (seed: number) => stylize(photo(), { styleImage: starry() }, { size: 64, scales: 1, iterations: 5, init: 'noise', seed });
    const [a, b, c] = [await run(7), await run(7), await run(8)];
    expect(Buffer.from(a.data).equals(Buffer.from(b.data))).toBe(true);
    expect(Buffer.from(a.data).equals(Buffer.from(c.data))).toBe(false);
  });

  it('stops when aborted', async () => {
    const controller = new AbortController();
    let iterations = 0;
    const error = await stylize(photo(), { styleImage: starry() }, {
      size: 64,
      iterations: 50,
      signal: controller.signal,
      onProgress: () => {
        if (++iterations === 2) controller.abort();
      },
    }).catch((e) => e);
    expect(error).toBeInstanceOf(PasticheError);
    expect(error.code).toBe('E_ABORTED');
    expect(iterations).toBe(2);
  });

  it('blends several weighted style images, runs coarse to fine, and supports Adam, average pooling and VGG19', async () => {
    const scales: number[] = [];
    const out = await stylize(
      photo(),
      { styleImages: [starry(), { image: wave(), weight: 0.3 }] },
      { size: 128, scales: 2, iterations: 3, optimizer: 'adam', pooling: 'average', lossNetwork: 'vgg19', styleScale: 0.5, onProgress: (p) => scales.push(p.width) },
    );
    expect([out.width, out.height]).toEqual([128, 85]);
    expect([...new Set(scales)]).toEqual([64, 128]);
    expect(out.info.model).toBe('gatys:vgg19-partial');
  });

  it('rejects bad options and layers with clear errors', async () => {
    await expect(stylize(photo(), { styleImages: [] })).rejects.toThrow('Expected styleImage or a non-empty styleImages array for style');
    await expect(stylize(photo(), { styleImage: starry() }, { optimizer: 'sgd' as never })).rejects.toThrow(RangeError);
    await expect(stylize(photo(), { styleImage: starry() }, { optimizer: 3 as never })).rejects.toThrow(TypeError);
    await expect(stylize(photo(), { styleImage: starry() }, { strength: 0.5 } as never)).rejects.toThrow(/'strength'.*fast method/);
    const error = await stylize(photo(), { styleImage: starry() }, { styleLayers: ['fire42'], size: 32 }).catch((e) => e);
    expect(error.code).toBe('E_MODEL_SIGNATURE');
    expect(error.message).toMatch(/fire42.*conv1, fire2/);
    await expect(stylize(photo(), { styleImage: starry() }, { lossNetwork: 'alexnet' })).rejects.toThrow(/Unknown loss network 'alexnet'/);
  });

  it('loads once and runs many: the optimizer keeps its graphs and sessions, and checks options before building anything', async () => {
    const built: string[] = [];
    const optimizer = await loadStyleOptimizer({ lossNetwork: 'squeezenet', onLoadProgress: (e) => built.push(e.status) });
    expect(built).toEqual(['ready']);
    expect(optimizer.info).toMatchObject({ lossNetwork: 'squeezenet1.1', device: 'cpu', pooling: 'max', styleLayers: ['conv1', 'fire3', 'fire4', 'fire5'] });
    const [a, b] = await Promise.all([
      optimizer.stylize(photo(), { styleImage: starry() }, { size: 48, scales: 1, iterations: 2 }),
      optimizer.stylize(photo(), { styleImage: wave() }, { size: 48, scales: 1, iterations: 2 }),
    ]);
    expect([a.width, b.width]).toEqual([48, 48]);
    await expect(optimizer.stylize(photo(), { styleImage: starry() }, { iterations: -1 })).rejects.toThrow(RangeError);
    await expect(optimizer.stylize(photo(), { styleImage: starry() }, { styleLayers: ['conv1'] } as never)).rejects.toThrow(
      "Expected no 'styleLayers' in run options: it is a load option: pass it to loadStyleOptimizer()",
    );
    await optimizer.dispose();
    // A bad run option fails before the loss network is even resolved.
    await expect(stylize(photo(), { styleImage: starry() }, { iterations: -1, lossNetwork: 'alexnet' })).rejects.toThrow(RangeError);
  });

  it('a real optimisation that diverges while its loss stays finite is E_NUMERIC, not an image of noise', async () => {
    // Adam with a learning rate 2e5 times the default throws pixels between the bounds: without the check this returned
    // an image with every value at 0 or 255.
    const options = { size: 64, scales: 1, iterations: 30, optimizer: 'adam', learningRate: 1e6 } as const;
    const error = await stylize(contentImage('coffee.png'), { styleImage: starry() }, options).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PasticheError);
    expect((error as PasticheError).code).toBe('E_NUMERIC');
    expect((error as Error).message).toMatch(/^The optimisation diverged at scale 1 of 1 \(64×43\): \d+% of the pixel values ended pinned at 0 or 255 /);
    expect((error as Error).message).toContain('a smaller learningRate (Adam)');
    // The same run at the default learning rate is sound.
    const sound = await stylize(contentImage('coffee.png'), { styleImage: starry() }, { ...options, learningRate: undefined });
    expect(sound.width).toBe(64);
  });
});
