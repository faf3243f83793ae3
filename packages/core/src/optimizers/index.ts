export * from './optimizer.js';
export * from './optimizer-options.js';
export { LbfgsOptimizer } from './lbfgs.js';
export { AdamOptimizer } from './adam.js';
export { SeededRandom } from './seeded-random.js';
