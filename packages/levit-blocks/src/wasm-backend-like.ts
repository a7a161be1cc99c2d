import type { backend_util, DataType, TensorInfo } from '@tensorflow/tfjs-core';

/** A tensor's data as a view on the wasm heap (bool is one byte per element there). */
export type HeapArray = Float32Array | Int32Array | Uint8Array;

/** The methods of tfjs-backend-wasm's BackendWasm that our wasm kernels use (its class is not imported here). */
export interface WasmBackendLike {
  readSync(dataId: object): backend_util.BackendValues;
  makeOutput(shape: number[], dtype: DataType, memoryOffset?: number, values?: backend_util.BackendValues): TensorInfo;
  incRef(dataId: object): void;
  typedArrayFromHeap(info: TensorInfo): HeapArray;
}
