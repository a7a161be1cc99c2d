import * as tf from '@tensorflow/tfjs-core';
import { initializers, type LayerVariable } from '@tensorflow/tfjs-layers';
import { batchNormTraining, type BatchNormActivation, type BatchStatistics } from './batch-norm-gradient.js';
import { InferenceCache } from './inference-cache.js';

/** PyTorch's BatchNorm defaults: eps 1e-5, momentum 0.1 (new = (1 − m)·running + m·batch). */
export const BN_EPSILON = 1e-5;
/** PyTorch's default BatchNorm momentum: running = (1 − 0.1)·running + 0.1·batch. */
export const BN_MOMENTUM = 0.1;

/** Options of a BatchNorm: initial γ, ε, momentum. */
export interface BatchNormOptions {
  /** Initial γ: 1, or 0 where LeViT zero-initialises the last BatchNorm of a residual branch. */
  gammaInit?: number;
  epsilon?: number;
  momentum?: number;
}

/** Creates one weight of a layer; `name` is the PyTorch state_dict suffix (`bn.weight`, ...). */
export type WeightAdder = (
  name: string,
  shape: number[],
  initializer: ReturnType<typeof initializers.zeros>,
  trainable: boolean,
  dtype?: 'float32' | 'int32',
) => LayerVariable;

/**
 * A BatchNorm over the last axis with PyTorch semantics, owned by the layer that holds it (the weights
 * are the layer's, named `<prefix>.weight`, `.bias`, `.running_mean`, `.running_var`,
 * `.num_batches_tracked` like a torch `BatchNorm1d/2d` state_dict).
 *
 * Training: normalise with the batch statistics (biased variance) and update the running statistics
 * with the unbiased variance, as `torch.nn.functional.batch_norm`. Inference: running statistics.
 */
export class BatchNorm {
  readonly gamma: LayerVariable;
  readonly beta: LayerVariable;
  readonly runningMean: LayerVariable;
  readonly runningVar: LayerVariable;
  readonly numBatchesTracked: LayerVariable;
  readonly epsilon: number;
  readonly momentum: number;
  /** The kernel this BatchNorm is folded into and its bias, for inference (see `foldInto`). */
  readonly inferenceCache = new InferenceCache<{ kernel: tf.Tensor; shift: tf.Tensor1D }>();

  constructor(add: WeightAdder, readonly channels: number, options: BatchNormOptions = {}) {
    this.epsilon = options.epsilon ?? BN_EPSILON;
    this.momentum = options.momentum ?? BN_MOMENTUM;
    this.gamma = add('weight', [channels], initializers.constant({ value: options.gammaInit ?? 1 }), true);
    this.beta = add('bias', [channels], initializers.zeros(), true);
    this.runningMean = add('running_mean', [channels], initializers.zeros(), false);
    this.runningVar = add('running_var', [channels], initializers.ones(), false);
    this.numBatchesTracked = add('num_batches_tracked', [], initializers.zeros(), false, 'int32');
  }

  /**
   * y = (x − μ) / √(σ² + ε) · γ + β, statistics over every axis but the last. Training uses the batch
   * statistics through one op with a closed-form gradient (`batchNormTraining`), optionally fused with
   * the ReLU that follows, and updates the running statistics.
   */
  apply(x: tf.Tensor, training: boolean, activation: BatchNormActivation = 'linear'): tf.Tensor {
    if (!training) {
      return tf.tidy(() => {
        const { scale, shift } = this.scaleShift();
        const y = tf.add(tf.mul(x, scale), shift);
        return activation === 'relu' ? tf.relu(y) : y;
      });
    }
    this.checkTrainingInput(x.shape);
    return batchNormTraining(x, this.gamma.read(), this.beta.read(), {
      epsilon: this.epsilon,
      activation,
      onStatistics: (statistics) => this.updateRunningStatistics(statistics),
    });
  }

  /** PyTorch refuses batch statistics from a single value per channel; so do we, with the input shape. */
  checkTrainingInput(shape: number[]): void {
    const count = shape.reduce((a, b) => a * b, 1) / this.channels;
    if (count <= 1) {
      throw new Error(`BatchNorm in training needs more than 1 value per channel, got input shape [${shape}] (as PyTorch)`);
    }
  }

  /** running = (1 − m)·running + m·batch, with the unbiased batch variance (σ²·n/(n − 1)), as torch. */
  updateRunningStatistics({ mean, variance, count }: BatchStatistics): void {
    tf.tidy(() => {
      const m = this.momentum;
      const unbiased = tf.mul(variance, count / (count - 1));
      this.runningMean.write(tf.add(tf.mul(this.runningMean.read(), 1 - m), tf.mul(mean, m)));
      this.runningVar.write(tf.add(tf.mul(this.runningVar.read(), 1 - m), tf.mul(unbiased, m)));
      this.numBatchesTracked.write(tf.add(this.numBatchesTracked.read(), tf.scalar(1, 'int32')));
    });
  }

  /** The inference transform as y = x·scale + shift: scale = γ/√(var + ε), shift = β − mean·scale. */
  scaleShift(): { scale: tf.Tensor1D; shift: tf.Tensor1D } {
    const scale = tf.mul(this.gamma.read(), tf.rsqrt(tf.add(this.runningVar.read(), this.epsilon))) as tf.Tensor1D;
    const shift = tf.sub(this.beta.read(), tf.mul(this.runningMean.read(), scale)) as tf.Tensor1D;
    return { scale, shift };
  }

  /**
   * This BatchNorm folded into the bias-free product before it (conv or linear, output channels on the
   * kernel's last axis): product(x, W)·s + t = product(x, W·s) + t. Computed once and reused while the
   * kernel, γ, β and the running statistics keep their data (`inferenceCache`).
   */
  foldInto(kernel: tf.Tensor): { kernel: tf.Tensor; shift: tf.Tensor1D } {
    const sources = [kernel, this.gamma.read(), this.beta.read(), this.runningMean.read(), this.runningVar.read()];
    return this.inferenceCache.get(sources, () => {
      const { scale, shift } = this.scaleShift();
      return { kernel: tf.mul(kernel, scale), shift };
    });
  }
}
