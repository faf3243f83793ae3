import { PasticheError } from '../errors.js';

/**
 * The error of every importer: a PasticheError `E_CONVERT` whose message opens with the source file at fault,
 * by its name (`candy.bin`, `manifest.json`) or, for bytes passed without one, by what it is (`the ncnn .bin`).
 * convertCatalogEntry puts the catalog entry in front.
 */
export function convertError(file: string, problem: string): PasticheError {
  return new PasticheError('E_CONVERT', `${file}: ${problem}`);
}

/** Parses a source file that must be JSON; E_CONVERT naming the file when it is not. */
export function parseJsonFile(file: string, bytes: Uint8Array): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch (cause) {
    throw new PasticheError('E_CONVERT', `${file}: not JSON (${(cause as Error).message})`, { cause });
  }
}

export const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
