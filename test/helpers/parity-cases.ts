/**
 * One table of cases run against both adapters (@pastiche/node in Node, @pastiche/web in Chromium): the same
 * kinds of style and loss-network references, the same load progress, the same error class and code for the
 * same failure. Runs in Node and in the page, so it uses neither Node nor DOM types.
 */

/** The user API both adapters export, loosely typed so that one runner drives both. */
export interface AdapterApi {
  stylize(input: unknown, style: unknown, options?: unknown): Promise<{ width: number; height: number; info: { model: string } }>;
  loadStyle(style: unknown, options?: unknown): Promise<{ info: { model: string }; stylize(input: unknown, options?: unknown): Promise<unknown>; dispose(): Promise<void> }>;
  loadStyleOptimizer(options?: unknown): Promise<{ info: { lossNetwork: string }; dispose(): Promise<void> }>;
}

/** Where the shared fixtures are, as each side reaches them. */
export interface ParityFixtures {
  /** 48×32 RGB pixels, the same on both sides. */
  image: { data: Uint8Array; width: number; height: number; channels: 3 };
  /** Absolute http URL of the served models folder (candy.onnx is there). */
  modelsUrl: string;
  /** Absolute http URL of a folder with squeezenet1.1's exported gradient graphs. */
  gradUrl: string;
  candyBytes: Uint8Array;
  /** Options each side adds to every load (web: modelBaseUrl; node: a fresh cacheDir). */
  base: Record<string, unknown>;
}

/** What a case came to: the result's facts, or the error's class and code. */
export interface ParityOutcome {
  ok: boolean;
  name?: string;
  code?: string;
  detail?: string;
}

type Case = (api: AdapterApi, f: ParityFixtures) => Promise<string>;

const styleImage = (f: ParityFixtures) => ({ styleImage: f.image });
const gatysRun = { size: 24, scales: 1, iterations: 1 };

