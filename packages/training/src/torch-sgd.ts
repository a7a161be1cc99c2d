import * as tf from '@tensorflow/tfjs-core';
import { slotVariable, TorchOptimizerBase } from './torch-optimizer.js';

/** Options of `TorchSGD`, as `torch.optim.SGD`'s. */
export interface TorchSGDOptions {
  /** Default 0 (plain SGD, no buffer); TransUNet uses 0.9. */
  momentum?: number;
  /** Default 0. */
  dampening?: number;
  nesterov?: boolean;
  /** PyTorch's coupled L2: g ← g + weightDecay·p. Default 0. */
  weightDecay?: number;
}

/**
 * `torch.optim.SGD`: g ← g + wd·p; with momentum, buf ← g on a parameter's first step, else
 * buf ← momentum·buf + (1 − dampening)·g, and g ← buf (or g + momentum·buf with nesterov);
 * p ← p − lr·g. (tfjs's `momentum` optimizer scales differently and has no weight decay.)
 */
export class TorchSGD extends TorchOptimizerBase {
  readonly kind = 'sgd' as const;
  readonly momentum: number;
  readonly dampening: number;
  readonly nesterov: boolean;
  readonly weightDecay: number;

  constructor(variables: readonly tf.Variable[], options: TorchSGDOptions = {}) {
    super(variables);
    this.momentum = options.momentum ?? 0;
    this.dampening = options.dampening ?? 0;
    this.nesterov = options.nesterov ?? false;
    this.weightDecay = options.weightDecay ?? 0;
    if (!(this.momentum >= 0)) throw new Error(`TorchSGD: momentum must be >= 0, got ${this.momentum}`);
    if (!(this.weightDecay >= 0)) throw new Error(`TorchSGD: weightDecay must be >= 0, got ${this.weightDecay}`);
    if (this.nesterov && (this.momentum <= 0 || this.dampening !== 0)) {
      throw new Error('TorchSGD: nesterov needs momentum > 0 and dampening 0 (as PyTorch)');
    }
  }

  get hyperparameters(): Record<string, number | boolean> {
    return { momentum: this.momentum, dampening: this.dampening, nesterov: this.nesterov, weightDecay: this.weightDecay };
  }

  protected update(variable: tf.Variable, grad: tf.Tensor, slot: { step: number; buffers: Record<string, tf.Variable> }, lr: number): void {
    tf.tidy(() => {
      let g = this.weightDecay !== 0 ? tf.add(grad, tf.mul(variable, this.weightDecay)) : grad;
      if (this.momentum !== 0) {
        const buf = slot.buffers.momentum_buffer;
        if (!buf) {
          slot.buffers.momentum_buffer = slotVariable(tf.clone(g));
        } else {
          buf.assign(tf.add(tf.mul(buf, this.momentum), this.dampening !== 0 ? tf.mul(g, 1 - this.dampening) : g));
        }
        const momentumBuffer = slot.buffers.momentum_buffer!;
        g = this.nesterov ? tf.add(g, tf.mul(momentumBuffer, this.momentum)) : momentumBuffer;
      }
      variable.assign(tf.sub(variable, tf.mul(g, lr)));
    });
  }
}
