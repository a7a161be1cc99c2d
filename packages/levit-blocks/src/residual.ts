import * as tf from '@tensorflow/tfjs-core';
import { serialization } from '@tensorflow/tfjs-core';
import { layers } from '@tensorflow/tfjs-layers';
import type { LayerArgs } from './module-layer.js';
import { isTraining, type Kwargs } from './layer-utils.js';

export interface LeViTResidualArgs extends LayerArgs {
  /** Drop-path (stochastic depth) probability; 0 disables it. */
  dropPath?: number;
}

/**
 * LeViT's `Residual` as a two-input layer: [x, m(x)] → x + m(x), where in training each sample's branch
 * is kept with probability 1 − p and then scaled by 1/(1 − p) (`rand(B,1,1).ge_(p).div(1 − p)`).
 * At inference it is a plain sum.
 */
export class LeViTResidual extends layers.Layer {
  static readonly className = 'LeViTResidual';
  readonly dropPath: number;
  /** Uniform [0, 1) numbers for the keep masks (set by `seedDropPath`); null: tfjs's unseeded randomUniform. */
  dropPathRandom: (() => number) | null = null;

  constructor(args: LeViTResidualArgs = {}) {
    super(args);
    this.dropPath = args.dropPath ?? 0;
    if (!(this.dropPath >= 0 && this.dropPath < 1)) {
      throw new Error(`Residual dropPath must be in [0, 1), got ${args.dropPath}`);
    }
  }

  override computeOutputShape(inputShape: Array<Array<number | null>>): Array<number | null> {
    return inputShape[0];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    if (!Array.isArray(inputs) || inputs.length !== 2) {
      throw new Error(`layer ${this.name} expects [x, branch(x)], got ${Array.isArray(inputs) ? inputs.length : 1} input(s)`);
    }
    const [x, branch] = inputs;
    return tf.tidy(() => {
      if (!isTraining(kwargs) || this.dropPath === 0) return tf.add(x, branch);
      const keepShape = [x.shape[0], ...x.shape.slice(1).map(() => 1)];
      const random = this.dropPathRandom;
      // The seeded mask is the onnxruntime trainer's formula (u ≥ p → 1/(1 − p), else 0).
      const keep = random
        ? tf.tensor(Float32Array.from({ length: x.shape[0]! }, () => (random() >= this.dropPath ? 1 / (1 - this.dropPath) : 0)), keepShape)
        : tf.div(tf.cast(tf.greaterEqual(tf.randomUniform(keepShape), this.dropPath), 'float32'), 1 - this.dropPath);
      return tf.add(x, tf.mul(branch, keep));
    });
  }

  override getConfig(): serialization.ConfigDict {
    return { ...super.getConfig(), dropPath: this.dropPath };
  }
}
serialization.registerClass(LeViTResidual);
