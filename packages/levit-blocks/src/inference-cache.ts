import * as tf from '@tensorflow/tfjs-core';

/** What an inference cache holds: named tensors derived from weights (a folded kernel and its bias, gathered biases). */
export type TensorRecord = Record<string, tf.Tensor>;

/**
 * Tensors derived from weights for inference (a BatchNorm folded into the kernel before it, the
 * gathered attention biases), computed on first use and reused while the weights stay the same, as
 * timm's `fuse()` does once. The key is the `dataId` of every source tensor: tfjs never changes the
 * data behind a dataId, and `Variable.assign` (setWeights, weight loading, optimizers, running-statistics
 * updates) gives the variable a new one, so an equal key means equal inputs.
 *
 * Under a gradient tape the tensors are computed afresh and not cached, so gradients still reach the
 * weights, and what was cached is freed. The owner frees the cached tensors with `dispose` (ModuleLayer does when tfjs frees its weights).
 */
export class InferenceCache<T extends TensorRecord> {
  private key: readonly object[] = [];
  private value: T | undefined;

  /** `compute()`, whose tensors depend only on `sources`; reused while every source keeps its data. */
  get(sources: readonly tf.Tensor[], compute: () => T): T {
    if (tf.engine().isTapeOn()) {
      // Training: the weights are about to change, and a batch-8 step of LeViT-UNet-384 needs nearly all of
      // wasm's 4 GB; free the folded copy (up to 200 MB) rather than hold it until the next validation.
      this.dispose();
      return compute();
    }
    if (this.value !== undefined && this.holds(sources)) return this.value;
    this.dispose();
    const value = tf.tidy(compute);
    // Kept, so that the caller's tf.tidy leaves them alone.
    for (const tensor of Object.values(value)) tf.keep(tensor);
    this.value = value;
    this.key = sources.map((source) => source.dataId);
    return value;
  }

  /** Frees the cached tensors; the next `get` computes them again. */
  dispose(): void {
    if (this.value !== undefined) tf.dispose(Object.values(this.value));
    this.value = undefined;
    this.key = [];
  }

  private holds(sources: readonly tf.Tensor[]): boolean {
    const value = this.value;
    return (
      value !== undefined &&
      sources.length === this.key.length &&
      sources.every((source, i) => source.dataId === this.key[i]) &&
      // Freed behind our back (a caller's tf.dispose, tf.engine().reset()): compute again.
      Object.values(value).every((tensor) => !tensor.isDisposed)
    );
  }
}
