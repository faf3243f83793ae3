import {
  PasticheError,
  WEB_DEVICES,
  loadCatalog,
  stylize,
  type LoadProgress,
  type StylizedImage,
  type WebDevice,
  type WebGatysProgress,
} from '@pastiche/web';

/** Built-in models are served here (`npm run demo:web` serves models/onnx at /models/). */
const MODEL_BASE_URL = '/models/';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const form = $<HTMLFormElement>('controls');
const styleSelect = $<HTMLSelectElement>('style');
const styleImageInput = $<HTMLInputElement>('style-image');
const optimisation = $<HTMLFieldSetElement>('optimisation');
const gatysSize = $<HTMLInputElement>('gatys-size');
const iterationsInput = $<HTMLInputElement>('iterations');
const lossNetwork = $<HTMLSelectElement>('loss-network');
const photoInput = $<HTMLInputElement>('photo');
const deviceSelect = $<HTMLSelectElement>('device');
const sizeInput = $<HTMLInputElement>('size');
const strengthInput = $<HTMLInputElement>('strength');
const preserveColors = $<HTMLInputElement>('preserve-colors');
const runButton = $<HTMLButtonElement>('run');
const stopButton = $<HTMLButtonElement>('stop');
const progress = $<HTMLProgressElement>('progress');
const status = $<HTMLParagraphElement>('status');
const preview = $<HTMLImageElement>('preview');
const stylePreview = $<HTMLImageElement>('style-preview');
const canvas = $<HTMLCanvasElement>('result');
const resultInfo = $<HTMLElement>('result-info');
const download = $<HTMLAnchorElement>('download');

let photo: File | undefined;
let styleFile: File | undefined;
let downloadUrl: string | undefined;
let running: AbortController | undefined;

/** 'network': a built-in style network (the fast method); 'image': the user's style image (optimisation). */
const method = () => (form.elements.namedItem('method') as RadioNodeList).value as 'network' | 'image';
const baseName = (file: File | undefined, fallback: string) => (file?.name ?? fallback).replace(/\.[^.]+$/, '');

function say(text: string, isError = false): void {
  status.textContent = text;
  status.classList.toggle('error', isError);
}

function showProgress(event: LoadProgress): void {
  switch (event.status) {
    case 'initiate':
      progress.hidden = false;
      progress.removeAttribute('value');
      say(`Fetching ${event.name}…`);
      break;
    case 'download':
      say(event.cached ? `Loading ${event.name} from the browser cache…` : `Downloading ${event.name}…`);
      break;
    case 'progress':
      if (event.progress !== undefined) progress.value = event.progress;
      say(`Downloading ${event.name}: ${(event.loaded / 1e6).toFixed(1)}${event.total ? ` of ${(event.total / 1e6).toFixed(1)}` : ''} MB`);
      break;
    case 'done':
      progress.value = 100;
      say(`Starting ${event.name}…`);
      break;
    case 'ready':
      say(`${method() === 'image' ? 'Optimising' : 'Stylizing'} with ${event.name} on ${event.device}…`);
      break;
  }
}

/** One optimiser iteration: progress over all scales, the loss, and every few iterations the current image. */
function showIteration(p: WebGatysProgress): void {
  progress.hidden = false;
  progress.value = (((p.scale - 1) * p.iterations + p.iteration) / (p.scales * p.iterations)) * 100;
  say(`Scale ${p.scale} of ${p.scales} (${p.width}×${p.height}): iteration ${p.iteration} of ${p.iterations}, loss ${p.loss.toPrecision(4)}`);
  if (p.preview) {
    canvas.width = p.width;
    canvas.height = p.height;
    canvas.getContext('2d')!.putImageData(p.preview, 0, 0);
    canvas.dataset.previews = String(Number(canvas.dataset.previews ?? 0) + 1);
  }
}

function updateButton(): void {
  const image = method() === 'image';
  optimisation.disabled = !image;
  strengthInput.disabled = image;
  sizeInput.disabled = image;
  runButton.disabled = Boolean(running) || !photo || (image ? !styleFile : styleSelect.disabled);
}

