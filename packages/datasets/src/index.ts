export type { TypedArray, NdArray } from './volume.js';
