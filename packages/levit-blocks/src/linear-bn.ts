import * as tf from '@tensorflow/tfjs-core';
import { serialization } from '@tensorflow/tfjs-core';
import type { LayerVariable } from '@tensorflow/tfjs-layers';
import type { BatchNorm } from './batch-norm.js';
import { linearBatchNorm } from './conv-bn-ops.js';
import { isTraining, singleInput, type Kwargs } from './layer-utils.js';
import { ModuleLayer, type LayerArgs } from './module-layer.js';
import { torchDefaultKernelInit } from './torch-init.js';

export interface LeViTLinearBNArgs extends LayerArgs {
  units: number;
  bnWeightInit?: number;
}

/**
 * LeViT's `Linear_BN`: a bias-free linear map then BatchNorm1d over the tokens flattened to (B·N, C).
 * Input (B, N, C) or (B, C). Weights: `c.weight` ([in, out]), `bn.*`.
 */
export class LeViTLinearBN extends ModuleLayer {
  static readonly className = 'LeViTLinearBN';
  readonly units: number;
  readonly bnWeightInit: number;
  private kernel!: LayerVariable;
  private bn!: BatchNorm;

  constructor(args: LeViTLinearBNArgs) {
    super(args);
    this.units = args.units;
    this.bnWeightInit = args.bnWeightInit ?? 1;
  }

  override build(inputShape: Array<number | null>): void {
    const inDim = inputShape[inputShape.length - 1];
    if (inDim == null) throw new Error(`layer ${this.name}: the last input axis must be known, got [${inputShape}]`);
    this.kernel = this.addTorchWeight('c.weight', [inDim, this.units], torchDefaultKernelInit(), true);
    this.bn = this.addBatchNorm('bn', this.units, { gammaInit: this.bnWeightInit });
    this.built = true;
  }

  override computeOutputShape(inputShape: Array<number | null>): Array<number | null> {
    return [...inputShape.slice(0, -1), this.units];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => linearBatchNorm(singleInput(inputs, this.name), this.kernel, this.bn, isTraining(kwargs)));
  }

  override getConfig(): serialization.ConfigDict {
    return { ...super.getConfig(), units: this.units, bnWeightInit: this.bnWeightInit };
  }
}
serialization.registerClass(LeViTLinearBN);
