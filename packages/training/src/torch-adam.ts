import * as tf from '@tensorflow/tfjs-core';
import { slotVariable, TorchOptimizerBase } from './torch-optimizer.js';

/** Options of `TorchAdam`, as `torch.optim.Adam`'s. */
export interface TorchAdamOptions {
  /** Default [0.9, 0.999]. */
  betas?: [number, number];
  /** Added to √v̂ after bias correction (default 1e-8). */
  eps?: number;
  /** PyTorch's coupled L2: g ← g + weightDecay·p before the moments (not AdamW). Default 0. */
  weightDecay?: number;
}

/**
 * `torch.optim.Adam` (amsgrad off): g ← g + wd·p; m ← β1·m + (1 − β1)·g; v ← β2·v + (1 − β2)·g²;
 * p ← p − lr/(1 − β1ᵗ) · m / (√v / √(1 − β2ᵗ) + eps), t counted per parameter. tfjs's own `adam` differs
 * (eps inside the bias correction, no weight decay), hence this one.
 */
export class TorchAdam extends TorchOptimizerBase {
  readonly kind = 'adam' as const;
  readonly beta1: number;
  readonly beta2: number;
  readonly eps: number;
  readonly weightDecay: number;

  constructor(variables: readonly tf.Variable[], options: TorchAdamOptions = {}) {
    super(variables);
    [this.beta1, this.beta2] = options.betas ?? [0.9, 0.999];
    this.eps = options.eps ?? 1e-8;
    this.weightDecay = options.weightDecay ?? 0;
    for (const [name, value, low, high] of [
      ['betas[0]', this.beta1, 0, 1],
      ['betas[1]', this.beta2, 0, 1],
    ] as const) {
      if (!(value >= low && value < high)) throw new Error(`TorchAdam: ${name} must be in [${low}, ${high}), got ${value}`);
    }
    if (!(this.eps >= 0)) throw new Error(`TorchAdam: eps must be >= 0, got ${this.eps}`);
    if (!(this.weightDecay >= 0)) throw new Error(`TorchAdam: weightDecay must be >= 0, got ${this.weightDecay}`);
  }

  get hyperparameters(): Record<string, number> {
    return { beta1: this.beta1, beta2: this.beta2, eps: this.eps, weightDecay: this.weightDecay };
  }

  protected update(variable: tf.Variable, grad: tf.Tensor, slot: { step: number; buffers: Record<string, tf.Variable> }, lr: number): void {
    if (!slot.buffers.exp_avg) {
      slot.buffers.exp_avg = slotVariable(tf.zerosLike(variable));
      slot.buffers.exp_avg_sq = slotVariable(tf.zerosLike(variable));
    }
    const { exp_avg: m, exp_avg_sq: v } = slot.buffers as { exp_avg: tf.Variable; exp_avg_sq: tf.Variable };
    const biasCorrection1 = 1 - this.beta1 ** slot.step;
    const biasCorrection2Sqrt = Math.sqrt(1 - this.beta2 ** slot.step);
    tf.tidy(() => {
      const g = this.weightDecay !== 0 ? tf.add(grad, tf.mul(variable, this.weightDecay)) : grad;
      m.assign(tf.add(tf.mul(m, this.beta1), tf.mul(g, 1 - this.beta1)));
      v.assign(tf.add(tf.mul(v, this.beta2), tf.mul(tf.square(g), 1 - this.beta2)));
      const denom = tf.add(tf.div(tf.sqrt(v), biasCorrection2Sqrt), this.eps);
      variable.assign(tf.sub(variable, tf.mul(tf.div(m, denom), lr / biasCorrection1)));
    });
  }
}
