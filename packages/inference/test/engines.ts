import { resize, type NdArray } from '@levit-unet/datasets';
import type { SegmentationEngine } from '../src/index.js';

/** One-hot logits (n, h, w, C) of label maps (n, h, w). */
export function oneHot(labels: ArrayLike<number>, numClasses: number): Float32Array {
  const out = new Float32Array(labels.length * numClasses);
  for (let p = 0; p < labels.length; p++) out[p * numClasses + labels[p]!] = 1;
  return out;
}

/**
 * A perfect engine: it is given the ground-truth volumes in the order they will be evaluated and answers each
 * slice it receives, in order, with the one-hot logits of that slice's ground truth resized to the input size
 * (order 0, the way TransUNet resizes labels). It records the batch sizes it saw.
 */
export class OracleEngine implements SegmentationEngine {
  readonly name = 'oracle';
  readonly batches: number[] = [];
  disposed = false;
  private next = 0;
  private readonly slices: Int32Array[] = [];

  constructor(
    readonly inputSize: readonly [number, number],
    readonly numClasses: number,
    truths: readonly NdArray[],
  ) {
    for (const truth of truths) {
      const [d, h, w] = truth.shape as [number, number, number];
      for (let z = 0; z < d; z++) {
        const slice = { data: Int32Array.from(truth.data.subarray(z * h * w, (z + 1) * h * w)), shape: [h, w] };
        this.slices.push(resize(slice, inputSize, { order: 0 }).data);
      }
    }
  }

  async predictLogits(images: Float32Array, n: number): Promise<Float32Array> {
    this.batches.push(n);
    if (images.length !== n * this.inputSize[0] * this.inputSize[1]) throw new Error('oracle: wrong input length');
    const labels = new Int32Array(n * this.inputSize[0] * this.inputSize[1]);
    for (let s = 0; s < n; s++) labels.set(this.slices[this.next++]!, s * this.inputSize[0] * this.inputSize[1]);
    return oneHot(labels, this.numClasses);
  }

  dispose(): void {
    this.disposed = true;
  }
}

/** An engine whose logits are a fixed function of each pixel: [0, 10x − 3, 20x − 12] (argmax: x<0.3 → 0, <0.9 → 1, else 2). */
export class ThresholdEngine implements SegmentationEngine {
  readonly name = 'threshold';
  readonly numClasses = 3;
  constructor(readonly inputSize: readonly [number, number]) {}

  async predictLogits(images: Float32Array): Promise<Float32Array> {
    const out = new Float32Array(images.length * 3);
    images.forEach((x, p) => out.set([0, 10 * x - 3, 20 * x - 12], p * 3));
    return out;
  }

  dispose(): void {}
}

/** The label the ThresholdEngine gives a value (closed form of its argmax). */
export function thresholdLabel(x: number): number {
  return x < 0.3 ? 0 : x < 0.9 ? 1 : 2;
}
