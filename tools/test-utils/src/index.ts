export * from './shared-fixtures.js';
export * from './npy.js';
export * from './compare.js';
