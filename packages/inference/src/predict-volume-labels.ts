import { patchToSlice, sliceToPatch, type NdArray } from '@levit-unet/datasets';
import { checkFiniteLogits } from './finite-logits.js';
import { argmaxLabels } from './predict-array.js';
import type { SegmentationEngine } from './segmentation-engine.js';

/** Options of `predictVolumeLabels`. */
export interface PredictVolumeOptions {
  /** Slices per engine call (default 8); the result does not depend on it. */
  batchSize?: number;
  /** Called after each batch with the slices done so far and the volume's slice count. */
  onProgress?: (done: number, total: number) => void;
  /** Names the volume in errors (a file path or case name). */
  source?: string;
}

/**
 * TransUNet's `test_single_volume` prediction, batched: each (H, W) slice of a (D, H, W) volume is resized
 * to `engine.inputSize` with order-3 splines (only when the sizes differ, `sliceToPatch`), the slices go
 * through the engine `batchSize` at a time, the argmax over classes is taken, and each label map comes
 * back to (H, W) with order 0 (`patchToSlice`). Returns the (D, H, W) uint8 label volume. Non-finite
 * logits are an error naming how many.
 */
export async function predictVolumeLabels(
  engine: SegmentationEngine,
  volume: NdArray<Float32Array>,
  options: PredictVolumeOptions = {},
): Promise<NdArray<Uint8Array>> {
  const source = options.source ?? 'volume';
  if (volume.shape.length !== 3 || !(volume.data instanceof Float32Array)) {
    throw new Error(`${source}: expected a float32 (D, H, W) volume, got ${volume.data.constructor.name} [${volume.shape.join(', ')}]`);
  }
  const [d, h, w] = volume.shape as [number, number, number];
  if (volume.data.length !== d * h * w) throw new Error(`${source}: ${volume.data.length} values do not fill shape [${d}, ${h}, ${w}]`);
  if (engine.numClasses > 256) throw new Error(`${engine.name} engine: ${engine.numClasses} classes do not fit uint8 labels`);
  const batchSize = Math.max(1, Math.floor(options.batchSize ?? 8));
  const [ph, pw] = engine.inputSize;
  const labels = new Uint8Array(d * h * w);
  for (let start = 0; start < d; start += batchSize) {
    const count = Math.min(batchSize, d - start);
    const batch = new Float32Array(count * ph * pw);
    for (let s = 0; s < count; s++) {
      const z = start + s;
      const slice = { data: volume.data.subarray(z * h * w, (z + 1) * h * w), shape: [h, w] };
      batch.set(sliceToPatch(slice, [ph, pw]).data, s * ph * pw);
    }
    const logits = await engine.predictLogits(batch, count);
    if (logits.length !== count * ph * pw * engine.numClasses) {
      throw new Error(`${source}: the ${engine.name} engine returned ${logits.length} logits for ${count} images, expected (${count}, ${ph}, ${pw}, ${engine.numClasses})`);
    }
    checkFiniteLogits(logits, engine.name, `${source} slices ${start}..${start + count - 1}`);
    const patches = argmaxLabels({ data: logits, shape: [count, ph, pw, engine.numClasses] }, 'nhwc').data;
    for (let s = 0; s < count; s++) {
      const patch = { data: patches.subarray(s * ph * pw, (s + 1) * ph * pw), shape: [ph, pw] };
      labels.set(patchToSlice(patch, [h, w]).data, (start + s) * h * w);
    }
    options.onProgress?.(start + count, d);
  }
  return { data: labels, shape: [d, h, w] };
}
