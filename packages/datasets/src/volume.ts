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

/** One volume of a dataset, preprocessed as for training: what evaluation and volume-based training read. */
export interface VolumeCase {
  readonly name: string;
  /** (D, H, W) float32, preprocessed as for training (e.g. CT window → [0, 1]). */
  readonly image: NdArray<Float32Array>;
  /** (D, H, W) integer labels in [0, numClasses). */
  readonly label: NdArray;
  /** Voxel size in mm along (D, H, W), when the file says. */
  readonly spacingMm?: readonly number[];
}
