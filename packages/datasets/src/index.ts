export type { TypedArray, NdArray } from './volume.js';
export { DataError } from './data-error.js';
export type { Dtype } from './dtype.js';
export { transpose } from './transpose.js';
export { parseNpy, encodeNpy } from './npy.js';
export { parseNpz, encodeNpz, type ParseNpzOptions, type EncodeNpzOptions } from './npz.js';
export {
  parseNifti,
  encodeNifti,
  type NiftiHeader,
  type NiftiVolume,
  type NiftiImage,
  type EncodeNiftiOptions,
} from './nifti.js';
export { type SplineOrder } from './spline-filter.js';
export { zoom, resize, zoomShape, type ZoomOptions } from './spline-zoom.js';
export { rotate, type RotateOptions } from './rotate.js';
export { parseH5, encodeH5, type ParseH5Options, type EncodeH5Options } from './h5.js';
export { SeededRandom, deriveSeed } from './seeded-random.js';
export { rot90, flip } from './rot-flip.js';
export {
  drawAugmentation,
  applyAugmentation,
  resizeSample,
  transunetAugment,
  type AugmentDecision,
  type SliceSample,
} from './transunet-augment.js';
export { volumeSlices, sliceToPatch, patchToSlice, predictVolume } from './test-time.js';
