/** What evaluation and prediction run a 2-D segmentation network through (tfjs or onnxruntime). */
export interface SegmentationEngine {
  /** 'tfjs' or 'onnxruntime'. */
  readonly name: string;
  /** The network's input (height, width), e.g. [224, 224]. */
  readonly inputSize: readonly [number, number];
  readonly numClasses: number;
  /** Logits of n single-channel images: images is (n, h, w) float32 row-major; returns (n, h, w, numClasses) float32 (NHWC). */
  predictLogits(images: Float32Array, n: number): Promise<Float32Array>;
  /** Releases the model/session. */
  dispose(): Promise<void> | void;
}
