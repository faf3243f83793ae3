export { applySpeedRewrites, type SpeedRewrites } from './speed-rewrites.js';
export { applyWinogradRewrite, rewriteWinogradConvolutions, WINOGRAD_MIN_CHANNELS, type WinogradRewrite, type WinogradRewriteOptions } from './winograd-conv.js';
