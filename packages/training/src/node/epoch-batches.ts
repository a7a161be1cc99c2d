import { deriveSeed, epochOrder, type SampleSource } from '@levit-unet/datasets';
import type { SliceSample } from '@levit-unet/datasets';

/** A batch with where it came from. */
export interface LoadedBatch {
  images: Float32Array;
  labels: Int32Array;
  labelShape: [number, number, number];
  indices: number[];
}

/**
 * The sample indices of each batch of one epoch: datasets' `epochOrder` (the seeded permutation
 * `synapseBatches` uses) cut into batches, so a run can start at any batch of any epoch.
 */
export function epochBatchIndices(length: number, epoch: number, seed: number, shuffle: boolean, batchSize: number, dropLast: boolean): number[][] {
  const order = epochOrder(length, epoch, seed, shuffle);
  const usable = dropLast ? order.length - (order.length % batchSize) : order.length;
  const batches: number[][] = [];
  for (let start = 0; start < usable; start += batchSize) batches.push(order.slice(start, Math.min(start + batchSize, usable)));
  return batches;
}

/**
 * Loads the given batches of `epoch` in order with up to `prefetch` samples in flight. Each sample's
 * augmentation seed is `deriveSeed(seed, epoch, index)`, as datasets' `batchIterator`, so a batch is the
 * same whether the run got there directly or by resuming.
 */
export async function* loadBatches(
  source: SampleSource,
  batches: number[][],
  epoch: number,
  seed: number,
  prefetch: number,
): AsyncGenerator<LoadedBatch> {
  const flat = batches.flat();
  const pending: Array<Promise<SliceSample>> = [];
  let next = 0;
  const fill = () => {
    while (pending.length < prefetch && next < flat.length) {
      const index = flat[next++]!;
      const promise = source.load(index, epoch, deriveSeed(seed, epoch, index));
      promise.catch(() => undefined); // surfaced in order when awaited
      pending.push(promise);
    }
  };
  for (const indices of batches) {
    const samples: SliceSample[] = [];
    for (let n = 0; n < indices.length; n++) {
      fill();
      samples.push(await pending.shift()!);
    }
    yield assemble(samples, indices);
  }
}

function assemble(samples: SliceSample[], indices: number[]): LoadedBatch {
  const [h, w] = samples[0]!.image.shape as [number, number];
  const plane = h * w;
  const images = new Float32Array(samples.length * plane);
  const labels = new Int32Array(samples.length * plane);
  samples.forEach((sample, n) => {
    if (sample.image.shape[0] !== h || sample.image.shape[1] !== w || sample.image.data.length !== plane) {
      throw new Error(`sample ${indices[n]} is ${sample.image.shape.join('x')}, the batch is ${h}x${w}: resize samples to one size`);
    }
    images.set(sample.image.data, n * plane);
    labels.set(sample.label.data, n * plane);
  });
  return { images, labels, labelShape: [samples.length, h, w], indices };
}
