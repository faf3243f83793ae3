export { applySpeedRewrites, type SpeedRewrites } from './speed-rewrites.js';
