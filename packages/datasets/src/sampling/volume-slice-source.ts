import type { SampleSource } from './batch-iterator.js';
import { SeededRandom } from './seeded-random.js';
import { resizeSample, transunetAugment, type SliceSample } from '../transforms/transunet-augment.js';
import type { NdArray, TypedArray } from '../volume.js';

/** A prepared (D, H, W) volume: image scaled as training expects ([0, 1] for windowed CT), labels 0..numClasses-1. */
export interface TrainingVolume {
  name: string;
  image: NdArray<Float32Array>;
  label: NdArray<TypedArray>;
}

/** Options of `volumeSliceSource`: augmentation, output size, classes. */
export interface VolumeSliceSourceOptions {
  /** TransUNet's random rot/flip/rotate per sample (default true); false only resizes. */
  augment?: boolean;
  /** Output (H, W), default [224, 224]. */
  outputSize?: readonly [number, number];
  /** Labels must be below this (default: no check beyond non-negative integers). */
  numClasses?: number;
}

/**
 * Every axial slice of in-memory volumes as a training `SampleSource` (ACDC frames, NIfTI folders: data
 * that does not come as TransUNet's per-slice .npz files). Sample i is slice z of volume v in order;
 * augmentation is seeded per sample like the Synapse loader's, so batches do not depend on who loads them.
 */
export function volumeSliceSource(volumes: readonly TrainingVolume[], options: VolumeSliceSourceOptions = {}): SampleSource {
  const outputSize = options.outputSize ?? ([224, 224] as const);
  const index: Array<[number, number]> = [];
  volumes.forEach((v, n) => {
    const [d, h, w] = v.image.shape as [number, number, number];
    if (v.image.shape.length !== 3 || v.label.shape.join() !== v.image.shape.join()) {
      throw new Error(`${v.name}: image (${v.image.shape.join(', ')}) and label (${v.label.shape.join(', ')}) must be the same (D, H, W)`);
    }
    const plane = h * w;
    for (let i = 0; i < v.label.data.length; i++) {
      const value = v.label.data[i]!;
      if (!Number.isInteger(value) || value < 0 || (options.numClasses !== undefined && value >= options.numClasses)) {
        throw new Error(`${v.name}: label ${value} at slice ${Math.floor(i / plane)} is outside 0..${(options.numClasses ?? Infinity) - 1}`);
      }
    }
    for (let z = 0; z < d; z++) index.push([n, z]);
  });
  return {
    length: index.length,
    load: async (i, _epoch, seed) => {
      const [n, z] = index[i]!;
      const { image, label } = volumes[n]!;
      const [, h, w] = image.shape as [number, number, number];
      const plane = h * w;
      const sample: SliceSample = {
        image: { data: image.data.slice(z * plane, (z + 1) * plane), shape: [h, w] },
        label: { data: Int32Array.from(label.data.subarray(z * plane, (z + 1) * plane)), shape: [h, w] },
      };
      return options.augment ?? true ? transunetAugment(sample, new SeededRandom(seed), outputSize) : resizeSample(sample, outputSize);
    },
  };
}
