import * as tf from '@tensorflow/tfjs-core';
import { serialization } from '@tensorflow/tfjs-core';
import type { LayerVariable } from '@tensorflow/tfjs-layers';
import { hardswish } from './activations.js';
import type { BatchNorm } from './batch-norm.js';
import { linearBatchNorm } from './conv-bn-ops.js';
import { expectChannels, isTraining, singleInput, type Kwargs } from './layer-utils.js';
import { ModuleLayer, type LayerArgs } from './module-layer.js';
import { torchDefaultKernelInit } from './torch-init.js';

export interface LeViTMLPArgs extends LayerArgs {
  dim: number;
  /** Hidden width = mlpRatio · dim (2 in LeViT). */
  mlpRatio?: number;
}

/**
 * LeViT's MLP (the `m` of an MLP `Residual`): Linear_BN(C → rC), Hardswish, Linear_BN(rC → C) whose
 * BatchNorm starts with γ = 0. Weights: `0.c.weight`, `0.bn.*`, `2.c.weight`, `2.bn.*`.
 */
export class LeViTMLP extends ModuleLayer {
  static readonly className = 'LeViTMLP';
  readonly dim: number;
  readonly mlpRatio: number;
  readonly hiddenDim: number;
  private expandKernel!: LayerVariable;
  private expandBn!: BatchNorm;
  private reduceKernel!: LayerVariable;
  private reduceBn!: BatchNorm;

  constructor(args: LeViTMLPArgs) {
    super(args);
    // tfjs checks every input against this before `call`: (B, N, C) with the configured C.
    this.inputSpec = [{ ndim: 3, axes: { [-1]: args.dim } }];
    this.dim = args.dim;
    this.mlpRatio = args.mlpRatio ?? 2;
    this.hiddenDim = Math.trunc(this.dim * this.mlpRatio);
  }

  override build(inputShape: Array<number | null>): void {
    expectChannels(inputShape, this.dim, this.name);
    this.expandKernel = this.addTorchWeight('0.c.weight', [this.dim, this.hiddenDim], torchDefaultKernelInit(), true);
    this.expandBn = this.addBatchNorm('0.bn', this.hiddenDim);
    this.reduceKernel = this.addTorchWeight('2.c.weight', [this.hiddenDim, this.dim], torchDefaultKernelInit(), true);
    this.reduceBn = this.addBatchNorm('2.bn', this.dim, { gammaInit: 0 });
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const training = isTraining(kwargs);
      const hidden = hardswish(linearBatchNorm(singleInput(inputs, this.name), this.expandKernel, this.expandBn, training));
      return linearBatchNorm(hidden, this.reduceKernel, this.reduceBn, training);
    });
  }

  override getConfig(): serialization.ConfigDict {
    return { ...super.getConfig(), dim: this.dim, mlpRatio: this.mlpRatio };
  }
}
serialization.registerClass(LeViTMLP);
