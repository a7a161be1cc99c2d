/**
 * One training batch as typed arrays (what `@levit-unet/datasets`' batch iterators yield): images
 * float32 `(B, H, W)` or NHWC `(B, H, W, C)` in row-major order, labels int32 `(B, H, W)`.
 */
export interface TrainBatch {
  images: Float32Array;
  labels: Int32Array;
  labelShape: readonly [number, number, number];
}