/** The cases, by name. Each returns a short description of its result; a throw is the outcome. */
// In order: the URL case comes first, before 'candy' by name has loaded the same URL's session in the page.
export const PARITY_CASES: Readonly<Record<string, Case>> = Object.freeze({
  'style by URL, with load progress': async (api, f) => {
    const events: string[] = [];
    const stylizer = await api.loadStyle(`${f.modelsUrl}candy.onnx`, { ...f.base, onLoadProgress: (e: { status: string }) => events.push(e.status) });
    await stylizer.dispose();
    return `${stylizer.info.model} ${[...new Set(events)].join(',')}`;
  },
  'style by name': async (api, f) => describe(await api.stylize(f.image, 'candy', { ...f.base, size: 32 })),
  'style by bytes': async (api, f) => describe(await api.stylize(f.image, f.candyBytes, { ...f.base, size: 32 })),
  'loss network by name': async (api, f) => describe(await api.stylize(f.image, styleImage(f), { ...f.base, ...gatysRun, lossNetwork: 'squeezenet' })),
  'prebuilt gradient graphs by URL': async (api, f) => {
    const optimizer = await api.loadStyleOptimizer({
      ...f.base,
      gradientGraphs: { features: `${f.gradUrl}squeezenet1.1.features.onnx`, lossGrad: `${f.gradUrl}squeezenet1.1.loss-grad.onnx` },
    });
    await optimizer.dispose();
    return optimizer.info.lossNetwork;
  },
  'unknown device': (api, f) => api.stylize(f.image, 'candy', { ...f.base, device: 'tpu' }).then(describe),
  'device of the wrong type': (api, f) => api.stylize(f.image, 'candy', { ...f.base, device: 3 }).then(describe),
  'strength 2': (api, f) => api.stylize(f.image, 'candy', { ...f.base, strength: 2 }).then(describe),
  'size -3': (api, f) => api.stylize(f.image, 'candy', { ...f.base, size: -3 }).then(describe),
  'tile 0': (api, f) => api.stylize(f.image, 'candy', { ...f.base, tile: 0 }).then(describe),
  'unknown option': (api, f) => api.stylize(f.image, 'candy', { ...f.base, sise: 3 }).then(describe),
  'options null': (api, f) => api.stylize(f.image, 'candy', null).then(describe),
  'style of the wrong type': (api, f) => api.stylize(f.image, 42).then(describe),
  'input of the wrong type': (api, f) => api.stylize(42, 'candy', f.base).then(describe),
  'sha256 malformed': (api, f) => api.stylize(f.image, 'candy', { ...f.base, sha256: 'abc' }).then(describe),
  'unknown style': (api, f) => api.stylize(f.image, 'no-such-style', f.base).then(describe),
  'model URL 404': (api, f) => api.stylize(f.image, `${f.modelsUrl}missing.onnx`, f.base).then(describe),
  'model URL with a wrong sha256': (api, f) => api.stylize(f.image, `${f.modelsUrl}candy.onnx`, { ...f.base, sha256: '0'.repeat(64) }).then(describe),
  'bytes that are no model': (api, f) => api.stylize(f.image, new Uint8Array([8, 1, 0xff, 0xff]), f.base).then(describe),
  'a load option passed to a run': async (api, f) => {
    const stylizer = await api.loadStyle('candy', f.base);
    try {
      return describe(await stylizer.stylize(f.image, { sessionOptions: {} }) as never);
    } finally {
      await stylizer.dispose();
    }
  },
  'a run option passed to a load': (api, f) => api.loadStyle('candy', { ...f.base, size: 32 }).then((s) => s.info.model),
  'an optimisation option with a style network': (api, f) => api.stylize(f.image, 'candy', { ...f.base, iterations: 3 }).then(describe),
  'a fast-method option with style images': (api, f) => api.stylize(f.image, styleImage(f), { ...f.base, strength: 0.5 }).then(describe),
  'iterations -1': (api, f) => api.stylize(f.image, styleImage(f), { ...f.base, iterations: -1 }).then(describe),
  'unknown loss network': (api, f) => api.stylize(f.image, styleImage(f), { ...f.base, lossNetwork: 'alexnet' }).then(describe),
  'loss network and gradient graphs': (api, f) =>
    api.stylize(f.image, styleImage(f), { ...f.base, lossNetwork: 'squeezenet', gradientGraphs: { features: 'a.onnx', lossGrad: 'b.onnx' } }).then(describe),
  'no style image': (api, f) => api.stylize(f.image, { styleImages: [] }, f.base).then(describe),
  'arbitrary method with a style network': (api, f) => api.stylize(f.image, 'candy', { ...f.base, method: 'arbitrary' }).then(describe),
  'arbitrary method with an optimisation option': (api, f) => api.stylize(f.image, styleImage(f), { ...f.base, method: 'arbitrary', iterations: 3 }).then(describe),
  'style vector of the wrong length': (api, f) => api.stylize(f.image, { styleVector: [1, 2, 3] }, f.base).then(describe),
  'unknown transfer network': (api, f) => api.stylize(f.image, styleImage(f), { ...f.base, method: 'arbitrary', transferNetwork: 'magenta-transfer-f32' }).then(describe),
  'an aborted load': (api, f) => {
    const controller = new AbortController();
    controller.abort();
    return api.loadStyle(`${f.modelsUrl}candy.onnx`, { ...f.base, signal: controller.signal }).then((s) => s.info.model);
  },
});

function describe(result: { width: number; height: number; info: { model: string } }): string {
  return `${result.info.model} ${result.width}×${result.height}`;
}

/** Runs every case in order and reports its outcome. */
export async function runParityCases(api: AdapterApi, fixtures: ParityFixtures): Promise<Record<string, ParityOutcome>> {
  const outcomes: Record<string, ParityOutcome> = {};
  for (const [name, run] of Object.entries(PARITY_CASES)) {
    try {
      outcomes[name] = { ok: true, detail: await run(api, fixtures) };
    } catch (error) {
      const e = error as { name?: string; code?: string; message?: string };
      outcomes[name] = { ok: false, name: e.name, code: e.code, detail: e.message };
    }
  }
  return outcomes;
}
