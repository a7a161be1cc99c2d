import * as tf from '@tensorflow/tfjs-core';
import { serialization } from '@tensorflow/tfjs-core';
import type { LayerVariable } from '@tensorflow/tfjs-layers';
import { LeViTAttentionBase } from './attention-base.js';
import { splitHeads } from './attention-core.js';
import type { BatchNorm } from './batch-norm.js';
import { linearBatchNorm } from './conv-bn-ops.js';
import type { LayerArgs } from './module-layer.js';
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
 * Weights: `attention_biases`, `qkv.c.weight`, `qkv.bn.*`, `proj.1.c.weight`, `proj.1.bn.*`.
 */
export class LeViTAttention extends LeViTAttentionBase {
  static readonly className = 'LeViTAttention';
  readonly dim: number;
  qkvKernel!: LayerVariable;
  qkvBn!: BatchNorm;

  constructor(args: LeViTAttentionArgs) {
    const { dim, keyDim, numHeads, attnRatio, resolution, ...layerArgs } = args;
    super(layerArgs, { inDim: dim, outDim: dim, keyDim, numHeads, attnRatio: attnRatio ?? 2, resolution, stride: 1, projGammaInit: 0 });
    this.dim = dim;
  }

  protected override buildInputProjections(): void {
    const h = this.numHeads * (2 * this.keyDim + this.valueDim);
    this.qkvKernel = this.addTorchWeight('qkv.c.weight', [this.dim, h], torchDefaultKernelInit(), true);
    this.qkvBn = this.addBatchNorm('qkv.bn', h);
  }

  protected override queryKeyValue(x: tf.Tensor, training: boolean) {
    const qkv = splitHeads(linearBatchNorm(x, this.qkvKernel, this.qkvBn, training), this.numHeads);
    const [q, k, v] = tf.split(qkv, [this.keyDim, this.keyDim, this.valueDim], 3) as tf.Tensor4D[];
    return { q, k, v };
  }

  override getConfig(): serialization.ConfigDict {
    return { ...super.getConfig(), dim: this.dim };
  }
}
serialization.registerClass(LeViTAttention);
