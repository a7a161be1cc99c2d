import { describe, expect, it } from 'vitest';
import { attentionBiasIndex, subsampledResolution } from '../src/index.js';

/** The official loops, transcribed literally: a dict keyed by the offset tuple, in insertion order. */
function officialIdxs(resolution: number, stride: number): { idxs: number[]; numOffsets: number } {
  const resolution_ = stride === 1 ? resolution : Math.floor((resolution - 1) / stride) + 1;
  const points: Array<[number, number]> = [];
  for (let a = 0; a < resolution; a++) for (let b = 0; b < resolution; b++) points.push([a, b]);
  const points_: Array<[number, number]> = [];
  for (let a = 0; a < resolution_; a++) for (let b = 0; b < resolution_; b++) points_.push([a, b]);
  const offsets = new Map<string, number>();
  const idxs: number[] = [];
  for (const p1 of points_) {
    for (const p2 of points) {
      const key = `${Math.abs(p1[0] * stride - p2[0])},${Math.abs(p1[1] * stride - p2[1])}`;
      if (!offsets.has(key)) offsets.set(key, offsets.size);
      idxs.push(offsets.get(key) as number);
    }
  }
  return { idxs, numOffsets: offsets.size };
}

describe('attentionBiasIndex', () => {
  it.each([
    [14, 1],
    [7, 1],
    [4, 1],
    [14, 2],
    [7, 2],
    [5, 2],
    [1, 1],
  ])('matches the official offset numbering at resolution %i, stride %i', (resolution, stride) => {
    const ours = attentionBiasIndex(resolution, stride);
    const reference = officialIdxs(resolution, stride);
    expect(ours.numOffsets).toBe(reference.numOffsets);
    expect(Array.from(ours.idxs)).toEqual(reference.idxs);
    expect(ours.numKeys).toBe(resolution * resolution);
    expect(ours.numQueries).toBe((stride === 1 ? resolution : subsampledResolution(resolution, stride)) ** 2);
  });

  it('has r² offsets for attention, numbered 0..r²−1 along the first query row, symmetric', () => {
    const r = 14;
    const { idxs, numOffsets, numKeys } = attentionBiasIndex(r);
    expect(numOffsets).toBe(r * r);
    expect(Array.from(idxs.subarray(0, numKeys))).toEqual(Array.from({ length: numKeys }, (_, i) => i));
    for (let i = 0; i < numKeys; i += 13) {
      for (let j = 0; j < numKeys; j += 7) expect(idxs[i * numKeys + j]).toBe(idxs[j * numKeys + i]);
    }
  });

  it('shrinks 14 → 7 → 4 like the official (resolution − 1) // 2 + 1', () => {
    expect(subsampledResolution(14, 2)).toBe(7);
    expect(subsampledResolution(7, 2)).toBe(4);
    expect(attentionBiasIndex(14, 2).numQueries).toBe(49);
    expect(attentionBiasIndex(7, 2).numQueries).toBe(16);
  });

  it('rejects a resolution that is not a positive integer', () => {
    expect(() => attentionBiasIndex(0)).toThrow(/positive integer/);
    expect(() => attentionBiasIndex(3.5)).toThrow(/positive integer/);
  });
});
