export * from './gatys-engine.js';
export * from './gatys-options.js';
export * from './optimize-style.js';
export * from './style-targets.js';
export * from './style-images.js';
