import type { ThrownError } from '../../helpers/browser-harness-api.js';

/** Moves pixels between the test runner and the page as base64 (page.evaluate speaks JSON). */
export function toBase64(bytes: Uint8Array | Uint8ClampedArray): string {
  let text = '';
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}

export function fromBase64(base64: string): Uint8Array {
  const text = atob(base64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}


export function describeError(error: unknown): ThrownError {
  const e = error as { name?: string; code?: string; message?: string };
  return { name: String(e?.name), code: e?.code, message: String(e?.message ?? error) };
}
