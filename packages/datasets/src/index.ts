export type { TypedArray, NdArray, VolumeCase } from './volume.js';
export type { RgbaImage } from './rgba-image.js';
export { drawText, textWidth, GLYPH_WIDTH, GLYPH_HEIGHT } from './bitmap-font.js';
export { DataError } from './data-error.js';
export type { Dtype } from './dtype.js';
export { transpose } from './transpose.js';
export { parseNpy, encodeNpy } from './npy.js';
export { parseNpz, encodeNpz, type ParseNpzOptions, type EncodeNpzOptions } from './npz.js';
export {
  parseNifti,
  parseNiftiPair,
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
} from './synapse-layout.js';
export { BTCV_TO_SYNAPSE, remapLabels, parseLabelMap, type LabelMap } from './label-map.js';
export { TRANSUNET_CT_WINDOW, windowIntensities, normalizeMri } from './intensity.js';
export { axialVoxelAxis, axialPermutation, toAxialStack, fromAxialStack } from './slice-axis.js';
export { generatePhantomVolume, type PhantomOptions, type PhantomVolume } from './phantom.js';
export { prepareVolume, type PrepareVolumeOptions, type PreparedVolume, type Modality } from './prepare.js';
export { niftiCaseKey, pairByCaseKey, parseMsdDatasetJson, type NiftiPairing, type MsdDescription } from './msd-layout.js';
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
} from './acdc-layout.js';
export { batchIterator, epochOrder, type SampleSource, type BatchOptions, type Batch } from './batch-iterator.js';
export { volumeSliceSource, type TrainingVolume, type VolumeSliceSourceOptions } from './volume-slice-source.js';
