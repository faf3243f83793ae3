import { stylize, type LoadStyleOptions, type StylizeOptions } from '@pastiche/web';
import type { WorkerResult } from '../../helpers/browser-harness-api.js';
import { describeError, toBase64 } from './codec.js';

/** The parts of a dedicated worker's global scope used here (the DOM library does not declare them). */
interface WorkerScope {
  onmessage: ((event: MessageEvent<{ url: string; style: string; options: LoadStyleOptions & StylizeOptions }>) => void) | null;
  postMessage(message: WorkerResult): void;
}
const scope = self as unknown as WorkerScope;

scope.onmessage = async ({ data }) => {
  try {
    const result = await stylize(data.url, data.style, data.options);
    const png = await result.toBlob('image/png');
    scope.postMessage({
      ok: true,
      rgba: toBase64(result.imageData.data),
      width: result.width,
      height: result.height,
      info: { ...result.info },
      pngType: png.type,
      pngBytes: png.size,
      hasDocument: typeof document !== 'undefined',
    });
  } catch (error) {
    scope.postMessage({ ok: false, error: describeError(error) });
  }
};
