/// <reference types="vite/client" />
/**
 * The demo page: a photo, a style (a built-in style network, or a painting for the arbitrary or the optimisation
 * method), a result with a before/after slider, and its download. Plain DOM, no framework.
 *
 * The page keeps what it loads: one Stylizer per network and device, one StyleOptimizer per loss network and device,
 * one ArbitraryStylizer per device with the style vectors it made (each painting's, and each photo's own), so that
 * moving the strength slider runs the transfer network alone.
 * For tests and the curious, #result carries data attributes: `state` (empty | pending | running | done | stopped |
 * error), `method`, `style`, `ms`, `renders` (results drawn) and `predictorRuns` (style predictor runs this page asked
 * for).
 */
import {
  PasticheError,
  WEB_DEVICES,
  configureRuntime,
  loadArbitraryStylizer,
  loadCatalog,
  loadStyle,
  loadStyleOptimizer,
  type ArbitraryStylizer,
  type LoadProgress,
  type StyleOptimizer,
  type StyleVector,
  type StylizedImage,
  type Stylizer,
  type WebDevice,
  type WebGatysProgress,
} from '@pastiche/web';
import landscapeUrl from '../landscape.jpg';

/** Built-in models are served here (`npm run demo:web` serves models/onnx at /models/). */
const MODEL_BASE_URL = '/models/';
/** Sample paintings and photos, and the style networks' thumbnails (served by vite.config.ts; absent in a build). */
const ASSETS_INDEX = '/demo-assets/index.json';
/** The most wasm threads the page asks for (onnxruntime-web's own cap). */
const MAX_THREADS = 4;
/** Selections run after this pause, so that arrowing through a gallery starts one run, not one per thumbnail. */
const SELECT_DELAY_MS = 150;

type Method = 'fast' | 'arbitrary' | 'optimisation';
interface Picture {
  /** Unique within its gallery. */
  key: string;
  /** Shown, and used in the download's file name. */
  name: string;
  /** The image itself, fetched when first used. */
  load: () => Promise<Blob>;
}
type Style = { kind: 'network'; name: string } | { kind: 'painting'; painting: Picture };

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const threadsNote = $<HTMLParagraphElement>('threads');
const photoInput = $<HTMLInputElement>('photo');
const photoGallery = $<HTMLDivElement>('photo-gallery');
const paintingInput = $<HTMLInputElement>('painting');
const networkGallery = $<HTMLDivElement>('network-gallery');
const paintingGallery = $<HTMLDivElement>('painting-gallery');
const methods = $<HTMLFieldSetElement>('methods');
const settings = $<HTMLFormElement>('settings');
const deviceSelect = $<HTMLSelectElement>('device');
const sizeInput = $<HTMLInputElement>('size');
const strengthInput = $<HTMLInputElement>('strength');
const strengthValue = $<HTMLOutputElement>('strength-value');
const preserveColors = $<HTMLInputElement>('preserve-colors');
const optimisation = $<HTMLFieldSetElement>('optimisation');
const gatysSize = $<HTMLInputElement>('gatys-size');
const iterationsInput = $<HTMLInputElement>('iterations');
const lossNetwork = $<HTMLSelectElement>('loss-network');
const runButton = $<HTMLButtonElement>('run');
const stopButton = $<HTMLButtonElement>('stop');
const progressRow = $<HTMLDivElement>('progress-row');
const progressLabel = $<HTMLLabelElement>('progress-label');
const progress = $<HTMLProgressElement>('progress');
const status = $<HTMLParagraphElement>('status');
const compare = $<HTMLDivElement>('compare');
const before = $<HTMLCanvasElement>('before');
const canvas = $<HTMLCanvasElement>('result');
const split = $<HTMLInputElement>('split');
const resultInfo = $<HTMLParagraphElement>('result-info');
const download = $<HTMLAnchorElement>('download');

