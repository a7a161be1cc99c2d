import * as tf from '@tensorflow/tfjs-core';
import { serialization } from '@tensorflow/tfjs-core';
import { initializers, type LayerVariable } from '@tensorflow/tfjs-layers';
import { attentionBiasIndex, type AttentionBiasIndex } from './attention-bias-index.js';
import { attendAndProject, expectTokenGrid, splitHeads } from './attention-core.js';
import type { BatchNorm } from './batch-norm.js';
import { linearBatchNorm } from './conv-bn-ops.js';
import { expectChannels, isTraining, singleInput, type Kwargs } from './layer-utils.js';
import { ModuleLayer, type LayerArgs } from './module-layer.js';
import { torchDefaultKernelInit } from './torch-init.js';

export interface LeViTAttentionArgs extends LayerArgs {
  /** Token width C (input and output). */
  dim: number;
  keyDim: number;
  numHeads: number;
  /** Value width per head = attnRatio · keyDim (2 in LeViT's attention blocks). */
  attnRatio?: number;
  /** Side of the token grid; the bias table is built for resolution² tokens. */
  resolution: number;
}

/**
 * LeViT's `Attention` (the `m` of an attention `Residual`), on tokens (B, resolution², C).
 * qkv = Linear_BN(C → H·(2D + d)), per head [q (D), k (D), v (d)];
 * attn = softmax(q·kᵀ·D^−½ + attention_biases[:, attention_bias_idxs]);
 * out = Linear_BN(hardswish(attn·v)), whose BatchNorm starts with γ = 0.
 * Weights: `qkv.c.weight`, `qkv.bn.*`, `proj.1.c.weight`, `proj.1.bn.*`, `attention_biases`.
 */
export class LeViTAttention extends ModuleLayer {
  static readonly className = 'LeViTAttention';
  readonly dim: number;
  readonly keyDim: number;
  readonly numHeads: number;
  readonly attnRatio: number;
  readonly resolution: number;
  readonly scale: number;
  readonly valueDim: number;
  readonly biasIndex: AttentionBiasIndex;
  private qkvKernel!: LayerVariable;
  private qkvBn!: BatchNorm;
  private projKernel!: LayerVariable;
  private projBn!: BatchNorm;
  private biases!: LayerVariable;

  constructor(args: LeViTAttentionArgs) {
    super(args);
    // tfjs checks every input against this before `call`: (B, N, C) with the configured C.
    this.inputSpec = [{ ndim: 3, axes: { [-1]: args.dim } }];
    this.dim = args.dim;
    this.keyDim = args.keyDim;
    this.numHeads = args.numHeads;
    this.attnRatio = args.attnRatio ?? 2;
    this.resolution = args.resolution;
    this.scale = args.keyDim ** -0.5;
    this.valueDim = Math.trunc(this.attnRatio * this.keyDim);
    this.biasIndex = attentionBiasIndex(this.resolution);
  }

  override build(inputShape: Array<number | null>): void {
    expectChannels(inputShape, this.dim, this.name);
    const h = this.numHeads * (2 * this.keyDim + this.valueDim);
    const dh = this.numHeads * this.valueDim;
    // Registration order of the official module: its own attention_biases first, then the sub-modules.
    this.biases = this.addTorchWeight(
      'attention_biases',
      [this.numHeads, this.biasIndex.numOffsets],
      initializers.zeros(),
      true,
    );
    this.qkvKernel = this.addTorchWeight('qkv.c.weight', [this.dim, h], torchDefaultKernelInit(), true);
    this.qkvBn = this.addBatchNorm('qkv.bn', h);
    this.projKernel = this.addTorchWeight('proj.1.c.weight', [dh, this.dim], torchDefaultKernelInit(), true);
    this.projBn = this.addBatchNorm('proj.1.bn', this.dim, { gammaInit: 0 });
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const x = singleInput(inputs, this.name);
      expectTokenGrid(x, this.biasIndex, this.resolution, this.name);
      const training = isTraining(kwargs);
      const qkv = splitHeads(linearBatchNorm(x, this.qkvKernel, this.qkvBn, training), this.numHeads);
      const [q, k, v] = tf.split(qkv, [this.keyDim, this.keyDim, this.valueDim], 3) as tf.Tensor4D[];
      const proj = { kernel: this.projKernel, bn: this.projBn };
      return attendAndProject({ q, k, v }, this.biases, this.biasIndex, this.scale, proj, training);
    });
  }

  override getConfig(): serialization.ConfigDict {
    return {
      ...super.getConfig(),
      dim: this.dim,
      keyDim: this.keyDim,
      numHeads: this.numHeads,
      attnRatio: this.attnRatio,
      resolution: this.resolution,
    };
  }
}
serialization.registerClass(LeViTAttention);