async function showStyles(): Promise<void> {
  try {
    const catalog = await loadCatalog({ modelBaseUrl: MODEL_BASE_URL });
    styleSelect.replaceChildren(
      ...catalog.styles.map((style) => {
        const option = new Option(style.title, style.name, false, style.name === catalog.default);
        option.title = `${style.name}: ${style.family}, licence ${style.license}`;
        return option;
      }),
    );
    styleSelect.disabled = false;
  } catch (error) {
    say(`No built-in styles: ${(error as Error).message}`, true);
  }
  updateButton();
}

function showResult(result: StylizedImage): void {
  result.drawTo(canvas);
  const { model, device, ms } = result.info;
  resultInfo.textContent = `${model} on ${device}: ${result.width}×${result.height} in ${(ms / 1000).toFixed(2)} s`;
  say('Done.');
  progress.hidden = true;
}

async function offerDownload(result: StylizedImage, style: string): Promise<void> {
  const blob = await result.toBlob('image/png');
  if (downloadUrl) URL.revokeObjectURL(downloadUrl);
  downloadUrl = URL.createObjectURL(blob);
  download.href = downloadUrl;
  download.download = `${baseName(photo, 'photo')}-${style}.png`;
  download.hidden = false;
}

function showImage(img: HTMLImageElement, file: File): void {
  if (img.src) URL.revokeObjectURL(img.src);
  img.src = URL.createObjectURL(file);
  img.hidden = false;
}

/** The fast method with the chosen built-in style. */
function runNetwork(input: File, device: WebDevice): Promise<StylizedImage> {
  return stylize(input, styleSelect.value, {
    device,
    modelBaseUrl: MODEL_BASE_URL,
    size: Number(sizeInput.value) || undefined,
    strength: Number(strengthInput.value),
    preserveColors: preserveColors.checked,
    onLoadProgress: showProgress,
    onProgress: ({ done, total }) => total > 1 && say(`Stylizing tile ${done} of ${total}…`),
  });
}

/** The optimisation method with the uploaded style image, showing a preview every 5 iterations. */
function runOptimisation(input: File, styleImage: File, device: WebDevice, signal: AbortSignal): Promise<StylizedImage> {
  canvas.dataset.previews = '0';
  return stylize(input, { styleImage }, {
    device,
    modelBaseUrl: MODEL_BASE_URL,
    lossNetwork: lossNetwork.value,
    size: Number(gatysSize.value) || undefined,
    iterations: Number(iterationsInput.value) || undefined,
    preserveColors: preserveColors.checked,
    previewEvery: 5,
    signal,
    onLoadProgress: showProgress,
    onProgress: showIteration,
  });
}

photoInput.addEventListener('change', () => {
  photo = photoInput.files?.[0];
  if (photo) {
    showImage(preview, photo);
    say('Choose a style and press Stylize.');
  }
  updateButton();
});

styleImageInput.addEventListener('change', () => {
  styleFile = styleImageInput.files?.[0];
  if (styleFile) {
    showImage(stylePreview, styleFile);
    (form.elements.namedItem('method') as RadioNodeList).value = 'image';
  }
  updateButton();
});

for (const radio of form.querySelectorAll<HTMLInputElement>('input[name="method"]')) radio.addEventListener('change', updateButton);
stopButton.addEventListener('click', () => running?.abort());

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  if (!photo) return;
  const image = method() === 'image' ? styleFile : undefined;
  if (method() === 'image' && !image) return;
  const device = deviceSelect.value as WebDevice;
  running = new AbortController();
  updateButton();
  stopButton.hidden = !image;
  canvas.dataset.state = 'running';
  download.hidden = true;
  try {
    const result = image ? await runOptimisation(photo, image, device, running.signal) : await runNetwork(photo, device);
    showResult(result);
    await offerDownload(result, image ? baseName(image, 'style') : styleSelect.value);
    // Marked done once the download is offered too, so that whoever waits on the state sees both.
    canvas.dataset.state = 'done';
  } catch (error) {
    const stopped = error instanceof PasticheError && error.code === 'E_ABORTED';
    canvas.dataset.state = stopped ? 'stopped' : 'error';
    progress.hidden = true;
    say(stopped ? 'Stopped; the last preview is shown.' : (error as Error).message, !stopped);
  } finally {
    running = undefined;
    stopButton.hidden = true;
    updateButton();
  }
});

if (!WEB_DEVICES.names.includes(deviceSelect.value as WebDevice)) throw new Error(`Unknown device option ${deviceSelect.value}`);
void showStyles();
