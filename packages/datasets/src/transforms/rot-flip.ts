import type { NdArray, TypedArray } from '../volume.js';

function like<T extends TypedArray>(data: T, length: number): T {
  return new (data.constructor as new (n: number) => T)(length);
}

/**
 * `np.rot90(m, k)` on a 2-D array: k quarter turns counter-clockwise as displayed with row 0 on top
 * (k = 1: out[i][j] = m[j][W-1-i]); odd k swaps the shape.
 */
export function rot90<T extends TypedArray>(array: NdArray<T>, k: number): NdArray<T> {
  const [h, w] = array.shape as [number, number];
  const turns = ((k % 4) + 4) % 4;
  const src = array.data;
  if (turns === 0) return { data: src.slice() as T, shape: [h, w] };
  const out = like(src, src.length);
  if (turns === 2) {
    for (let n = 0; n < src.length; n++) out[n] = src[src.length - 1 - n]!;
    return { data: out, shape: [h, w] };
  }
  // Output is w x h.
  for (let i = 0; i < w; i++) {
    for (let j = 0; j < h; j++) {
      out[i * h + j] = turns === 1 ? src[j * w + (w - 1 - i)]! : src[(h - 1 - j) * w + i]!;
    }
  }
  return { data: out, shape: [w, h] };
}

/** `np.flip(m, axis)` on a 2-D array: axis 0 reverses the rows' order, axis 1 each row. */
export function flip<T extends TypedArray>(array: NdArray<T>, axis: 0 | 1): NdArray<T> {
  const [h, w] = array.shape as [number, number];
  const src = array.data;
  const out = like(src, src.length);
  for (let i = 0; i < h; i++) {
    for (let j = 0; j < w; j++) {
      out[i * w + j] = axis === 0 ? src[(h - 1 - i) * w + j]! : src[i * w + (w - 1 - j)]!;
    }
  }
  return { data: out, shape: [h, w] };
}