const state = {
  photo: undefined as Picture | undefined,
  style: undefined as Style | undefined,
  /** The last network and painting chosen, to come back to when the method changes. */
  lastNetwork: undefined as string | undefined,
  lastPainting: undefined as Picture | undefined,
  /** The run on screen; a newer one aborts it. */
  run: undefined as { controller: AbortController } | undefined,
  downloadUrl: undefined as string | undefined,
};
const blobs = new Map<string, Promise<Blob>>();
const stylizers = new Map<string, Promise<Stylizer>>();
const optimizers = new Map<string, Promise<StyleOptimizer>>();
const arbitraries = new Map<string, Promise<ArbitraryStylizer>>();
/** Style vectors per arbitrary stylizer, by `painting:<key>` or `photo:<key>`. */
const vectors = new WeakMap<ArbitraryStylizer, Map<string, Promise<StyleVector>>>();
let selectTimer: ReturnType<typeof setTimeout> | undefined;
/** A strength moved while an arbitrary run was on screen: render again with the latest value when it ends. */
let strengthMoved = false;
let files = 0;

const method = () => (methods.querySelector<HTMLInputElement>('input[name="method"]:checked')?.value ?? 'fast') as Method;
const device = () => deviceSelect.value as WebDevice;
const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const fileName = (name: string) => name.replace(/\.[^.]+$/, '').replace(/[^\w.-]+/g, '_');

function say(text: string, isError = false): void {
  status.textContent = text;
  status.classList.toggle('error', isError);
}

// ---------------------------------------------------------------------------------------------------------------
// Threads

/** Threads need a cross-origin isolated page (SharedArrayBuffer); say which it is, and use them where it is. */
function setUpThreads(): void {
  const cores = navigator.hardwareConcurrency || 1;
  if (crossOriginIsolated) {
    const threads = Math.max(1, Math.min(MAX_THREADS, cores));
    configureRuntime({ numThreads: threads });
    threadsNote.textContent = `Cross-origin isolated: wasm runs on ${threads} thread${threads === 1 ? '' : 's'} (${cores} logical cores).`;
    threadsNote.dataset.threads = String(threads);
  } else {
    threadsNote.textContent =
      'This page is not cross-origin isolated, so wasm runs on one thread. Serve it with the headers ' +
      'Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp to use threads.';
    threadsNote.dataset.threads = '1';
    threadsNote.classList.add('warning');
  }
  threadsNote.dataset.isolated = String(crossOriginIsolated);
}

// ---------------------------------------------------------------------------------------------------------------
// Progress

function showProgress(label: string, percent: number | undefined): void {
  progressRow.hidden = false;
  progressLabel.textContent = label;
  if (percent === undefined) progress.removeAttribute('value');
  else progress.value = Math.max(0, Math.min(100, percent));
}

function hideProgress(): void {
  progressRow.hidden = true;
}

/** Model downloads (or Cache API reads) and session starts. */
function onLoadProgress(event: LoadProgress): void {
  switch (event.status) {
    case 'initiate':
      showProgress(`Fetching ${event.name}`, undefined);
      break;
    case 'download':
      showProgress(event.cached ? `Reading ${event.name} from the browser cache` : `Downloading ${event.name}`, 0);
      break;
    case 'progress':
      showProgress(
        `Downloading ${event.name}: ${(event.loaded / 1e6).toFixed(1)}${event.total ? ` of ${(event.total / 1e6).toFixed(1)}` : ''} MB`,
        event.progress,
      );
      break;
    case 'done':
      showProgress(`Starting ${event.name}`, 100);
      break;
    case 'ready':
      say(`${event.name} is ready on ${event.device}.`);
      break;
  }
}

