import catalogJson from './catalog.json';
import type { Catalog } from './catalog-types.js';
import { parseCatalog } from './parse-catalog.js';

/** Freezes the whole tree: the built-in catalog is shared by every caller, so nobody may edit it in place. */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/**
 * The catalog shipped with Pastiche (catalog.json in this folder, bundled into core's build): the single
 * source that `npm run models` builds from and copies to models/onnx for browsers. Parsed at load, so
 * a broken edit fails every test at once instead of one reader later.
 */
// Marked pure so that bundles which never read it (a browser fetches the catalog it serves) leave it out.
export const BUILTIN_CATALOG: Readonly<Catalog> = /* @__PURE__ */ deepFreeze(/* @__PURE__ */ parseCatalog(catalogJson, 'the built-in catalog'));
