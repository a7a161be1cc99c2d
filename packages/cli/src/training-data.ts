import { volumeSliceSource, type TrainingVolume } from '@levit-unet/datasets';
import { readDatasetCases, type DatasetKind } from '@levit-unet/datasets/node';
import { createTfjsEngine, evaluateDataset } from '@levit-unet/inference';
import type { TrainData, ValidationResult } from '@levit-unet/training/node';
import type { LayersModel } from '@tensorflow/tfjs-layers';

export interface DataSpec {
  dataset: DatasetKind;
  root: string;
  numClasses: number;
  imgSize: number;
  augment: boolean;
  /** Decoding threads for Synapse slices (default: all cores). */
  workers?: number;
}

/**
 * The training slices of a dataset: Synapse's `train_npz` files (decoded and augmented in worker threads),
 * or the volumes of ACDC's training patients / a NIfTI folder's training cases, read once into memory and
 * served slice by slice.
 */
export async function openTrainingData(spec: DataSpec): Promise<TrainData> {
  if (spec.dataset === 'synapse') {
    return { kind: 'synapse', root: spec.root, augment: spec.augment, imgSize: spec.imgSize, ...(spec.workers === undefined ? {} : { workers: spec.workers }) };
  }
  const set = await readDatasetCases({ dataRoot: spec.root, dataset: spec.dataset, split: 'train', numClasses: spec.numClasses });
  const volumes: TrainingVolume[] = [];
  for await (const c of set.cases) volumes.push({ name: c.name, image: c.image, label: c.label });
  return volumeSliceSource(volumes, { augment: spec.augment, outputSize: [spec.imgSize, spec.imgSize], numClasses: spec.numClasses });
}

/** The held-out split validation scores: Synapse's test volumes (it has no other), ACDC's valid patients, a NIfTI folder's test fifth. */
export const VALIDATION_SPLIT = { synapse: 'test', acdc: 'valid', nifti: 'test' } as const;

/** A `validate` callback for `train`: TransUNet's protocol on the held-out volumes, mean Dice and HD95. */
export function validationCallback(spec: DataSpec, onSlice?: (text: string) => void): (model: LayersModel) => Promise<ValidationResult> {
  return async (model) => {
    const set = await readDatasetCases({ dataRoot: spec.root, dataset: spec.dataset, split: VALIDATION_SPLIT[spec.dataset], numClasses: spec.numClasses });
    const engine = createTfjsEngine(model);
    const result = await evaluateDataset(engine, set.cases, {
      numClasses: spec.numClasses,
      ...(set.classNames ? { classNames: set.classNames } : {}),
      onProgress: (p) => onSlice?.(`validating ${p.caseName}: ${p.slicesDone}/${p.slicesTotal}`),
    });
    return { meanDice: result.mean.dice, meanHd95: result.mean.hd95, cases: result.cases.length };
  };
}