/** One optimiser iteration: progress over all scales, the loss, and every few iterations the image so far. */
function onIteration(p: WebGatysProgress): void {
  const done = (p.scale - 1) * p.iterations + p.iteration;
  showProgress(`Optimising: scale ${p.scale} of ${p.scales}, iteration ${p.iteration} of ${p.iterations}`, (done / (p.scales * p.iterations)) * 100);
  say(`Scale ${p.scale} of ${p.scales} (${p.width}×${p.height}): iteration ${p.iteration} of ${p.iterations}, loss ${p.loss.toPrecision(4)}`);
  if (p.preview) {
    canvas.width = p.width;
    canvas.height = p.height;
    canvas.getContext('2d')!.putImageData(p.preview, 0, 0);
    canvas.dataset.previews = String(Number(canvas.dataset.previews ?? 0) + 1);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Galleries

/** A thumbnail that is a radio button: arrow keys move between them, Space picks one. */
function thumbnail(group: string, value: string, caption: string, image: string | undefined, title?: string): HTMLLabelElement {
  const label = document.createElement('label');
  label.className = 'thumb';
  label.dataset.value = value;
  if (title) label.title = title;
  const input = document.createElement('input');
  input.type = 'radio';
  input.name = group;
  input.value = value;
  input.className = 'visually-hidden';
  const picture = document.createElement('span');
  picture.className = 'picture';
  picture.textContent = caption.slice(0, 1);
  if (image) {
    const img = new Image();
    img.alt = '';
    img.decoding = 'async';
    img.src = image;
    img.addEventListener('error', () => img.remove());
    picture.append(img);
  }
  const text = document.createElement('span');
  text.className = 'caption';
  text.textContent = caption;
  label.append(input, picture, text);
  return label;
}

function fetchOnce(url: string): () => Promise<Blob> {
  return () => {
    let blob = blobs.get(url);
    if (!blob) {
      blob = fetch(url).then((response) => {
        if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
        return response.blob();
      });
      blobs.set(url, blob);
      blob.catch(() => blobs.delete(url));
    }
    return blob;
  };
}

const paintings = new Map<string, Picture>();
const photos = new Map<string, Picture>();

function addPainting(picture: Picture, thumb: string | undefined): HTMLInputElement {
  paintings.set(picture.key, picture);
  const label = thumbnail('style', `painting:${picture.key}`, picture.name, thumb);
  paintingGallery.append(label);
  return label.querySelector('input')!;
}

function addPhoto(picture: Picture, thumb: string | undefined): HTMLInputElement {
  photos.set(picture.key, picture);
  const label = thumbnail('photo-sample', picture.key, picture.name, thumb);
  photoGallery.append(label);
  return label.querySelector('input')!;
}

async function showNetworks(): Promise<void> {
  try {
    const catalog = await loadCatalog({ modelBaseUrl: MODEL_BASE_URL });
    networkGallery.replaceChildren(
      ...catalog.styles.map((style) =>
        thumbnail('style', `network:${style.name}`, style.title, `/demo-assets/networks/${encodeURIComponent(style.name)}.jpg`, `${style.name}: ${style.family}, licence ${style.license}`),
      ),
    );
    state.lastNetwork = catalog.default;
  } catch (error) {
    networkGallery.replaceChildren();
    say(`No built-in style networks: ${(error as Error).message}`, true);
  }
}

/** The sample paintings and photos the dev server offers; a build has none (drop your own). */
async function showSamples(): Promise<void> {
  addPhoto({ key: 'landscape', name: 'landscape', load: fetchOnce(landscapeUrl) }, landscapeUrl);
  const response = await fetch(ASSETS_INDEX).catch(() => undefined);
  const index = response?.ok ? ((await response.json()) as Record<'paintings' | 'photos', { name: string; url: string; thumb: string }[]>) : undefined;
  for (const { name, url, thumb } of index?.photos ?? []) addPhoto({ key: name, name, load: fetchOnce(url) }, thumb);
  for (const { name, url, thumb } of index?.paintings ?? []) addPainting({ key: name, name, load: fetchOnce(url) }, thumb);
}

// ---------------------------------------------------------------------------------------------------------------
// Choosing

function check(group: string, value: string | undefined): void {
  for (const input of document.querySelectorAll<HTMLInputElement>(`input[name="${group}"]`)) input.checked = input.value === value;
}

function setMethod(next: Method): void {
  check('method', next);
  updateControls();
}

function setPhoto(picture: Picture, sample: boolean): void {
  state.photo = picture;
  check('photo-sample', sample ? picture.key : undefined);
  // The last result belongs to the last photo.
  cancelRun(new DOMException('Another photo was chosen.', 'AbortError'));
  canvas.width = canvas.height = 0;
  canvas.dataset.state = compare.dataset.state = 'empty';
  download.hidden = true;
  resultInfo.textContent = '';
  picture
    .load()
    .then(async (blob) => {
      if (state.photo === picture) await drawBefore(blob);
    })
    .catch((error: Error) => say(`${picture.name}: ${error.message}`, true));
  scheduleRun();
}

/** A style from a gallery; the method follows: networks are the fast method, paintings the other two. */
function setStyle(style: Style): void {
  state.style = style;
  if (style.kind === 'network') {
    state.lastNetwork = style.name;
    check('style', `network:${style.name}`);
    if (method() !== 'fast') setMethod('fast');
  } else {
    state.lastPainting = style.painting;
    check('style', `painting:${style.painting.key}`);
    if (method() === 'fast') setMethod('arbitrary');
  }
  updateControls();
  scheduleRun();
}

/** A method; the style follows when it does not suit it. */
function onMethodChange(): void {
  const m = method();
  if (m === 'fast' && state.style?.kind !== 'network' && state.lastNetwork) {
    state.style = { kind: 'network', name: state.lastNetwork };
    check('style', `network:${state.lastNetwork}`);
  } else if (m !== 'fast' && state.style?.kind !== 'painting') {
    const painting = state.lastPainting ?? paintings.values().next().value;
    state.style = painting && { kind: 'painting', painting };
    check('style', painting && `painting:${painting.key}`);
  }
  updateControls();
  scheduleRun();
}

function ready(): boolean {
  const m = method();
  return Boolean(state.photo && state.style && (m === 'fast') === (state.style.kind === 'network'));
}

function updateControls(): void {
  const m = method();
  optimisation.disabled = m !== 'optimisation';
  sizeInput.disabled = m === 'optimisation';
  strengthInput.disabled = m === 'optimisation';
  runButton.textContent = m === 'optimisation' ? 'Optimise' : 'Stylize';
  runButton.disabled = !ready();
}

/** Style networks and the arbitrary method take a moment: they run as soon as a choice makes them possible. */
function scheduleRun(): void {
  clearTimeout(selectTimer);
  if (method() === 'optimisation' || !ready()) return;
  canvas.dataset.state = compare.dataset.state = 'pending';
  selectTimer = setTimeout(() => void run(), SELECT_DELAY_MS);
}

// ---------------------------------------------------------------------------------------------------------------
// Running

/** Longest side of the photo on the "before" side; CSS scales it and the result to the same box. */
const BEFORE_MAX_SIDE = 1024;

/** The photo on the "before" side of the comparison. */
async function drawBefore(blob: Blob): Promise<void> {
  const bitmap = await createImageBitmap(blob);
  const scale = Math.min(1, BEFORE_MAX_SIDE / Math.max(bitmap.width, bitmap.height));
  before.width = Math.max(1, Math.round(bitmap.width * scale));
  before.height = Math.max(1, Math.round(bitmap.height * scale));
  before.getContext('2d')!.drawImage(bitmap, 0, 0, before.width, before.height);
  bitmap.close();
}

function stylizerFor(name: string, on: WebDevice): Promise<Stylizer> {
  const key = `${on}|${name}`;
  let stylizer = stylizers.get(key);
  if (!stylizer) {
    stylizer = loadStyle(name, { device: on, modelBaseUrl: MODEL_BASE_URL, onLoadProgress });
    stylizers.set(key, stylizer);
    stylizer.catch(() => stylizers.delete(key));
  }
  return stylizer;
}

function optimizerFor(network: string, on: WebDevice): Promise<StyleOptimizer> {
  const key = `${on}|${network}`;
  let optimizer = optimizers.get(key);
  if (!optimizer) {
    optimizer = loadStyleOptimizer({ device: on, modelBaseUrl: MODEL_BASE_URL, lossNetwork: network, onLoadProgress });
    optimizers.set(key, optimizer);
    optimizer.catch(() => optimizers.delete(key));
  }
  return optimizer;
}

function arbitraryFor(on: WebDevice): Promise<ArbitraryStylizer> {
  let stylizer = arbitraries.get(on);
  if (!stylizer) {
    stylizer = loadArbitraryStylizer({ device: on, modelBaseUrl: MODEL_BASE_URL, onLoadProgress });
    arbitraries.set(on, stylizer);
    stylizer.catch(() => arbitraries.delete(on));
  }
  return stylizer;
}

/** A picture's style vector from `stylizer`, predicted once (and counted in #result's data-predictor-runs). */
function vectorOf(stylizer: ArbitraryStylizer, key: string, picture: Picture): Promise<StyleVector> {
  let kept = vectors.get(stylizer);
  if (!kept) vectors.set(stylizer, (kept = new Map()));
  let vector = kept.get(key);
  if (!vector) {
    canvas.dataset.predictorRuns = String(Number(canvas.dataset.predictorRuns) + 1);
    vector = picture.load().then((image) => stylizer.predictStyle(image));
    kept.set(key, vector);
    vector.catch(() => kept.delete(key));
  }
  return vector;
}

interface Outcome {
  result: StylizedImage;
  /** Loading (download, session start, style vectors) before the run, when this run had to. */
  loadMs: number;
  style: string;
  /** What the result line adds, if anything. */
  note?: string;
}

async function runFast(photo: Blob, name: string, signal: AbortSignal): Promise<Outcome> {
  const started = performance.now();
  const stylizer = await stylizerFor(name, device());
  const loadMs = performance.now() - started;
  say(`Stylizing with ${name}…`);
  const result = await stylizer.stylize(photo, {
    size: Number(sizeInput.value) || undefined,
    strength: Number(strengthInput.value),
    preserveColors: preserveColors.checked,
    signal,
    onProgress: ({ done, total }) => total > 1 && showProgress(`Tile ${done} of ${total}`, (done / total) * 100),
  });
  return { result, loadMs, style: name };
}

async function runOptimisation(photo: Blob, painting: Picture, signal: AbortSignal): Promise<Outcome> {
  const started = performance.now();
  const [optimizer, styleImage] = await Promise.all([optimizerFor(lossNetwork.value, device()), painting.load()]);
  const loadMs = performance.now() - started;
  canvas.dataset.previews = '0';
  showProgress('Optimising', 0);
  const result = await optimizer.stylize(photo, { styleImage }, {
    size: Number(gatysSize.value) || undefined,
    iterations: Number(iterationsInput.value) || undefined,
    preserveColors: preserveColors.checked,
    previewEvery: 5,
    signal,
    onProgress: onIteration,
  });
  return { result, loadMs, style: painting.name };
}

/**
 * The arbitrary method with kept vectors: the painting's, and the photo's own, which `strength` mixes in
 * (v = strength · painting + (1 − strength) · photo, Magenta's way; here as weights of a blend, which is the same
 * sum). With both kept, a new strength is one run of the transfer network.
 */
async function runArbitrary(photo: Picture, content: Blob, painting: Picture, signal: AbortSignal): Promise<Outcome> {
  const started = performance.now();
  const stylizer = await arbitraryFor(device());
  const predictorRuns = canvas.dataset.predictorRuns;
  const [style, own] = await Promise.all([vectorOf(stylizer, `painting:${painting.key}`, painting), vectorOf(stylizer, `photo:${photo.key}`, photo)]);
  const loadMs = performance.now() - started;
  const strength = Number(strengthInput.value);
  say(`Stylizing with ${painting.name} at strength ${strength.toFixed(2)}…`);
  const result = await stylizer.stylize(
    content,
    strength === 1 ? { styleVector: style } : { styleVectors: [{ vector: style, weight: strength }, { vector: own, weight: 1 - strength }] },
    { size: Number(sizeInput.value) || undefined, preserveColors: preserveColors.checked, signal },
  );
  const note = canvas.dataset.predictorRuns === predictorRuns ? 'style vectors kept: transfer network only' : undefined;
  return { result, loadMs, style: painting.name, note };
}

const METHOD_NAMES: Readonly<Record<Method, string>> = { fast: 'style network', arbitrary: 'arbitrary', optimisation: 'optimisation' };

async function show(outcome: Outcome, m: Method): Promise<void> {
  const { result, loadMs, style, note } = outcome;
  result.drawTo(canvas);
  const { device: on, ms } = result.info;
  const total = loadMs + ms;
  const loading = loadMs >= 20 ? ` + ${seconds(loadMs)} loading` : '';
  resultInfo.textContent = `${style}, ${METHOD_NAMES[m]} on ${on}: ${result.width}×${result.height} in ${seconds(ms)}${loading}${note ? ` (${note})` : ''}`;
  $<HTMLOutputElement>(`time-${m}`).value = seconds(total);
  canvas.dataset.method = m;
  canvas.dataset.style = style;
  canvas.dataset.ms = ms.toFixed(1);
  canvas.dataset.renders = String(Number(canvas.dataset.renders) + 1);
  canvas.setAttribute('aria-label', `The photo in the style of ${style}`);
  const blob = await result.toBlob('image/png');
  if (state.downloadUrl) URL.revokeObjectURL(state.downloadUrl);
  state.downloadUrl = URL.createObjectURL(blob);
  download.href = state.downloadUrl;
  download.download = `${fileName(state.photo?.name ?? 'photo')}-${fileName(style)}.png`;
  download.hidden = false;
}

/** Aborts the run on screen, if any, and forgets it: what it ends with is not shown. */
function cancelRun(reason: unknown): void {
  state.run?.controller.abort(reason);
  state.run = undefined;
  stopButton.hidden = true;
}

/** Runs the chosen method on the chosen photo and style; a newer run aborts this one. */
async function run(): Promise<void> {
  clearTimeout(selectTimer);
  const { photo, style } = state;
  if (!photo || !style || !ready()) return;
  const m = method();
  cancelRun(new DOMException('A newer run replaced this one.', 'AbortError'));
  const current = { controller: new AbortController() };
  state.run = current;
  strengthMoved = false;
  const { signal } = current.controller;
  const isCurrent = () => state.run === current;
  canvas.dataset.state = 'running';
  compare.dataset.state = 'running';
  stopButton.hidden = false;
  say(m === 'optimisation' ? 'Loading the optimisation method…' : 'Loading…');
  try {
    const content = await photo.load();
    let outcome: Outcome;
    if (style.kind === 'network') outcome = await runFast(content, style.name, signal);
    else if (m === 'optimisation') outcome = await runOptimisation(content, style.painting, signal);
    else outcome = await runArbitrary(photo, content, style.painting, signal);
    if (!isCurrent()) return;
    await show(outcome, m);
    hideProgress();
    say('Done.');
    // Marked done once the download is offered too, so that whoever waits on the state sees both.
    canvas.dataset.state = 'done';
    compare.dataset.state = 'done';
  } catch (error) {
    if (!isCurrent()) return;
    const stopped = error instanceof PasticheError && error.code === 'E_ABORTED';
    canvas.dataset.state = stopped ? 'stopped' : 'error';
    compare.dataset.state = canvas.dataset.state;
    hideProgress();
    say(stopped ? 'Stopped.' : (error as Error).message, !stopped);
  } finally {
    if (isCurrent()) {
      state.run = undefined;
      stopButton.hidden = true;
      if (strengthMoved) void run();
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Before / after

function setSplit(percent: number): void {
  const value = Math.round(Math.max(0, Math.min(100, percent)));
  split.value = String(value);
  split.setAttribute('aria-valuetext', `${value}% photo, ${100 - value}% result`);
  compare.style.setProperty('--split', `${value}%`);
  compare.dataset.split = String(value);
}

function dragSplit(event: PointerEvent): void {
  const box = compare.getBoundingClientRect();
  if (box.width > 0) setSplit(((event.clientX - box.left) / box.width) * 100);
}

// ---------------------------------------------------------------------------------------------------------------
// Files: pickers and drag-and-drop

function fromFile(file: File, key: string): Picture {
  return { key, name: file.name.replace(/\.[^.]+$/, ''), load: () => Promise.resolve(file) };
}

function usePhotoFile(file: File | undefined): void {
  if (!file) return;
  if (!file.type.startsWith('image/') && file.type !== '') return say(`${file.name} is not an image.`, true);
  setPhoto(fromFile(file, `file-${++files}`), false);
}

function usePaintingFile(file: File | undefined): void {
  if (!file) return;
  if (!file.type.startsWith('image/') && file.type !== '') return say(`${file.name} is not an image.`, true);
  const picture = fromFile(file, `file-${++files}`);
  const url = URL.createObjectURL(file);
  addPainting(picture, url);
  setStyle({ kind: 'painting', painting: picture });
}

function dropZone(zone: HTMLElement, use: (file: File | undefined) => void): void {
  zone.addEventListener('dragenter', (event) => {
    event.preventDefault();
    zone.classList.add('over');
  });
  zone.addEventListener('dragover', (event) => {
    event.preventDefault();
    if (event.dataTransfer) event.dataTransfer.dropEffect = 'copy';
  });
  zone.addEventListener('dragleave', (event) => {
    if (!zone.contains(event.relatedTarget as Node | null)) zone.classList.remove('over');
  });
  zone.addEventListener('drop', (event) => {
    event.preventDefault();
    zone.classList.remove('over');
    use(event.dataTransfer?.files[0]);
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Wiring

photoInput.addEventListener('change', () => usePhotoFile(photoInput.files?.[0]));
paintingInput.addEventListener('change', () => usePaintingFile(paintingInput.files?.[0]));
dropZone($('photo-drop'), usePhotoFile);
dropZone($('painting-drop'), usePaintingFile);
// A file dropped anywhere else would make the browser leave the page for it.
for (const type of ['dragover', 'drop'] as const) window.addEventListener(type, (event) => event.preventDefault());

photoGallery.addEventListener('change', (event) => {
  const picture = photos.get((event.target as HTMLInputElement).value);
  if (picture) setPhoto(picture, true);
});
for (const gallery of [networkGallery, paintingGallery]) {
  gallery.addEventListener('change', (event) => {
    const [kind, key] = splitOnce((event.target as HTMLInputElement).value);
    if (kind === 'network') setStyle({ kind: 'network', name: key });
    const painting = paintings.get(key);
    if (kind === 'painting' && painting) setStyle({ kind: 'painting', painting });
  });
}
methods.addEventListener('change', onMethodChange);

strengthInput.addEventListener('input', () => {
  strengthValue.value = Number(strengthInput.value).toFixed(2);
  // The arbitrary method re-renders live from its kept vectors, one run at a time, the latest value next.
  if (method() !== 'arbitrary' || !ready()) return;
  if (state.run) strengthMoved = true;
  else void run();
});
// A style network re-runs when the slider is let go.
strengthInput.addEventListener('change', () => method() === 'fast' && scheduleRun());
for (const input of [sizeInput, preserveColors, deviceSelect]) input.addEventListener('change', scheduleRun);

settings.addEventListener('submit', (event) => {
  event.preventDefault();
  void run();
});
stopButton.addEventListener('click', () => state.run?.controller.abort());

split.addEventListener('input', () => setSplit(Number(split.value)));
compare.addEventListener('pointerdown', (event) => {
  compare.setPointerCapture(event.pointerId);
  dragSplit(event);
});
compare.addEventListener('pointermove', (event) => {
  if (compare.hasPointerCapture(event.pointerId)) dragSplit(event);
});

function splitOnce(value: string): [string, string] {
  const at = value.indexOf(':');
  return [value.slice(0, at), value.slice(at + 1)];
}

if (!WEB_DEVICES.names.includes(device())) throw new Error(`Unknown device option ${device()}`);
setUpThreads();
setSplit(Number(split.value));
updateControls();
void Promise.all([showNetworks(), showSamples()]).then(() => {
  document.body.dataset.ready = 'true';
  updateControls();
});
