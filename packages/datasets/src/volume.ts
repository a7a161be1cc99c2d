/** Typed arrays a volume can hold (NIfTI, npy and HDF5 dtypes widened where JS has no exact type). */
export type TypedArray =
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | Float32Array
  | Float64Array;

/** An n-d array in C order (last axis fastest). */
export interface NdArray<T extends TypedArray = TypedArray> {
  data: T;
  shape: number[];
}
