export type { TypedArray, NdArray, VolumeCase } from './volume.js';
// Kept for callers of the earlier surface; `@levit-unet/raster` owns the image and the font.
export { drawText, textWidth, GLYPH_WIDTH, GLYPH_HEIGHT, type RgbaImage } from '@levit-unet/raster';
export { DataError } from './data-error.js';
export type { Dtype } from './io/dtype.js';
export { transpose } from './transforms/transpose.js';
export { parseNpy, encodeNpy } from './io/npy.js';
export { parseNpz, encodeNpz, type ParseNpzOptions, type EncodeNpzOptions } from './io/npz.js';
export {
  parseNifti,
  parseNiftiPair,
  encodeNifti,
  type NiftiHeader,
  type NiftiVolume,
  type NiftiImage,
  type EncodeNiftiOptions,
} from './io/nifti.js';
export { type SplineOrder } from './transforms/spline-filter.js';
export { zoom, resize, zoomShape, type ZoomOptions } from './transforms/spline-zoom.js';
export { rotate, type RotateOptions } from './transforms/rotate.js';
export { parseH5, encodeH5, type ParseH5Options, type EncodeH5Options } from './io/h5.js';
export { SeededRandom, deriveSeed } from './sampling/seeded-random.js';
export { rot90, flip } from './transforms/rot-flip.js';
export {
  drawAugmentation,
  applyAugmentation,
  resizeSample,
  transunetAugment,
  type AugmentDecision,
  type SliceSample,
} from './transforms/transunet-augment.js';
export { volumeSlices, sliceToPatch, patchToSlice, predictVolume } from './transforms/test-time.js';
export { checkedImage, checkedLabels, checkSameShape, checkRank, valueRange } from './validate.js';
export {
  SYNAPSE_CLASSES,
  SYNAPSE_NUM_CLASSES,
  SYNAPSE_DISPLAY_NAMES,
  SYNAPSE_TRAIN_CASES,
  SYNAPSE_TEST_CASES,
  SYNAPSE_PATHS,
  synapseCaseName,
  synapseSliceName,
  synapseSlicePath,
  synapseVolumePath,
  parseListFile,
  formatListFile,
  synapseSliceSample,
  synapseVolumeSample,
} from './layouts/synapse-layout.js';
export { BTCV_TO_SYNAPSE, remapLabels, parseLabelMap, type LabelMap } from './layouts/label-map.js';
export { TRANSUNET_CT_WINDOW, windowIntensities, normalizeMri } from './transforms/intensity.js';
export { axialVoxelAxis, axialPermutation, toAxialStack, fromAxialStack } from './transforms/slice-axis.js';
export { generatePhantomVolume, type PhantomOptions, type PhantomVolume } from './phantom.js';
export { prepareVolume, type PrepareVolumeOptions, type PreparedVolume, type Modality } from './transforms/prepare.js';
export { niftiCaseKey, pairByCaseKey, parseMsdDatasetJson, type NiftiPairing, type MsdDescription } from './layouts/msd-layout.js';
export {
  ACDC_CLASSES,
  ACDC_NUM_CLASSES,
  ACDC_DISPLAY_NAMES,
  ACDC_SPLIT,
  acdcPatientName,
  acdcFramePaths,
  parseAcdcInfo,
  acdcListFiles,
  type AcdcInfo,
} from './layouts/acdc-layout.js';
export { batchIterator, epochOrder, type SampleSource, type BatchOptions, type Batch } from './sampling/batch-iterator.js';
export { volumeSliceSource, type TrainingVolume, type VolumeSliceSourceOptions } from './sampling/volume-slice-source.js';
