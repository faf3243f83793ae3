export * from './builtin-catalog.js';
export * from './catalog-types.js';
export * from './parse-catalog.js';
export * from './resolve-catalog-name.js';
export * from './fetch-catalog.js';
export * from './load-builtin-catalog.js';
