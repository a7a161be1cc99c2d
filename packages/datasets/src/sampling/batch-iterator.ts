import { deriveSeed, SeededRandom } from './seeded-random.js';
import type { SliceSample } from '../transforms/transunet-augment.js';

/** Where samples come from: a count and an async loader (which may decode and augment in a worker). */
export interface SampleSource {
  readonly length: number;
  /** Loads sample `index` for `epoch`; `seed` is the per-sample augmentation seed derived from (seed, epoch, index). */
  load(index: number, epoch: number, seed: number): Promise<SliceSample>;
  /** Releases workers or files (called when iteration ends or stops early). */
  close?(): Promise<void>;
}

/** How samples are batched: batch size, seeded shuffling, the last partial batch. */
export interface BatchOptions {
  batchSize: number;
  /** Reshuffle every epoch with a seeded permutation (default true). */
  shuffle?: boolean;
  /** Seed for shuffling and augmentation (default 0). */
  seed?: number;
  /** Drop a last batch smaller than `batchSize` (default false). */
  dropLast?: boolean;
  /** Passes over the data (default 1). */
  epochs?: number;
  /** Samples being loaded ahead at most (default 2 * batchSize); bounds memory. */
  prefetch?: number;
}

/**
 * One batch: NHWC float32 images `[b, h, w, 1]` and int32 labels `[b, h, w]` (typed arrays, no tfjs),
 * with the dataset indices it holds.
 */
export interface Batch {
  images: Float32Array;
  imageShape: [number, number, number, number];
  labels: Int32Array;
  labelShape: [number, number, number];
  indices: number[];
  epoch: number;
}

/** The visiting order of one epoch: a seeded permutation, or 0..n-1 without shuffling. */
export function epochOrder(length: number, epoch: number, seed: number, shuffle: boolean): number[] {
  const order = Array.from({ length }, (_, i) => i);
  return shuffle ? new SeededRandom(deriveSeed(seed, 0x5eed, epoch)).shuffle(order) : order;
}

/**
 * Streams batches from a `SampleSource`: per epoch a seeded permutation, samples loaded ahead with at
 * most `prefetch` in flight (so memory stays bounded whatever the dataset size), batches assembled in
 * order. Every sample's augmentation seed depends only on (seed, epoch, index), so the batches are the
 * same however many workers load them.
 */
export async function* batchIterator(source: SampleSource, options: BatchOptions): AsyncGenerator<Batch> {
  const { batchSize } = options;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`batchSize must be a positive integer, got ${batchSize}`);
  const seed = options.seed ?? 0;
  const epochs = options.epochs ?? 1;
  const prefetch = Math.max(1, options.prefetch ?? 2 * batchSize);
  const schedule: Array<{ index: number; epoch: number; last: boolean }> = [];
  try {
    for (let epoch = 0; epoch < epochs; epoch++) {
      const order = epochOrder(source.length, epoch, seed, options.shuffle ?? true);
      const usable = options.dropLast ? order.length - (order.length % batchSize) : order.length;
      for (let n = 0; n < usable; n++) {
        const endOfBatch = (n + 1) % batchSize === 0 || n === usable - 1;
        schedule.push({ index: order[n]!, epoch, last: endOfBatch });
      }
      yield* drain(source, schedule, prefetch, seed);
      schedule.length = 0;
    }
  } finally {
    await source.close?.();
  }
}

async function* drain(
  source: SampleSource,
  schedule: Array<{ index: number; epoch: number; last: boolean }>,
  prefetch: number,
  seed: number,
): AsyncGenerator<Batch> {
  const pending: Array<Promise<SliceSample>> = [];
  let next = 0;
  const fill = () => {
    while (pending.length < prefetch && next < schedule.length) {
      const { index, epoch } = schedule[next++]!;
      const promise = source.load(index, epoch, deriveSeed(seed, epoch, index));
      promise.catch(() => undefined); // surfaced when awaited, in order
      pending.push(promise);
    }
  };
  let group: SliceSample[] = [];
  let groupIndices: number[] = [];
  for (let n = 0; n < schedule.length; n++) {
    fill();
    const sample = await pending.shift()!;
    group.push(sample);
    groupIndices.push(schedule[n]!.index);
    if (schedule[n]!.last) {
      yield assemble(group, groupIndices, schedule[n]!.epoch);
      group = [];
      groupIndices = [];
    }
  }
}

function assemble(samples: SliceSample[], indices: number[], epoch: number): Batch {
  const [h, w] = samples[0]!.image.shape as [number, number];
  const plane = h * w;
  const images = new Float32Array(samples.length * plane);
  const labels = new Int32Array(samples.length * plane);
  samples.forEach((s, n) => {
    if (s.image.shape[0] !== h || s.image.shape[1] !== w) {
      throw new Error(`sample ${indices[n]} is ${s.image.shape.join('x')}, the batch is ${h}x${w}: resize samples to one size`);
    }
    images.set(s.image.data, n * plane);
    labels.set(s.label.data, n * plane);
  });
  return { images, imageShape: [samples.length, h, w, 1], labels, labelShape: [samples.length, h, w], indices, epoch };
}
