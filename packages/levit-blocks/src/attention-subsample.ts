import * as tf from '@tensorflow/tfjs-core';
import { serialization } from '@tensorflow/tfjs-core';
import type { LayerVariable } from '@tensorflow/tfjs-layers';
import { LeViTAttentionBase } from './attention-base.js';
import { subsampledResolution } from './attention-bias-index.js';
import { splitHeads } from './attention-core.js';
import type { BatchNorm } from './batch-norm.js';
import { linearBatchNorm } from './conv-bn-ops.js';
import type { LayerArgs } from './module-layer.js';
import { torchDefaultKernelInit } from './torch-init.js';

export interface LeViTAttentionSubsampleArgs extends LayerArgs {
  inDim: number;
  outDim: number;
  keyDim: number;
  numHeads: number;
  /** Value width per head = attnRatio · keyDim (4 in LeViT's shrink attention). */
  attnRatio?: number;
  stride?: number;
  /** Side of the input token grid. */
  resolution: number;
}

/**
 * LeViT's shrink attention `AttentionSubsample` (not residual): keys and values from every token,
 * queries from the tokens of the grid subsampled `[::stride, ::stride]`; the token grid shrinks from
 * resolution to (resolution − 1) // stride + 1 and the width changes from inDim to outDim.
 * kv = Linear_BN(inDim → H·(D + d)) per head [k (D), v (d)]; q = Linear_BN(inDim → H·D);
 * out = Linear_BN(hardswish(softmax(q·kᵀ·D^−½ + bias)·v)) → outDim.
 * Weights: `attention_biases`, `kv.c.weight`, `kv.bn.*`, `q.1.c.weight`, `q.1.bn.*`, `proj.1.c.weight`,
 * `proj.1.bn.*`.
 */
export class LeViTAttentionSubsample extends LeViTAttentionBase {
  static readonly className = 'LeViTAttentionSubsample';
  readonly inDim: number;
  readonly outDim: number;
  readonly resolutionOut: number;
  /** Token numbers of the subsampled grid: (y·stride)·resolution + x·stride. */
  readonly queryTokens: Int32Array;
  kvKernel!: LayerVariable;
  kvBn!: BatchNorm;
  qKernel!: LayerVariable;
  qBn!: BatchNorm;

  constructor(args: LeViTAttentionSubsampleArgs) {
    const { inDim, outDim, keyDim, numHeads, attnRatio, stride, resolution, ...layerArgs } = args;
    super(layerArgs, { inDim, outDim, keyDim, numHeads, attnRatio: attnRatio ?? 4, resolution, stride: stride ?? 2, projGammaInit: 1 });
    this.inDim = inDim;
    this.outDim = outDim;
    this.resolutionOut = subsampledResolution(this.resolution, this.stride);
    this.queryTokens = new Int32Array(this.resolutionOut * this.resolutionOut);
    let i = 0;
    for (let y = 0; y < this.resolution; y += this.stride) {
      for (let x = 0; x < this.resolution; x += this.stride) this.queryTokens[i++] = y * this.resolution + x;
    }
  }

  protected override buildInputProjections(): void {
    const nhKd = this.numHeads * this.keyDim;
    const dh = this.numHeads * this.valueDim;
    this.kvKernel = this.addTorchWeight('kv.c.weight', [this.inDim, nhKd + dh], torchDefaultKernelInit(), true);
    this.kvBn = this.addBatchNorm('kv.bn', nhKd + dh);
    this.qKernel = this.addTorchWeight('q.1.c.weight', [this.inDim, nhKd], torchDefaultKernelInit(), true);
    this.qBn = this.addBatchNorm('q.1.bn', nhKd);
  }

  protected override queryKeyValue(x: tf.Tensor, training: boolean) {
    const kv = splitHeads(linearBatchNorm(x, this.kvKernel, this.kvBn, training), this.numHeads);
    const [k, v] = tf.split(kv, [this.keyDim, this.valueDim], 3) as tf.Tensor4D[];
    const subsampled = tf.gather(x, tf.tensor1d(this.queryTokens, 'int32'), 1);
    const q = splitHeads(linearBatchNorm(subsampled, this.qKernel, this.qBn, training), this.numHeads);
    return { q, k, v };
  }

  override getConfig(): serialization.ConfigDict {
    return { ...super.getConfig(), inDim: this.inDim, outDim: this.outDim, stride: this.stride };
  }
}
serialization.registerClass(LeViTAttentionSubsample);
