/**
 * Raw element bytes <-> TensorData: the one place that knows how each dtype is laid out in a file and
 * which array it is held in once read (floats widened to float32).
 */
import { bfloat16ToFloat32, float16ToFloat32, float32ToBfloat16, float32ToFloat16 } from './float16.js';
import { HOST_BYTE_ORDER, swapBytes, type ByteOrder } from './byte-order.js';
import type { TensorData, TensorDtype } from './tensor-map.js';

/** Bytes per element of each dtype in the file. */
export const ELEMENT_SIZES: Readonly<Record<TensorDtype, number>> = {
  float32: 4,
  float16: 2,
  bfloat16: 2,
  float64: 8,
  int64: 8,
  int32: 4,
  uint8: 1,
  bool: 1,
};

/** float16/bfloat16/float64 are converted into a new array, so their bytes can be read in place. */
function convertsOnRead(dtype: TensorDtype): boolean {
  return dtype === 'float16' || dtype === 'bfloat16' || dtype === 'float64';
}

/**
 * Decodes the first `numel` elements of `bytes` (the caller checks there are enough). `owned` says the
 * caller hands `bytes` over (a fresh copy, e.g. from unzipping), so float32 and integer data can become
 * the result without another copy; otherwise the result never shares memory with `bytes`.
 */
export function decodeElements(
  bytes: Uint8Array,
  dtype: TensorDtype,
  numel: number,
  order: ByteOrder,
  owned: boolean,
): TensorData {
  const itemSize = ELEMENT_SIZES[dtype];
  const swap = order !== HOST_BYTE_ORDER && itemSize > 1;
  const raw = bytes.subarray(0, numel * itemSize);
  const copy = raw.byteOffset % itemSize !== 0 || (!owned && (swap || !convertsOnRead(dtype)));
  const host = copy ? new Uint8Array(raw) : raw;
  if (swap) swapBytes(host, itemSize);
  const { buffer, byteOffset } = host;
  switch (dtype) {
    case 'float32':
      return new Float32Array(buffer, byteOffset, numel);
    case 'float16':
      return float16ToFloat32(new Uint16Array(buffer, byteOffset, numel));
    case 'bfloat16':
      return bfloat16ToFloat32(new Uint16Array(buffer, byteOffset, numel));
    case 'float64':
      return Float32Array.from(new Float64Array(buffer, byteOffset, numel));
    case 'int64':
      return new BigInt64Array(buffer, byteOffset, numel);
    case 'int32':
      return new Int32Array(buffer, byteOffset, numel);
    case 'uint8':
    case 'bool':
      return new Uint8Array(buffer, byteOffset, numel);
  }
}

function bytesOf(array: ArrayBufferView): Uint8Array {
  return new Uint8Array(array.buffer, array.byteOffset, array.byteLength);
}

/**
 * Encodes `data` as `dtype` elements into `out` (exactly `data.length * ELEMENT_SIZES[dtype]` bytes).
 * Float data narrows with round-to-nearest-even; bool is written as 0/1. The caller has checked that
 * `data` is the array type `dtype` is held in.
 */
export function encodeElements(data: TensorData, dtype: TensorDtype, out: Uint8Array, order: ByteOrder): void {
  switch (dtype) {
    case 'float32':
    case 'int64':
    case 'int32':
    case 'uint8':
      out.set(bytesOf(data));
      break;
    case 'float16':
      out.set(bytesOf(float32ToFloat16(data as Float32Array)));
      break;
    case 'bfloat16':
      out.set(bytesOf(float32ToBfloat16(data as Float32Array)));
      break;
    case 'float64':
      out.set(bytesOf(Float64Array.from(data as Float32Array)));
      break;
    case 'bool':
      for (let i = 0; i < data.length; i++) out[i] = (data as Uint8Array)[i] ? 1 : 0;
      break;
  }
  if (order !== HOST_BYTE_ORDER && ELEMENT_SIZES[dtype] > 1) swapBytes(out, ELEMENT_SIZES[dtype]);
}
