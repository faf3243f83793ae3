import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const ASSETS_DIR = resolve(process.env.PASTICHE_ASSETS ?? join(REPO_ROOT, '..', 'shared', 'assets'));
export const MODELS_DIR = join(REPO_ROOT, 'models', 'onnx');

function required(path: string, what: string, fix: string): string {
  if (!existsSync(path)) throw new Error(`Missing ${what}: ${path}. ${fix}`);
  return path;
}

/** A file under ../shared/assets; throws (never skips) when it is missing. */
export function asset(relative: string): string {
  return required(join(ASSETS_DIR, relative), 'shared asset', 'The tests need ../shared/assets beside the repository (or PASTICHE_ASSETS).');
}

/** A float32 file under ../shared/assets (little-endian, as the goldens are written), as a Float32Array of its own. */
export function assetFloat32(relative: string): Float32Array {
  const bytes = readFileSync(asset(relative));
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

/** A converted model under models/onnx; throws when `npm run models` has not run. */
export function builtModel(file: string): string {
  return required(join(MODELS_DIR, file), 'converted model', 'Run `npm run models` first (npm test does).');
}

export const THIRD_PARTY_DIR = 'onnx/third-party/gnsmrky-nc16';
export const thirdPartyModel = (style: string) => asset(`${THIRD_PARTY_DIR}/${style}_nc16_256x256_onnxjs014.onnx`);
export const contentImage = (name: string) => asset(`images/content/${name}`);
