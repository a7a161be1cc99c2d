import { describe, expect, it } from 'vitest';
import { confusionMatrix, confusionRows, evaluateCase, gtVoxels, intersectionVoxels, predVoxels } from '../src/index.js';
import { SeededRandom } from '@levit-unet/datasets';

/** Labels mostly 0 with runs of classes, so the 4-voxel background skip and the per-voxel path both run. */
function randomLabels(random: () => number, length: number, numClasses: number): Uint8Array {
  const labels = new Uint8Array(length);
  for (let i = 0; i < length; i++) if (random() < 0.15) labels[i] = 1 + Math.floor(random() * (numClasses - 1));
  return labels;
}

function naiveCounts(pred: ArrayLike<number>, gt: ArrayLike<number>, numClasses: number): number[][] {
  const rows = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  for (let i = 0; i < pred.length; i++) rows[gt[i]][pred[i]]++;
  return rows;
}

describe('confusion matrix (one pass)', () => {
  const random = SeededRandom.stream(5);
  const shape = [3, 7, 11];
  const size = 3 * 7 * 11;

  it('counts (gt, pred) pairs like a naive loop, aligned or not, bytes or wider types', () => {
    const pred = randomLabels(random, size + 1, 5);
    const gt = randomLabels(random, size + 1, 5);
    const expected = naiveCounts(pred.subarray(1), gt.subarray(1), 5);
    // subarray(1) starts at byte offset 1: the 32-bit background skip must stand aside.
    expect(confusionRows(confusionMatrix({ data: pred.subarray(1), shape }, { data: gt.subarray(1), shape }, 5))).toEqual(expected);
    const alignedPred = pred.slice(1);
    const alignedGt = gt.slice(1);
    const matrix = confusionMatrix({ data: alignedPred, shape }, { data: alignedGt, shape }, 5);
    expect(confusionRows(matrix)).toEqual(expected);
    const wide = confusionMatrix({ data: Float32Array.from(alignedPred), shape }, { data: Int32Array.from(alignedGt), shape }, 5);
    expect(confusionRows(wide)).toEqual(expected);
    for (let c = 1; c < 5; c++) {
      expect(gtVoxels(matrix, c)).toBe(expected[c].reduce((a, b) => a + b, 0));
      expect(predVoxels(matrix, c)).toBe(expected.reduce((a, row) => a + row[c], 0));
      expect(intersectionVoxels(matrix, c)).toBe(expected[c][c]);
    }
  });

  it('finds an out-of-range byte label wherever it is (word test and tail)', () => {
    for (const at of [0, 3, 4, 200, size - 1]) {
      for (const value of [9, 127, 128, 255]) {
        const gt = new Uint8Array(size);
        gt[at] = value;
        expect(() => confusionMatrix({ data: new Uint8Array(size), shape }, { data: gt, shape }, 9)).toThrow(
          new RegExp(`gt\\.data\\[${at}\\] = ${value} is out of range`),
        );
      }
    }
  });

  it('accepts every label below numClasses, including 255 with 256 classes', () => {
    const labels = Uint8Array.from({ length: size }, (_, i) => i % 256);
    expect(() => confusionMatrix({ data: labels, shape }, { data: labels, shape }, 256)).not.toThrow();
    const small = Uint8Array.from({ length: size }, (_, i) => i % 9);
    expect(evaluateCase({ data: small, shape }, { data: small, shape }, { numClasses: 9 }).classes.every((k) => k.values.dice === 1)).toBe(true);
  });
});
