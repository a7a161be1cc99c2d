/**
 * The common in-memory form of a set of named tensors, shared by the PyTorch and safetensors readers and
 * writers. Floats are widened to float32 (what the model computes in); the source dtype is kept so a
 * writer can store the tensor again as it came.
 */
import { quote } from './quote.js';

/** The dtype a tensor had in its file. */
export type TensorDtype = 'float32' | 'float16' | 'bfloat16' | 'float64' | 'int64' | 'int32' | 'uint8' | 'bool';

/** The typed arrays tensors are read into. */
export type TensorData = Float32Array | BigInt64Array | Int32Array | Uint8Array;

/** Where a tensor's data lives in its file (shared storages are views of one). */
export interface TensorStorageRef {
  /** Identifies the storage inside its file (a torch storage key such as `"12"`). */
  key: string;
  /** Offset of the tensor's first element in that storage, in elements. */
  offset: number;
}

/** One tensor read from a file: dtype, shape, data, and where it came from. */
export interface TensorEntry {
  /** The source dtype. float16/bfloat16 widen exactly; float64 is rounded to float32 (precision is lost). */
  dtype: TensorDtype;
  /** C-order shape; `[]` for a scalar. */
  shape: number[];
  /**
   * The values in C order: Float32Array for the float dtypes, BigInt64Array for int64, Int32Array for
   * int32, Uint8Array for uint8 and bool (0/1). It may be a view into a larger buffer shared with other
   * entries (aliased tensors share one array), so use `byteOffset`/`length`, and copy before mutating.
   */
  data: TensorData;
  /** Where the tensor lives in its file: entries with equal `key` share storage (PyTorch aliases). */
  storage?: TensorStorageRef;
}

/** Named tensors in file order (a Map keeps insertion order). */
export type TensorMap = Map<string, TensorEntry>;

/** Every dtype the readers accept. */
export const TENSOR_DTYPES: readonly TensorDtype[] = [
  'float32',
  'float16',
  'bfloat16',
  'float64',
  'int64',
  'int32',
  'uint8',
  'bool',
];

/** The typed array each dtype is held in. */
export function dataKindOf(dtype: TensorDtype): 'float32' | 'int64' | 'int32' | 'uint8' {
  switch (dtype) {
    case 'float32':
    case 'float16':
    case 'bfloat16':
    case 'float64':
      return 'float32';
    case 'int64':
      return 'int64';
    case 'int32':
      return 'int32';
    case 'uint8':
    case 'bool':
      return 'uint8';
  }
}

/** The number of elements of `shape` (1 for a scalar). */
export function elementCount(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** True for the objects the readers put where a tensor was (used to find tensors in an unpickled tree). */
export function isTensorEntry(value: unknown): value is TensorEntry {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Partial<TensorEntry>;
  return (
    typeof v.dtype === 'string' &&
    (TENSOR_DTYPES as readonly string[]).includes(v.dtype) &&
    Array.isArray(v.shape) &&
    ArrayBuffer.isView(v.data)
  );
}

/** Checks that `entry.data` has the array type and length its dtype and shape call for. */
export function assertTensorEntry(name: string, entry: TensorEntry): void {
  const kind = dataKindOf(entry.dtype);
  const expectedType = {
    float32: Float32Array,
    int64: BigInt64Array,
    int32: Int32Array,
    uint8: Uint8Array,
  }[kind];
  if (!(entry.data instanceof expectedType)) {
    throw new Error(
      `tensor ${quote(name)}: dtype ${entry.dtype} must hold its data in a ${expectedType.name}, got ${entry.data.constructor.name}`,
    );
  }
  for (const d of entry.shape) {
    if (!Number.isSafeInteger(d) || d < 0) {
      throw new Error(`tensor ${quote(name)}: shape [${entry.shape.join(', ')}] must be non-negative integers`);
    }
  }
  const n = elementCount(entry.shape);
  if (entry.data.length !== n) {
    throw new Error(
      `tensor ${quote(name)}: shape [${entry.shape.join(', ')}] needs ${n} elements but data has ${entry.data.length}`,
    );
  }
}

/**
 * int64 data (e.g. `attention_bias_idxs`) as an Int32Array, for TensorFlow.js which has no int64.
 * Throws if a value does not fit in int32 rather than wrapping silently.
 */
export function int64ToInt32(name: string, data: BigInt64Array): Int32Array {
  const out = new Int32Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const v = data[i]!;
    if (v > 2147483647n || v < -2147483648n) {
      throw new Error(`tensor ${quote(name)}: int64 value ${v} at index ${i} does not fit in int32`);
    }
    out[i] = Number(v);
  }
  return out;
}
