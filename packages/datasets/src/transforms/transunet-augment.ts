import { flip, rot90 } from './rot-flip.js';
import { rotate } from './rotate.js';
import type { SeededRandom } from '../sampling/seeded-random.js';
import { resize } from './spline-zoom.js';
import type { NdArray } from '../volume.js';

/** One draw of TransUNet's `RandomGenerator`: what it does to a slice before resizing. */
export type AugmentDecision =
  | { kind: 'none' }
  | { kind: 'rotflip'; k: number; axis: 0 | 1 }
  | { kind: 'rotate'; angle: number };

/** A 2-D training sample: float32 image and int32 label map of the same shape (H, W). */
export interface SliceSample {
  image: NdArray<Float32Array>;
  label: NdArray<Int32Array>;
}

/**
 * Draws like TransUNet's `RandomGenerator.__call__` (datasets/dataset_synapse.py):
 * `if random() > 0.5: rot_flip (k = randint(0, 4), axis = randint(0, 2))`,
 * `elif random() > 0.5: rotate (angle = randint(-20, 20), i.e. -20..19)`, else nothing — so rot/flip
 * with probability 1/2, rotation 1/4, untouched 1/4. One seeded stream replaces Python's `random` and
 * numpy's global generator.
 */
export function drawAugmentation(rng: SeededRandom): AugmentDecision {
  if (rng.random() > 0.5) return { kind: 'rotflip', k: rng.randint(0, 4), axis: rng.randint(0, 2) as 0 | 1 };
  if (rng.random() > 0.5) return { kind: 'rotate', angle: rng.randint(-20, 20) };
  return { kind: 'none' };
}

/**
 * Applies a decision the way TransUNet does, then resizes to `outputSize` when the shape differs:
 * `np.rot90(x, k)` then `np.flip(x, axis)` for image and label; or `ndimage.rotate(x, angle, order=0,
 * reshape=False)` for both; then `zoom(image, (oh / x, ow / y), order=3)` and `zoom(label, ..., order=0)`.
 */
export function applyAugmentation(sample: SliceSample, decision: AugmentDecision, outputSize: readonly [number, number]): SliceSample {
  let { image, label } = sample;
  if (decision.kind === 'rotflip') {
    image = flip(rot90(image, decision.k), decision.axis);
    label = flip(rot90(label, decision.k), decision.axis);
  } else if (decision.kind === 'rotate') {
    image = rotate(image, decision.angle, { order: 0 });
    label = rotate(label, decision.angle, { order: 0 });
  }
  return resizeSample({ image, label }, outputSize);
}

/** TransUNet's resize step alone (also its whole validation-time transform): cubic image, nearest label. */
export function resizeSample(sample: SliceSample, outputSize: readonly [number, number]): SliceSample {
  const [x, y] = sample.image.shape as [number, number];
  if (x === outputSize[0] && y === outputSize[1]) return sample;
  return {
    image: resize(sample.image, outputSize, { order: 3 }),
    label: resize(sample.label, outputSize, { order: 0 }),
  };
}

/** `RandomGenerator(output_size)(sample)` with a seeded stream: draw, apply, resize (224 x 224 by default). */
export function transunetAugment(
  sample: SliceSample,
  rng: SeededRandom,
  outputSize: readonly [number, number] = [224, 224],
): SliceSample {
  return applyAugmentation(sample, drawAugmentation(rng), outputSize);
}
