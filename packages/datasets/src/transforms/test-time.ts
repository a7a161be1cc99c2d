import { resize } from './spline-zoom.js';
import type { NdArray } from '../volume.js';

/** The slices of a (D, H, W) volume along its first axis, as (H, W) views (no copy). */
export function* volumeSlices(volume: NdArray<Float32Array>): Generator<NdArray<Float32Array>> {
  const [d, h, w] = volume.shape as [number, number, number];
  if (volume.shape.length !== 3) throw new Error(`volumeSlices: expected (D, H, W), got [${volume.shape.join(', ')}]`);
  for (let z = 0; z < d; z++) yield { data: volume.data.subarray(z * h * w, (z + 1) * h * w), shape: [h, w] };
}

/** test_single_volume's input step: a slice resized to the network's patch size with cubic splines (order 3). */
export function sliceToPatch(slice: NdArray<Float32Array>, patchSize: readonly [number, number] = [224, 224]): NdArray<Float32Array> {
  const [x, y] = slice.shape as [number, number];
  return x === patchSize[0] && y === patchSize[1] ? slice : resize(slice, patchSize, { order: 3 });
}

/** test_single_volume's output step: a predicted label map resized back to the slice's shape, nearest (order 0). */
export function patchToSlice<T extends Int32Array | Uint8Array>(prediction: NdArray<T>, sliceShape: readonly [number, number]): NdArray<T> {
  const [px, py] = prediction.shape as [number, number];
  return px === sliceShape[0] && py === sliceShape[1] ? prediction : resize(prediction, sliceShape, { order: 0 });
}

/**
 * TransUNet's `test_single_volume` without the network: every slice of a (D, H, W) volume goes to
 * `predictSlice` at `patchSize` (order-3 resize), and each prediction comes back at (H, W) (order 0);
 * the result is the (D, H, W) label volume.
 */
export async function predictVolume(
  volume: NdArray<Float32Array>,
  predictSlice: (patch: NdArray<Float32Array>, index: number) => Promise<NdArray<Int32Array>> | NdArray<Int32Array>,
  patchSize: readonly [number, number] = [224, 224],
): Promise<NdArray<Int32Array>> {
  const [, h, w] = volume.shape as [number, number, number];
  const out = new Int32Array(volume.data.length);
  let z = 0;
  for (const slice of volumeSlices(volume)) {
    const prediction = await predictSlice(sliceToPatch(slice, patchSize), z);
    out.set(patchToSlice(prediction, [h, w]).data, z * h * w);
    z++;
  }
  return { data: out, shape: [...volume.shape] };
}
