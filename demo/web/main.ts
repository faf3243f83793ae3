import { WEB_DEVICES, loadCatalog, stylize, type LoadProgress, type StylizedImage, type WebDevice } from '@pastiche/web';

/** Built-in models are served here (`npm run demo:web` serves models/onnx at /models/). */
const MODEL_BASE_URL = '/models/';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const form = $<HTMLFormElement>('controls');
const styleSelect = $<HTMLSelectElement>('style');
const photoInput = $<HTMLInputElement>('photo');
const deviceSelect = $<HTMLSelectElement>('device');
const sizeInput = $<HTMLInputElement>('size');
const strengthInput = $<HTMLInputElement>('strength');
const preserveColors = $<HTMLInputElement>('preserve-colors');
const runButton = $<HTMLButtonElement>('run');
const progress = $<HTMLProgressElement>('progress');
const status = $<HTMLParagraphElement>('status');
const preview = $<HTMLImageElement>('preview');
const canvas = $<HTMLCanvasElement>('result');
const resultInfo = $<HTMLElement>('result-info');
const download = $<HTMLAnchorElement>('download');

let photo: File | undefined;
let downloadUrl: string | undefined;

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
      say(`Stylizing with ${event.name} on ${event.device}…`);
      break;
  }
}

function updateButton(): void {
  runButton.disabled = !photo || styleSelect.disabled;
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
  canvas.dataset.state = 'done';
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
  download.download = `${(photo?.name ?? 'photo').replace(/\.[^.]+$/, '')}-${style}.png`;
  download.hidden = false;
}

photoInput.addEventListener('change', () => {
  photo = photoInput.files?.[0];
  if (photo) {
    if (preview.src) URL.revokeObjectURL(preview.src);
    preview.src = URL.createObjectURL(photo);
    preview.hidden = false;
    say('Choose a style and press Stylize.');
  }
  updateButton();
});

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  if (!photo) return;
  const style = styleSelect.value;
  const device = deviceSelect.value as WebDevice;
  runButton.disabled = true;
  canvas.dataset.state = 'running';
  download.hidden = true;
  try {
    const result = await stylize(photo, style, {
      device,
      modelBaseUrl: MODEL_BASE_URL,
      size: Number(sizeInput.value) || undefined,
      strength: Number(strengthInput.value),
      preserveColors: preserveColors.checked,
      onLoadProgress: showProgress,
      onProgress: ({ done, total }) => total > 1 && say(`Stylizing tile ${done} of ${total}…`),
    });
    showResult(result);
    await offerDownload(result, style);
  } catch (error) {
    canvas.dataset.state = 'error';
    progress.hidden = true;
    say((error as Error).message, true);
  } finally {
    updateButton();
  }
});

if (!WEB_DEVICES.includes(deviceSelect.value as WebDevice)) throw new Error(`Unknown device option ${deviceSelect.value}`);
void showStyles();
