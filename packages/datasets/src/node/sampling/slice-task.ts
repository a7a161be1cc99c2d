import { SeededRandom } from '../../sampling/seeded-random.js';
import { resizeSample, transunetAugment, type SliceSample } from '../../transforms/transunet-augment.js';
import { readSynapseSlice } from '../layouts/synapse-dataset.js';

/** What a loader (main thread or worker) needs to produce one training sample. */
export interface SliceTask {
  path: string;
  numClasses: number;
  /** Apply TransUNet's random rot/flip/rotate (training) or only resize (validation). */
  augment: boolean;
  /** Per-sample augmentation seed. */
  seed: number;
  outputSize: [number, number];
}

/** Reads, checks, augments and resizes one `train_npz` slice. */
export async function runSliceTask(task: SliceTask): Promise<SliceSample> {
  const sample = await readSynapseSlice(task.path, task.numClasses);
  return task.augment ? transunetAugment(sample, new SeededRandom(task.seed), task.outputSize) : resizeSample(sample, task.outputSize);
}
