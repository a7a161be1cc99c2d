import type { NdArray, TypedArray } from '../volume.js';
import { shapeSize } from '../io/dtype.js';

/**
 * Permutes the axes of a C-order array, like `np.transpose(a, perm).copy()`: output axis `n` is input
 * axis `perm[n]`.
 */
export function transpose<T extends TypedArray>(array: NdArray<T>, perm: readonly number[]): NdArray<T> {
  const { data, shape } = array;
  const rank = shape.length;
  if (perm.length !== rank || [...perm].sort((a, b) => a - b).some((p, i) => p !== i)) {
    throw new Error(`transpose: ${JSON.stringify(perm)} is not a permutation of ${rank} axes`);
  }
  const inStrides = stridesOf(shape);
  const outShape = perm.map((p) => shape[p]!);
  const stridesByOutAxis = perm.map((p) => inStrides[p]!);
  const out = new (data.constructor as new (n: number) => T)(data.length);
  const total = shapeSize(outShape);
  if (total === 0) return { data: out, shape: outShape };
  const index = new Array<number>(rank).fill(0);
  const last = rank - 1;
  const innerStride = rank > 0 ? stridesByOutAxis[last]! : 0;
  const innerLength = rank > 0 ? outShape[last]! : 1;
  let offset = 0;
  for (let o = 0; o < total; o += innerLength) {
    for (let i = 0, src = offset; i < innerLength; i++, src += innerStride) out[o + i] = data[src]!;
    for (let axis = last - 1; axis >= 0; axis--) {
      index[axis]!++;
      offset += stridesByOutAxis[axis]!;
      if (index[axis]! < outShape[axis]!) break;
      offset -= stridesByOutAxis[axis]! * outShape[axis]!;
      index[axis] = 0;
    }
  }
  return { data: out, shape: outShape };
}

/** C-order element strides of a shape. */
export function stridesOf(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i]!;
  }
  return strides;
}
