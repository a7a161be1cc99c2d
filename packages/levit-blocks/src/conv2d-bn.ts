import * as tf from '@tensorflow/tfjs-core';
import { serialization } from '@tensorflow/tfjs-core';
import type { LayerVariable } from '@tensorflow/tfjs-layers';
import type { BatchNorm } from './batch-norm.js';
import { conv2dBatchNorm } from './conv-bn-ops.js';
import { isTraining, nhwcChannels, singleInput, type Kwargs } from './layer-utils.js';
import { ModuleLayer, type LayerArgs } from './module-layer.js';
import { torchDefaultKernelInit } from './torch-init.js';

export interface LeViTConv2dBNArgs extends LayerArgs {
  filters: number;
  kernelSize?: number;
  strides?: number;
  /** Zero padding on every side, as PyTorch's `padding=` (not TF's 'same'). */
  padding?: number;
  /** Initial BatchNorm γ (LeViT's `bn_weight_init`). */
  bnWeightInit?: number;
}

/**
 * LeViT's `Conv2d_BN`: a bias-free convolution then BatchNorm2d, on NHWC tensors. Weights:
 * `c.weight` (HWIO), `bn.{weight,bias,running_mean,running_var,num_batches_tracked}`.
 * In inference the BatchNorm is folded into the convolution.
 */
export class LeViTConv2dBN extends ModuleLayer {
  static readonly className = 'LeViTConv2dBN';
  readonly filters: number;
  readonly kernelSize: number;
  readonly strides: number;
  readonly padding: number;
  readonly bnWeightInit: number;
  private kernel!: LayerVariable;
  private bn!: BatchNorm;

  constructor(args: LeViTConv2dBNArgs) {
    super(args);
    this.filters = args.filters;
    this.kernelSize = args.kernelSize ?? 3;
    this.strides = args.strides ?? 1;
    this.padding = args.padding ?? (this.kernelSize - 1) / 2;
    this.bnWeightInit = args.bnWeightInit ?? 1;
  }

  override build(inputShape: Array<number | null>): void {
    const inChannels = nhwcChannels(inputShape, this.name);
    const k = this.kernelSize;
    this.kernel = this.addTorchWeight('c.weight', [k, k, inChannels, this.filters], torchDefaultKernelInit(), true);
    this.bn = this.addBatchNorm('bn', this.filters, { gammaInit: this.bnWeightInit });
    this.built = true;
  }

  override computeOutputShape(inputShape: Array<number | null>): Array<number | null> {
    const out = (size: number | null) =>
      size == null ? null : Math.floor((size + 2 * this.padding - this.kernelSize) / this.strides) + 1;
    return [inputShape[0], out(inputShape[1]), out(inputShape[2]), this.filters];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const x = singleInput(inputs, this.name) as tf.Tensor4D;
      return conv2dBatchNorm(x, this.kernel, this.bn, this.strides, this.padding, isTraining(kwargs));
    });
  }

  override getConfig(): serialization.ConfigDict {
    return {
      ...super.getConfig(),
      filters: this.filters,
      kernelSize: this.kernelSize,
      strides: this.strides,
      padding: this.padding,
      bnWeightInit: this.bnWeightInit,
    };
  }
}
serialization.registerClass(LeViTConv2dBN);
