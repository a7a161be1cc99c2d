import { patchToSlice, resize, sliceToPatch } from '@levit-unet/datasets';
import { describe, expect, it } from 'vitest';
import { predictVolumeLabels, type SegmentationEngine } from '../src/index.js';
import { OracleEngine, ThresholdEngine, thresholdLabel } from './engines.js';

function rampVolume(d: number, h: number, w: number): Float32Array {
  // Smooth in-plane ramps, different per slice, so order-3 resizing changes values but keeps the picture.
  const out = new Float32Array(d * h * w);
  for (let z = 0; z < d; z++) {
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) out[(z * h + y) * w + x] = 0.05 + 0.95 * ((x / (w - 1) + y / (h - 1)) / 2) * (0.7 + (0.3 * z) / d);
    }
  }
  return out;
}

describe('predictVolumeLabels (TransUNet test_single_volume)', () => {
  it('labels every voxel by the engine when the slice size is the input size (no resizing)', async () => {
    const volume = { data: rampVolume(5, 12, 12), shape: [5, 12, 12] };
    const progress: number[][] = [];
    const labels = await predictVolumeLabels(new ThresholdEngine([12, 12]), volume, { batchSize: 2, onProgress: (done, total) => progress.push([done, total]) });
    expect(labels.shape).toEqual([5, 12, 12]);
    expect(labels.data).toBeInstanceOf(Uint8Array);
    expect(Array.from(labels.data)).toEqual(Array.from(volume.data, thresholdLabel));
    expect(progress).toEqual([[2, 5], [4, 5], [5, 5]]);
    expect(new Set(labels.data)).toEqual(new Set([0, 1, 2]));
  });

  it('resizes slices of any size with order 3 to the input and the labels back with order 0, whatever the batch size', async () => {
    const [d, h, w] = [4, 20, 13];
    const volume = { data: rampVolume(d, h, w), shape: [d, h, w] };
    const engine = new ThresholdEngine([16, 16]);
    const expected = new Uint8Array(d * h * w);
    for (let z = 0; z < d; z++) {
      // Independent path: scipy-exact zooms from datasets, one slice at a time, the closed-form argmax.
      const patch = resize({ data: volume.data.slice(z * h * w, (z + 1) * h * w), shape: [h, w] }, [16, 16], { order: 3 });
      const labels = resize({ data: Uint8Array.from(patch.data, thresholdLabel), shape: [16, 16] }, [h, w], { order: 0 });
      expected.set(labels.data, z * h * w);
    }
    for (const batchSize of [1, 3, 8]) {
      const labels = await predictVolumeLabels(engine, volume, { batchSize });
      expect(labels.shape).toEqual([d, h, w]);
      expect(labels.data).toEqual(expected);
    }
  });

  it('matches datasets’ slice-by-slice predictVolume with sliceToPatch / patchToSlice', async () => {
    const [d, h, w] = [3, 9, 30];
    const truth = { data: Int32Array.from({ length: d * h * w }, (_, i) => (i * 7919) % 4), shape: [d, h, w] };
    // The oracle answers with the ground truth resized (order 0) to 8x24; back at 9x30 it is the round trip.
    const labels = await predictVolumeLabels(new OracleEngine([8, 24], 4, [truth]), { data: new Float32Array(d * h * w), shape: [d, h, w] }, { batchSize: 2 });
    for (let z = 0; z < d; z++) {
      const slice = { data: truth.data.slice(z * h * w, (z + 1) * h * w), shape: [h, w] };
      const roundTrip = patchToSlice(resize(slice, [8, 24], { order: 0 }), [h, w]);
      expect(Array.from(labels.data.subarray(z * h * w, (z + 1) * h * w))).toEqual(Array.from(roundTrip.data));
    }
    expect(sliceToPatch({ data: new Float32Array(64), shape: [8, 8] }, [8, 8]).shape).toEqual([8, 8]);
  });

  it('names the count of non-finite logits, and bad shapes', async () => {
    const nan: SegmentationEngine = {
      name: 'broken',
      inputSize: [4, 4],
      numClasses: 2,
      predictLogits: async (_images, n) => Float32Array.from({ length: n * 32 }, (_, i) => (i % 5 === 0 ? NaN : i === 3 ? Infinity : 0)),
      dispose: () => {},
    };
    await expect(predictVolumeLabels(nan, { data: new Float32Array(2 * 16), shape: [2, 4, 4] }, { source: 'ct.nii.gz' })).rejects.toThrow(
      /ct.nii.gz slices 0..1: the broken engine returned 14 non-finite logits \(NaN\/Inf\) of 64/,
    );
    const short: SegmentationEngine = { ...nan, predictLogits: async () => new Float32Array(3) };
    await expect(predictVolumeLabels(short, { data: new Float32Array(16), shape: [1, 4, 4] })).rejects.toThrow(/returned 3 logits for 1 images, expected \(1, 4, 4, 2\)/);
    await expect(predictVolumeLabels(nan, { data: new Float32Array(16), shape: [4, 4] })).rejects.toThrow(/expected a float32 \(D, H, W\) volume/);
  });
});
