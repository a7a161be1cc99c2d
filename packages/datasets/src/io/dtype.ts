import { HOST_BYTE_ORDER, swapBytes } from '@levit-unet/torch-io';
import { DataError } from '../data-error.js';
import type { TypedArray } from '../volume.js';

/** Element type names shared by the npy, NIfTI and HDF5 codecs. */
export type Dtype = 'int8' | 'uint8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'float32' | 'float64';

type TypedArrayConstructor = {
  new (length: number): TypedArray;
  new (buffer: ArrayBufferLike, byteOffset?: number, length?: number): TypedArray;
  readonly BYTES_PER_ELEMENT: number;
};

export const DTYPE_ARRAYS: Record<Dtype, TypedArrayConstructor> = {
  int8: Int8Array,
  uint8: Uint8Array,
  int16: Int16Array,
  uint16: Uint16Array,
  int32: Int32Array,
  uint32: Uint32Array,
  float32: Float32Array,
  float64: Float64Array,
};

/** The dtype of a typed array. */
export function dtypeOf(data: TypedArray): Dtype {
  if (data instanceof Int8Array) return 'int8';
  if (data instanceof Uint8Array) return 'uint8';
  if (data instanceof Int16Array) return 'int16';
  if (data instanceof Uint16Array) return 'uint16';
  if (data instanceof Int32Array) return 'int32';
  if (data instanceof Uint32Array) return 'uint32';
  if (data instanceof Float32Array) return 'float32';
  return 'float64';
}

const HOST_LITTLE_ENDIAN = HOST_BYTE_ORDER === 'little';

/**
 * Copies `count` elements of `dtype` starting at `byteOffset` into a new typed array, swapping bytes when
 * the stored order differs from the host's. Copying (rather than viewing) also fixes alignment.
 */
export function readElements(
  bytes: Uint8Array,
  byteOffset: number,
  count: number,
  dtype: Dtype,
  littleEndian: boolean,
): TypedArray {
  const Ctor = DTYPE_ARRAYS[dtype];
  const size = Ctor.BYTES_PER_ELEMENT;
  // Uint8Array.prototype.slice copies; a Node Buffer's own slice() would return a view of a pooled buffer.
  const copy = Uint8Array.prototype.slice.call(bytes, byteOffset, byteOffset + count * size);
  if (size > 1 && littleEndian !== HOST_LITTLE_ENDIAN) swapBytes(copy, size);
  return new Ctor(copy.buffer, 0, count);
}

/** The bytes of `data` in the requested byte order (a copy). */
export function elementBytes(data: TypedArray, littleEndian: boolean): Uint8Array {
  const copy = new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength));
  if (data.BYTES_PER_ELEMENT > 1 && littleEndian !== HOST_LITTLE_ENDIAN) swapBytes(copy, data.BYTES_PER_ELEMENT);
  return copy;
}


/**
 * Narrows 64-bit integers, which JS typed arrays used for volumes cannot hold, to Int32Array when every
 * value fits (the usual case: label maps saved as int64 by numpy/nibabel), else to Float64Array when
 * every value is exactly representable; beyond 2^53 it refuses rather than round silently.
 */
export function narrowInt64(values: BigInt64Array | BigUint64Array, source: string | undefined): Int32Array | Float64Array {
  let fitsInt32 = true;
  const limit = BigInt(Number.MAX_SAFE_INTEGER);
  for (const v of values) {
    if (v > limit || v < -limit) {
      throw new DataError(source, `64-bit integer value ${v} does not fit a float64 exactly`);
    }
    if (v > 2147483647n || v < -2147483648n) fitsInt32 = false;
  }
  const out = fitsInt32 ? new Int32Array(values.length) : new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = Number(values[i]!);
  return out;
}

/** Reads `count` 64-bit integers (signed or not) in the given byte order and narrows them. */
export function readInt64Elements(
  bytes: Uint8Array,
  byteOffset: number,
  count: number,
  signed: boolean,
  littleEndian: boolean,
  source: string | undefined,
): Int32Array | Float64Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset + byteOffset, count * 8);
  const values = signed ? new BigInt64Array(count) : new BigUint64Array(count);
  for (let i = 0; i < count; i++) {
    values[i] = signed ? view.getBigInt64(i * 8, littleEndian) : view.getBigUint64(i * 8, littleEndian);
  }
  return narrowInt64(values, source);
}

/** Product of a shape's extents (1 for a scalar). */
export function shapeSize(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}
