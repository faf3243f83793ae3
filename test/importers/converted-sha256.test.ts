import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUILTIN_CATALOG, type CatalogEntry } from '../../packages/core/src/catalog/index.js';
import { convertCatalogEntry } from '../../packages/core/src/converters/index.js';
import { asset } from '../helpers/assets.js';

/**
 * What keeps the catalog true when a converter changes: every entry's source files from ../shared/assets,
 * converted with core's convertCatalogEntry, give exactly the ONNX file whose sha256 and size the catalog
 * lists under `onnx`. A converter change that alters any model must update those (and bump its importer
 * version, so that `npm run models` rebuilds).
 */

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

function sourceFiles(entry: CatalogEntry): Map<string, Uint8Array> {
  return new Map(entry.source.files.map((f) => [f.name, new Uint8Array(readFileSync(asset(join(entry.source.assets, f.name))))]));
}

const entries = [...BUILTIN_CATALOG.styles, ...BUILTIN_CATALOG.lossNetworks];

describe('the catalog lists the sha256 and size of what core converts', () => {
  it('covers all 16 entries', () => {
    expect(entries).toHaveLength(16);
  });

  it.each(entries.map((e) => [e.name, e] as const))('%s: the converted model is the catalog onnx, the same bytes on every run', async (_, entry) => {
    const files = sourceFiles(entry);
    const first = await convertCatalogEntry(entry, files);
    expect({ sha256: sha256(first), bytes: first.byteLength }).toEqual(entry.onnx);
    // Deterministic: a second conversion, from the files in reverse map order, gives the same bytes.
    const second = await convertCatalogEntry(entry, new Map([...files].reverse()));
    expect(Buffer.from(second).equals(Buffer.from(first))).toBe(true);
  });
});
