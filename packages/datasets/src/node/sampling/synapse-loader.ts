import { availableParallelism } from 'node:os';
import { batchIterator, type Batch, type BatchOptions, type SampleSource } from '../../sampling/batch-iterator.js';
import { DataError } from '../../data-error.js';
import { SYNAPSE_NUM_CLASSES } from '../../layouts/synapse-layout.js';
import type { SliceSample } from '../../transforms/transunet-augment.js';
import { runSliceTask, type SliceTask } from './slice-task.js';
import { synapseTrainFiles } from '../layouts/synapse-dataset.js';
import { WorkerPool } from './worker-pool.js';

/** How training slices are made from the Synapse `.npz` files: augmentation, output size, worker threads. */
export interface SliceSourceOptions {
  /** TransUNet's random augmentation (default true); false only resizes (validation). */
  augment?: boolean;
  /** Output (H, W), default TransUNet's [224, 224]. */
  outputSize?: [number, number];
  /** Worker threads decoding and augmenting (default: available cores); 0 decodes on the main thread. */
  workers?: number;
  /** Classes the labels must fit (default 9, Synapse). */
  numClasses?: number;
}

function decodeResult(message: Record<string, unknown>): SliceSample {
  if (message.error) {
    const { message: text, data } = message.error as { message: string; data?: { source?: string; problem: string } };
    throw data ? new DataError(data.source, data.problem) : new Error(text);
  }
  const shape = message.shape as number[];
  return { image: { data: message.image as Float32Array, shape }, label: { data: message.label as Int32Array, shape } };
}

/** A `SampleSource` over a list of `.npz` slice files, decoding in worker threads when `workers > 0`. */
export function createSliceSource(files: readonly string[], options: SliceSourceOptions = {}): SampleSource {
  const workers = options.workers ?? availableParallelism();
  const base = {
    numClasses: options.numClasses ?? SYNAPSE_NUM_CLASSES,
    augment: options.augment ?? true,
    outputSize: options.outputSize ?? ([224, 224] as [number, number]),
  };
  const pool = workers > 0 ? new WorkerPool<SliceTask, SliceSample>(new URL('./slice-worker.js', import.meta.url), workers, decodeResult) : null;
  return {
    length: files.length,
    load: (index, _epoch, seed) => {
      const task: SliceTask = { ...base, path: files[index]!, seed };
      return pool ? pool.run(task) : runSliceTask(task);
    },
    close: async () => pool?.close(),
  };
}

/** Options of `synapseBatches`: batching (`BatchOptions`) and slicing (`SliceSourceOptions`). */
export interface SynapseBatchOptions extends BatchOptions, SliceSourceOptions {}

/**
 * Training batches from a Synapse dataset root (`lists_Synapse/train.txt` → `train_npz/*.npz`): seeded
 * shuffle per epoch, TransUNet augmentation, NHWC float32 images `[b, 224, 224, 1]` and int32 labels
 * `[b, 224, 224]`, decoded and augmented in worker threads with at most `prefetch` samples in memory.
 */
export async function* synapseBatches(root: string, options: SynapseBatchOptions): AsyncGenerator<Batch> {
  yield* batchIterator(createSliceSource(await synapseTrainFiles(root), options), options);
}
