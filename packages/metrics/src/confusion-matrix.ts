import { takeCensus } from './census.js';
import { assertLabelMapPair, type LabelMap } from './label-map.js';
import { toGrid } from './grid.js';

/** Voxel counts by (gt label, pred label): rows are gt, columns are pred. */
export interface ConfusionMatrix {
  readonly numClasses: number;
  /** counts[g · numClasses + p] */
  readonly counts: Float64Array;
}

/** |G| for class c: the row sum. */
export function gtVoxels(matrix: ConfusionMatrix, c: number): number {
  let sum = 0;
  for (let p = 0; p < matrix.numClasses; p++) sum += matrix.counts[c * matrix.numClasses + p];
  return sum;
}

/** |P| for class c: the column sum. */
export function predVoxels(matrix: ConfusionMatrix, c: number): number {
  let sum = 0;
  for (let g = 0; g < matrix.numClasses; g++) sum += matrix.counts[g * matrix.numClasses + c];
  return sum;
}

/** |P ∩ G| for class c: the diagonal entry. */
export function intersectionVoxels(matrix: ConfusionMatrix, c: number): number {
  return matrix.counts[c * matrix.numClasses + c];
}

/** The rows of the matrix as plain arrays (rows gt, columns pred), e.g. for JSON. */
export function confusionRows(matrix: ConfusionMatrix): number[][] {
  const n = matrix.numClasses;
  return Array.from({ length: n }, (_, g) => Array.from(matrix.counts.subarray(g * n, (g + 1) * n)));
}

/** The confusion matrix of two label maps with labels in [0, numClasses). */
export function confusionMatrix(pred: LabelMap, gt: LabelMap, numClasses: number): ConfusionMatrix {
  assertLabelMapPair(pred, gt, numClasses);
  const { numClasses: n, counts } = takeCensus(pred.data, gt.data, toGrid(pred.shape).dims, numClasses);
  return { numClasses: n, counts };
}
