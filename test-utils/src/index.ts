export * from './shared-fixtures.js';
export * from './npy.js';
export * from './random.js';
export * from './compare.js';
