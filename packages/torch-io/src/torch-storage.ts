/**
 * PyTorch storages and the tensor views onto them: which storage classes exist, and how a
 * (storage_offset, size, stride) view of a decoded storage becomes a C-order array.
 */
import type { ByteOrder } from './byte-order.js';
import type { ByteBudget } from './read-limits.js';
import { ELEMENT_SIZES } from './element-bytes.js';
import { elementCount, type TensorData, type TensorDtype } from './tensor-map.js';
import { quote } from './quote.js';

export interface StorageClass {
  dtype: TensorDtype;
  /** Bytes per element in the file. */
  itemSize: number;
}

/** The `torch.<Name>Storage` globals a state_dict pickle names, keyed by the global's name. */
export const STORAGE_CLASSES: ReadonlyMap<string, StorageClass> = new Map(
  (
    [
      ['FloatStorage', 'float32'],
      ['HalfStorage', 'float16'],
      ['BFloat16Storage', 'bfloat16'],
      ['DoubleStorage', 'float64'],
      ['LongStorage', 'int64'],
      ['IntStorage', 'int32'],
      ['ByteStorage', 'uint8'],
      ['BoolStorage', 'bool'],
    ] as const
  ).map(([name, dtype]) => [name, { dtype, itemSize: ELEMENT_SIZES[dtype] }]),
);

/** What a pickle's persistent id `('storage', torch.<Name>Storage, key, location, numel[, view])` names. */
export class TorchStorageRef {
  constructor(
    readonly className: string,
    readonly storageClass: StorageClass,
    /** The record name in the file (`data/<key>` in the zip format). */
    readonly key: string,
    /** Elements in the whole storage. */
    readonly numel: number,
    /** Legacy storage views: the slice [viewOffset, viewOffset + viewSize) of the storage, in elements. */
    readonly viewOffset: number,
    readonly viewSize: number,
  ) {}
}

/** A `torch._utils._rebuild_tensor_v2(storage, storage_offset, size, stride, ...)` call, not yet read. */
export class TorchTensorRef {
  constructor(
    readonly storage: TorchStorageRef,
    readonly storageOffset: number,
    readonly shape: number[],
    readonly stride: number[],
  ) {}
}

/**
 * Views larger than their storage come from stride-0 (expanded) tensors; each is capped so a crafted file
 * cannot make us allocate gigabytes, and all gathered views together are counted against maxBytes.
 */
const MAX_BROADCAST_ELEMENTS = 1 << 24;

function sameKindEmpty(storage: TensorData, length: number): TensorData {
  if (storage instanceof Float32Array) return new Float32Array(length);
  if (storage instanceof BigInt64Array) return new BigInt64Array(length);
  if (storage instanceof Int32Array) return new Int32Array(length);
  return new Uint8Array(length);
}

function isContiguous(shape: readonly number[], stride: readonly number[]): boolean {
  let expected = 1;
  for (let d = shape.length - 1; d >= 0; d--) {
    if (shape[d] !== 1 && stride[d] !== expected) return false;
    expected *= shape[d]!;
  }
  return true;
}

/**
 * The elements of a strided view in C order. A contiguous view is a `subarray` of the decoded storage
 * (no copy; aliases stay shared); any other view is gathered into a new array.
 * `describe` names the tensor in error messages.
 */
export function viewTensor(ref: TorchTensorRef, storage: TensorData, describe: string, budget?: ByteBudget): TensorData {
  const { shape, stride } = ref;
  const base = ref.storage.viewOffset + ref.storageOffset;
  const limit = ref.storage.viewOffset + ref.storage.viewSize;
  const n = elementCount(shape);
  const view = `offset ${ref.storageOffset}, shape [${shape.join(', ')}], stride [${stride.join(', ')}]`;
  if (n === 0) return sameKindEmpty(storage, 0);
  let last = base;
  for (let d = 0; d < shape.length; d++) last += (shape[d]! - 1) * stride[d]!;
  if (last >= limit || last >= storage.length) {
    throw new Error(
      `${describe} (${view}) reaches element ${last} of storage ${quote(ref.storage.key)}, which holds only ${Math.min(limit, storage.length)} elements`,
    );
  }
  if (isContiguous(shape, stride)) return storage.subarray(base, base + n);
  if (n > Math.max(ref.storage.viewSize, MAX_BROADCAST_ELEMENTS)) {
    throw new Error(
      `${describe} (${view}) has ${n} elements over a storage of ${ref.storage.viewSize}; broadcast views are limited to ${MAX_BROADCAST_ELEMENTS} elements`,
    );
  }
  budget?.take(n * storage.BYTES_PER_ELEMENT, `gathering ${describe.slice(describe.indexOf(': ') + 2)} (${view})`);
  const out = sameKindEmpty(storage, n);
  const rank = shape.length;
  const index = new Array<number>(rank).fill(0);
  let source = base;
  // Odometer over the C-order index, updating the source offset incrementally.
  for (let i = 0; i < n; i++) {
    (out as Float32Array)[i] = (storage as Float32Array)[source]!;
    for (let d = rank - 1; d >= 0; d--) {
      if (++index[d]! < shape[d]!) {
        source += stride[d]!;
        break;
      }
      source -= (shape[d]! - 1) * stride[d]!;
      index[d] = 0;
    }
  }
  return out;
}

/** A torch.save file after unpickling, before its tensors are read (the part both file formats share). */
export interface TorchFileContents {
  format: 'zip' | 'legacy';
  /** The unpickled object, holding TorchTensorRef where tensors were. */
  root: unknown;
  /** Every storage the pickle referenced, by key. */
  storages: Map<string, TorchStorageRef>;
  /** The raw bytes of each referenced storage, by key. */
  storageBytes: Map<string, Uint8Array>;
  byteOrder: ByteOrder;
  /** True when `storageBytes` are fresh copies that may become tensor data as they are. */
  ownsStorageBytes: boolean;
  /** How the file names a storage's record, for error messages. */
  recordName: (key: string) => string;
}
