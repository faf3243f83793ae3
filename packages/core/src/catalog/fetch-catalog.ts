import { PasticheError } from '../errors.js';
import type { Catalog } from './catalog-types.js';

/** Reads and checks the catalog served at `url` (a browser's models folder, a mirror). */
export async function fetchCatalog(url: string, signal?: AbortSignal): Promise<Catalog> {
  let response: Response;
  try {
    response = await fetch(url, { signal });
  } catch (cause) {
    throw new PasticheError('E_MODEL_NOT_FOUND', `Could not read the style catalog ${url}: ${(cause as Error).message}.`, { cause });
  }
  if (!response.ok) {
    throw new PasticheError(
      'E_MODEL_NOT_FOUND',
      `Could not read the style catalog ${url}: HTTP ${response.status}. Serve the folder that \`npm run models\` fills ` +
        '(models/onnx, with catalog.json) and point the model base URL at it.',
    );
  }
  const json: unknown = await response.json().catch((cause: unknown) => {
    throw new PasticheError('E_CATALOG', `Malformed catalog ${url}: not JSON (${(cause as Error).message}).`, { cause });
  });
  // Imported here, not above: an app that never fetches a catalog does not bundle the checks.
  const { parseCatalog } = await import('./parse-catalog.js');
  return parseCatalog(json, url);
}
