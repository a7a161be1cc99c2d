import { describe, expect, it } from 'vitest';
import { distanceTransform } from '../src/index.js';
import { SeededRandom } from '@levit-unet/datasets';

/** Brute force: for every voxel, the nearest non-zero voxel by exhaustive search. */
function bruteDistanceTransform(mask: Uint8Array, shape: number[], spacing: number[]): Float64Array {
  const points: number[][] = [];
  const all: number[][] = [];
  for (let i = 0; i < mask.length; i++) {
    const at: number[] = [];
    let rest = i;
    for (let k = shape.length - 1; k >= 0; k--) {
      at.unshift(rest % shape[k]);
      rest = Math.floor(rest / shape[k]);
    }
    all.push(at);
    if (mask[i]) points.push(at);
  }
  return Float64Array.from(all, (p) =>
    Math.sqrt(Math.min(...points.map((q) => q.reduce((s, c, k) => s + ((c - p[k]) * spacing[k]) ** 2, 0)))),
  );
}

function randomMask(random: () => number, size: number, density: number): Uint8Array {
  return Uint8Array.from({ length: size }, () => (random() < density ? 1 : 0));
}

describe('distanceTransform (Felzenszwalb–Huttenlocher, exact)', () => {
  const random = SeededRandom.stream(7);
  it.each([
    [[7, 9, 11], [1, 1, 1], 0.05],
    [[7, 9, 11], [2.5, 0.9, 0.7], 0.02],
    [[5, 1, 13], [0.8, 1.25, 2], 0.1],
    [[1, 12, 10], [3, 0.5, 1.5], 0.01],
    [[13, 17], [0.76, 3], 0.03],
  ])('matches brute force on shape %j with spacing %j', (shape, spacing, density) => {
    const size = shape.reduce((a, b) => a * b, 1);
    const mask = randomMask(random, size, density);
    mask[Math.floor(random() * size)] = 1;
    const ours = distanceTransform({ data: mask, shape }, spacing);
    const reference = bruteDistanceTransform(mask, shape, spacing);
    for (let i = 0; i < size; i++) expect(Math.abs(ours[i] - reference[i])).toBeLessThan(1e-9);
  });

  it('is Infinity everywhere without a feature, and 0 on the features', () => {
    expect([...distanceTransform({ data: new Uint8Array(6), shape: [2, 3] })]).toEqual(Array(6).fill(Infinity));
    const d = distanceTransform({ data: Uint8Array.from([0, 1, 0, 0, 0, 0]), shape: [2, 3] });
    expect([...d]).toEqual([1, 0, 1, Math.SQRT2, 1, Math.SQRT2]);
  });
});
