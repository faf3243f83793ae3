import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Catalog, CatalogSource } from '../packages/core/src/catalog/catalog-types.js';
import { parseCatalog } from '../packages/core/src/catalog/parse-catalog.js';
import { PasticheError } from '../packages/core/src/errors.js';

/** The catalog as the build scripts read it: core's schema and parser, plus where the file lives. */

export type {
  Catalog,
  CatalogEntry,
  CatalogLossNetwork,
  CatalogSource,
  CatalogSourceFile,
  CatalogStyle,
  LossNetworkFamily,
  StyleFamily,
} from '../packages/core/src/catalog/catalog-types.js';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
/** The single source of the catalog; `npm run models` copies it next to the models it builds. */
export const CATALOG_PATH = join(REPO_ROOT, 'packages', 'core', 'src', 'catalog', 'catalog.json');

/** Reads and checks a catalog file; throws PasticheError E_CATALOG with the path and the faulty entry on a malformed one. */
export function loadCatalog(path = CATALOG_PATH): Catalog {
  const text = readFileSync(path, 'utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new PasticheError('E_CATALOG', `Malformed catalog ${path}: not JSON (${(cause as Error).message})`, { cause });
  }
  return parseCatalog(json, path);
}

/** `OWNER/REPO` of a style's source repository. */
export function repositorySlug(source: CatalogSource): string {
  return source.repository.replace(/^https:\/\/github\.com\//, '');
}
