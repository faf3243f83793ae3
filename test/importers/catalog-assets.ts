import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadCatalog, type CatalogStyle } from '../../scripts/catalog.js';
import type { ModelProto } from '../../packages/core/src/onnx/index.js';
import { importMl5Checkpoint, type Ml5Manifest } from '../../packages/core/src/converters/ml5-checkpoint.js';
import { importNcnnTransformerNet } from '../../packages/core/src/converters/ncnn-transformer-net.js';
import { asset } from '../helpers/assets.js';

/** A catalog style and its source files from ../shared/assets (throws with the path when missing). */
export function catalogStyle(name: string): CatalogStyle {
  const style = loadCatalog().styles.find((s) => s.name === name);
  if (!style) throw new Error(`The catalog has no style ${name}`);
  return style;
}

export function readSource(style: CatalogStyle, file: string): Uint8Array {
  return new Uint8Array(readFileSync(asset(join(style.source.assets, file))));
}

/** Runs the style's importer on the shared assets, without going through `npm run models`. */
export function importStyle(name: string): ModelProto {
  const style = catalogStyle(name);
  const info = { name, title: style.title, source: style.source.repository, license: style.license };
  if (style.family === 'pytorch-examples') return importNcnnTransformerNet(readSource(style, style.source.files[0].name), info);
  const manifest = JSON.parse(new TextDecoder().decode(readSource(style, 'manifest.json'))) as Ml5Manifest;
  return importMl5Checkpoint({ manifest, read: (file) => readSource(style, file) }, info);
}
