import { describe, expect, it } from 'vitest';
import { batchIterator, DataError, epochOrder, type SampleSource } from '../src/index.js';

/** Sample i is a 2x3 image filled with i and a label filled with i % 9; records loads in flight. */
function fakeSource(length: number, failAt?: number) {
  const stats = { inFlight: 0, maxInFlight: 0, seeds: new Map<string, number>() };
  const source: SampleSource = {
    length,
    async load(index, epoch, seed) {
      stats.inFlight++;
      stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
      stats.seeds.set(`${epoch}:${index}`, seed);
      await new Promise((resolve) => setTimeout(resolve, (index * 7) % 3));
      stats.inFlight--;
      if (index === failAt) throw new DataError(`slice${index}.npz`, 'truncated');
      return {
        image: { data: new Float32Array(6).fill(index), shape: [2, 3] },
        label: { data: new Int32Array(6).fill(index % 9), shape: [2, 3] },
      };
    },
  };
  return { source, stats };
}

async function collect(source: SampleSource, options: Parameters<typeof batchIterator>[1]) {
  const batches = [];
  for await (const batch of batchIterator(source, options)) batches.push(batch);
  return batches;
}

describe('batchIterator', () => {
  it('yields NHWC float32 images and int32 labels, every sample once per epoch', async () => {
    const { source } = fakeSource(10);
    const batches = await collect(source, { batchSize: 4, seed: 1 });
    expect(batches.map((b) => b.imageShape)).toEqual([
      [4, 2, 3, 1],
      [4, 2, 3, 1],
      [2, 2, 3, 1],
    ]);
    expect(batches[0]!.labelShape).toEqual([4, 2, 3]);
    expect(batches.flatMap((b) => b.indices).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    for (const batch of batches) {
      batch.indices.forEach((index, n) => {
        expect(batch.images[n * 6]).toBe(index);
        expect(batch.labels[n * 6 + 5]).toBe(index % 9);
      });
    }
  });

  it('drops the last partial batch, reshuffles each epoch, and is reproducible from the seed', async () => {
    const { source } = fakeSource(10);
    const batches = await collect(source, { batchSize: 4, seed: 1, dropLast: true, epochs: 3 });
    expect(batches).toHaveLength(6);
    const epoch = (e: number) => batches.filter((b) => b.epoch === e).flatMap((b) => b.indices);
    expect(epoch(0)).toEqual(epochOrder(10, 0, 1, true).slice(0, 8));
    expect(epoch(0)).not.toEqual(epoch(1));
    const again = await collect(fakeSource(10).source, { batchSize: 4, seed: 1, dropLast: true, epochs: 3 });
    expect(again.map((b) => b.indices)).toEqual(batches.map((b) => b.indices));
    const unshuffled = await collect(fakeSource(5).source, { batchSize: 2, shuffle: false });
    expect(unshuffled.map((b) => b.indices)).toEqual([[0, 1], [2, 3], [4]]);
  });

  it('keeps at most `prefetch` samples in flight and gives each (epoch, index) its own seed', async () => {
    const { source, stats } = fakeSource(40);
    await collect(source, { batchSize: 8, prefetch: 5, epochs: 2 });
    expect(stats.maxInFlight).toBe(5);
    expect(new Set(stats.seeds.values()).size).toBe(80);
  });

  it('stops with the loader error naming the file', async () => {
    const { source } = fakeSource(10, 3);
    await expect(collect(source, { batchSize: 4, shuffle: false })).rejects.toThrow('slice3.npz: truncated');
  });
});
