export { wasmRewrittenBytes } from './load-rewrites.js';
export { applySpeedRewrites, type SpeedRewrites } from './speed-rewrites.js';
export { SPLIT_MAX_OUT_CHANNELS, splitLargeKernelConvolutions } from './large-kernel-split.js';
export { applyWasmRewrites, type WasmRewrites } from './wasm-rewrites.js';
export { applyWinogradRewrite, rewriteWinogradConvolutions, WINOGRAD_MIN_CHANNELS, type WinogradRewrite, type WinogradRewriteOptions } from './winograd-conv.js';
