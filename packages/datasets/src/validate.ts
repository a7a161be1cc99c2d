import { DataError } from './data-error.js';
import type { NdArray, TypedArray } from './volume.js';

/**
 * An image checked for use: float32, every value finite. NaN or ±Inf is a `DataError` naming `source`
 * and the first bad element, never a silently poisoned batch.
 */
export function checkedImage(array: NdArray, source: string | undefined): NdArray<Float32Array> {
  const data = array.data instanceof Float32Array ? array.data : Float32Array.from(array.data);
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i]!)) {
      throw new DataError(source, `image has a non-finite value (${data[i]}) at flat index ${i}`);
    }
  }
  return { data, shape: array.shape };
}

/**
 * A label map checked against `numClasses`: integer values in [0, numClasses), returned as Int32Array.
 * Float label maps (TransUNet stores float32) are accepted when every value is a whole number.
 */
export function checkedLabels(array: NdArray, numClasses: number, source: string | undefined): NdArray<Int32Array> {
  const data = array.data;
  const out = data instanceof Int32Array ? data : new Int32Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (!Number.isInteger(v)) throw new DataError(source, `label map has a non-integer value (${v}) at flat index ${i}`);
    if (v < 0 || v >= numClasses) {
      throw new DataError(source, `label value ${v} at flat index ${i} is outside the class range 0..${numClasses - 1}`);
    }
    out[i] = v;
  }
  return { data: out, shape: array.shape };
}

/** Image and label must have the same shape. */
export function checkSameShape(image: NdArray, label: NdArray, source: string | undefined): void {
  if (image.shape.length !== label.shape.length || image.shape.some((d, n) => d !== label.shape[n])) {
    throw new DataError(source, `image shape [${image.shape.join(', ')}] and label shape [${label.shape.join(', ')}] differ`);
  }
}

/** Requires a given rank (2 for slices, 3 for volumes). */
export function checkRank(array: NdArray, rank: number, what: string, source: string | undefined): void {
  if (array.shape.length !== rank) {
    throw new DataError(source, `${what} should be ${rank}-D, got shape [${array.shape.join(', ')}]`);
  }
}

/** Smallest and largest value (NaN ignored). */
export function valueRange(data: TypedArray): [number, number] {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return [min, max];
}
