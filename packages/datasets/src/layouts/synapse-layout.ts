import type { SliceSample } from '../transforms/transunet-augment.js';
import { checkedImage, checkedLabels, checkRank, checkSameShape } from '../validate.js';
import type { NdArray } from '../volume.js';

/** Synapse multi-organ classes (TransUNet numbering), index = label value. */
export const SYNAPSE_CLASSES = [
  'background',
  'aorta',
  'gallbladder',
  'kidney_left',
  'kidney_right',
  'liver',
  'pancreas',
  'spleen',
  'stomach',
] as const;
/** 9: background and the 8 abdominal organs. */
export const SYNAPSE_NUM_CLASSES = SYNAPSE_CLASSES.length;
/** The column headings of the TransUNet / LeViT-UNet papers' Synapse tables, indexed like `SYNAPSE_CLASSES`. */
export const SYNAPSE_DISPLAY_NAMES = [
  'Background',
  'Aorta',
  'Gallbladder',
  'Kidney(L)',
  'Kidney(R)',
  'Liver',
  'Pancreas',
  'Spleen',
  'Stomach',
] as const;

/**
 * The official 18/12 case split, in the order of TransUNet's `lists/lists_Synapse/train.txt` (2211 slices)
 * and `test_vol.txt` (checked against github.com/Beckschen/TransUNet). Case n is BTCV's `img00nn`.
 */
export const SYNAPSE_TRAIN_CASES = [31, 7, 9, 5, 26, 39, 24, 34, 33, 30, 23, 40, 10, 21, 6, 27, 28, 37] as const;
/** TransUNet's 12 Synapse test cases (`lists_Synapse/test_vol.txt`), in its order. */
export const SYNAPSE_TEST_CASES = [8, 22, 38, 36, 32, 2, 29, 3, 1, 4, 25, 35] as const;

/** Where things live under a Synapse dataset root (TransUNet's `data/Synapse` plus its list folder). */
export const SYNAPSE_PATHS = {
  trainDir: 'train_npz',
  testDir: 'test_vol_h5',
  listDir: 'lists_Synapse',
  trainList: 'lists_Synapse/train.txt',
  testList: 'lists_Synapse/test_vol.txt',
} as const;

/** `case0005` for 5. */
export function synapseCaseName(caseNumber: number): string {
  return `case${String(caseNumber).padStart(4, '0')}`;
}

/** `case0005_slice012` for (case0005, 12). */
export function synapseSliceName(caseName: string, slice: number): string {
  return `${caseName}_slice${String(slice).padStart(3, '0')}`;
}

/** Relative path of a training slice (`train_npz/<name>.npz`). */
export function synapseSlicePath(sliceName: string): string {
  return `${SYNAPSE_PATHS.trainDir}/${sliceName}.npz`;
}

/** Relative path of a test volume (`test_vol_h5/<case>.npy.h5`). */
export function synapseVolumePath(caseName: string): string {
  return `${SYNAPSE_PATHS.testDir}/${caseName}.npy.h5`;
}

/** Names in a TransUNet list file: one per line, surrounding whitespace and blank lines ignored. */
export function parseListFile(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
}

/** A list file's text (one name per line, trailing newline, as TransUNet's). */
export function formatListFile(names: readonly string[]): string {
  return names.map((name) => `${name}\n`).join('');
}

/**
 * A training slice from the arrays of `caseXXXX_sliceYYY.npz`: `image` (H, W) float, `label` (H, W) with
 * whole values in [0, numClasses). Shape mismatch, NaN/Inf or labels out of range are `DataError`s.
 */
export function synapseSliceSample(
  arrays: Record<string, NdArray>,
  source: string | undefined,
  numClasses: number = SYNAPSE_NUM_CLASSES,
): SliceSample {
  const { image, label } = arrays as { image: NdArray; label: NdArray };
  checkRank(image, 2, 'image', source);
  checkSameShape(image, label, source);
  return { image: checkedImage(image, source), label: checkedLabels(label, numClasses, source) };
}

/** A test volume from the datasets of `caseXXXX.npy.h5`: `image` and `label`, both (D, H, W). */
export function synapseVolumeSample(
  arrays: Record<string, NdArray>,
  source: string | undefined,
  numClasses: number = SYNAPSE_NUM_CLASSES,
): { image: NdArray<Float32Array>; label: NdArray<Int32Array> } {
  const { image, label } = arrays as { image: NdArray; label: NdArray };
  checkRank(image, 3, 'image', source);
  checkSameShape(image, label, source);
  return { image: checkedImage(image, source), label: checkedLabels(label, numClasses, source) };
}
