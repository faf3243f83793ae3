export { applySpeedRewrites, type SpeedRewrites } from './speed-rewrites.js';
export { applyWinogradRewrite, rewriteWinogradConvolutions, WINOGRAD_MIN_CHANNELS, type WinogradRewrite } from './winograd-conv.js';
