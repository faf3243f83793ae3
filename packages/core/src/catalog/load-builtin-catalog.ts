import type { Catalog } from './catalog-types.js';

/**
 * The built-in catalog, imported on first use: bundlers put it (with its ~50 kB of file lists) in a chunk of its
 * own that an app loads only when it resolves a built-in name.
 */
export async function loadBuiltinCatalog(): Promise<Readonly<Catalog>> {
  return (await import('./builtin-catalog.js')).BUILTIN_CATALOG;
}
