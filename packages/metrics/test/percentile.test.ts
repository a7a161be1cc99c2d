import { describe, expect, it } from 'vitest';
import { percentileLinear } from '../src/index.js';
import { numpyPercentile } from './brute-force.js';
import { SeededRandom } from '@levit-unet/datasets';

describe("percentileLinear (numpy's default 'linear' method)", () => {
  it('matches values numpy gives', () => {
    // numpy.percentile([1, 2, 3, 4], 95) = 3.85; ([0, 10], 95) = 9.5; ([5], 95) = 5; ([3, 1, 2], 50) = 2.
    expect(percentileLinear(Float64Array.from([4, 1, 3, 2]), 95)).toBeCloseTo(3.85, 14);
    expect(percentileLinear(Float64Array.from([10, 0]), 95)).toBe(9.5);
    expect(percentileLinear(Float64Array.from([5]), 95)).toBe(5);
    expect(percentileLinear(Float64Array.from([3, 1, 2]), 50)).toBe(2);
    expect(percentileLinear(Float64Array.from([3, 1, 2]), 0)).toBe(1);
    expect(percentileLinear(Float64Array.from([3, 1, 2]), 100)).toBe(3);
  });

  it('equals sorting and interpolating on random data with many ties', () => {
    const random = SeededRandom.stream(11);
    for (let trial = 0; trial < 200; trial++) {
      const n = 1 + Math.floor(random() * 3000);
      const levels = 1 + Math.floor(random() * 40);
      const values = Array.from({ length: n }, () => Math.sqrt(Math.floor(random() * levels)));
      const q = trial % 3 === 0 ? 95 : random() * 100;
      expect(percentileLinear(Float64Array.from(values), q)).toBeCloseTo(numpyPercentile(values, q), 12);
    }
  });

  it('stays fast on adversarial orders (sorted, reversed, constant)', () => {
    const n = 200_000;
    for (const values of [
      Float64Array.from({ length: n }, (_, i) => i),
      Float64Array.from({ length: n }, (_, i) => n - i),
      new Float64Array(n).fill(2),
    ]) {
      const expected = numpyPercentile(Array.from(values), 95);
      expect(percentileLinear(values, 95)).toBeCloseTo(expected, 9);
    }
  });

  it('rejects an empty list and q outside [0, 100]', () => {
    expect(() => percentileLinear(new Float64Array(0), 95)).toThrow(/at least one value/);
    expect(() => percentileLinear(Float64Array.from([1]), 101)).toThrow(/q must be in \[0, 100\]/);
  });
});
