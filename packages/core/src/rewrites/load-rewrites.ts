import type { WinogradRewriteOptions } from './winograd-conv.js';

/*
 * Platforms call this instead of the rewrites themselves, so the rewriting code is imported when a session opens and
 * stays out of the code a page loads up front (the kernel does the same for the speed rewrites: runnable-bytes.ts).
 */

/** The model for onnxruntime-web's wasm kernels ({@link applyWasmRewrites}), its code imported on first use. */
export async function wasmRewrittenBytes(bytes: Uint8Array, options: WinogradRewriteOptions = {}): Promise<Uint8Array> {
  const { applyWasmRewrites } = await import('./wasm-rewrites.js');
  return applyWasmRewrites(bytes, options).bytes;
}

