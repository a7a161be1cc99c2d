import { describe, expect, it } from 'vitest';
import { batchIterator, resizeSample, SeededRandom, transunetAugment, volumeSliceSource } from '../src/index.js';

const volume = (name: string, d: number, h: number, w: number, offset: number) => ({
  name,
  image: { data: Float32Array.from({ length: d * h * w }, (_, i) => (i + offset) / 1000), shape: [d, h, w] },
  label: { data: Uint8Array.from({ length: d * h * w }, (_, i) => (i + offset) % 3), shape: [d, h, w] },
});

describe('volumeSliceSource', () => {
  it('serves every slice of every volume, in order, resized like TransUNet without augmentation', async () => {
    const source = volumeSliceSource([volume('a', 2, 6, 5, 0), volume('b', 3, 6, 5, 500)], { augment: false, outputSize: [8, 8], numClasses: 3 });
    expect(source.length).toBe(5);
    const third = await source.load(2, 0, 1);
    const expected = resizeSample(
      { image: { data: Float32Array.from({ length: 30 }, (_, i) => (i + 500) / 1000), shape: [6, 5] }, label: { data: Int32Array.from({ length: 30 }, (_, i) => (i + 500) % 3), shape: [6, 5] } },
      [8, 8],
    );
    expect(third.image.shape).toEqual([8, 8]);
    expect(Array.from(third.image.data)).toEqual(Array.from(expected.image.data));
    expect(Array.from(third.label.data)).toEqual(Array.from(expected.label.data));
  });

  it('augments with the per-sample seed exactly as transunetAugment', async () => {
    const v = volume('a', 1, 12, 12, 7);
    const source = volumeSliceSource([v], { outputSize: [12, 12] });
    for (const seed of [1, 2, 3, 4, 5]) {
      const got = await source.load(0, 0, seed);
      const want = transunetAugment(
        { image: { data: v.image.data.slice(), shape: [12, 12] }, label: { data: Int32Array.from(v.label.data), shape: [12, 12] } },
        new SeededRandom(seed),
        [12, 12],
      );
      expect(Array.from(got.label.data)).toEqual(Array.from(want.label.data));
    }
  });

  it('feeds batchIterator and names bad volumes in one line', async () => {
    const batches = [];
    for await (const b of batchIterator(volumeSliceSource([volume('a', 3, 4, 4, 0)], { augment: false, outputSize: [4, 4] }), { batchSize: 2, shuffle: false })) batches.push(b);
    expect(batches.map((b) => b.indices)).toEqual([[0, 1], [2]]);
    expect(() => volumeSliceSource([volume('bad', 1, 4, 4, 0)], { numClasses: 2 })).toThrow(/^bad: label 2 at slice 0 is outside 0\.\.1$/);
    const mismatched = { ...volume('m', 1, 4, 4, 0), label: { data: new Uint8Array(12), shape: [1, 3, 4] } };
    expect(() => volumeSliceSource([mismatched])).toThrow(/^m: image \(1, 4, 4\) and label \(1, 3, 4\)/);
  });
});

describe('niftiSplit', () => {
  it('holds out the last fifth of the sorted cases, at least one of two or more', async () => {
    const { niftiSplit } = await import('../src/node/index.js');
    const ten = Array.from({ length: 10 }, (_, i) => i);
    expect(niftiSplit(ten, 'train')).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(niftiSplit(ten, 'test')).toEqual([8, 9]);
    expect(niftiSplit(ten, 'valid')).toEqual([8, 9]);
    expect(niftiSplit([0, 1], 'train')).toEqual([0]);
    expect(niftiSplit([0], 'train')).toEqual([0]);
    expect(niftiSplit([0], 'test')).toEqual([]);
    expect(niftiSplit(ten, 'all')).toEqual(ten);
  });
});
