import * as tf from '@tensorflow/tfjs-core';
import { serialization } from '@tensorflow/tfjs-core';
import { initializers, type LayerVariable } from '@tensorflow/tfjs-layers';
import { attentionBiasIndex, subsampledResolution, type AttentionBiasIndex } from './attention-bias-index.js';
import { attendAndProject, expectTokenGrid, splitHeads } from './attention-core.js';
import type { BatchNorm } from './batch-norm.js';
import { linearBatchNorm } from './conv-bn-ops.js';
import { expectChannels, isTraining, singleInput, type Kwargs } from './layer-utils.js';
import { ModuleLayer, type LayerArgs } from './module-layer.js';
import { torchDefaultKernelInit } from './torch-init.js';

export interface AttentionSubsampleArgs extends LayerArgs {
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
 * Weights: `kv.c.weight`, `kv.bn.*`, `q.1.c.weight`, `q.1.bn.*`, `proj.1.c.weight`, `proj.1.bn.*`,
 * `attention_biases`.
 */
export class AttentionSubsample extends ModuleLayer {
  static readonly className = 'LeViTAttentionSubsample';
  readonly inDim: number;
  readonly outDim: number;
  readonly keyDim: number;
  readonly numHeads: number;
  readonly attnRatio: number;
  readonly stride: number;
  readonly resolution: number;
  readonly resolutionOut: number;
  readonly scale: number;
  readonly valueDim: number;
  readonly biasIndex: AttentionBiasIndex;
  /** Token numbers of the subsampled grid: (y·stride)·resolution + x·stride. */
  private readonly queryTokens: Int32Array;
  private kvKernel!: LayerVariable;
  private kvBn!: BatchNorm;
  private qKernel!: LayerVariable;
  private qBn!: BatchNorm;
  private projKernel!: LayerVariable;
  private projBn!: BatchNorm;
  private biases!: LayerVariable;

  constructor(args: AttentionSubsampleArgs) {
    super(args);
    // tfjs checks every input against this before `call`: (B, N, C) with the configured C.
    this.inputSpec = [{ ndim: 3, axes: { [-1]: args.inDim } }];
    this.inDim = args.inDim;
    this.outDim = args.outDim;
    this.keyDim = args.keyDim;
    this.numHeads = args.numHeads;
    this.attnRatio = args.attnRatio ?? 4;
    this.stride = args.stride ?? 2;
    this.resolution = args.resolution;
    this.resolutionOut = subsampledResolution(this.resolution, this.stride);
    this.scale = args.keyDim ** -0.5;
    this.valueDim = Math.trunc(this.attnRatio * this.keyDim);
    this.biasIndex = attentionBiasIndex(this.resolution, this.stride);
    this.queryTokens = new Int32Array(this.resolutionOut * this.resolutionOut);
    let i = 0;
    for (let y = 0; y < this.resolution; y += this.stride) {
      for (let x = 0; x < this.resolution; x += this.stride) this.queryTokens[i++] = y * this.resolution + x;
    }
  }

  override build(inputShape: Array<number | null>): void {
    expectChannels(inputShape, this.inDim, this.name);
    const nhKd = this.numHeads * this.keyDim;
    const dh = this.numHeads * this.valueDim;
    // Registration order of the official module: its own attention_biases first, then the sub-modules.
    this.biases = this.addTorchWeight(
      'attention_biases',
      [this.numHeads, this.biasIndex.numOffsets],
      initializers.zeros(),
      true,
    );
    this.kvKernel = this.addTorchWeight('kv.c.weight', [this.inDim, nhKd + dh], torchDefaultKernelInit(), true);
    this.kvBn = this.addBatchNorm('kv.bn', nhKd + dh);
    this.qKernel = this.addTorchWeight('q.1.c.weight', [this.inDim, nhKd], torchDefaultKernelInit(), true);
    this.qBn = this.addBatchNorm('q.1.bn', nhKd);
    this.projKernel = this.addTorchWeight('proj.1.c.weight', [dh, this.outDim], torchDefaultKernelInit(), true);
    this.projBn = this.addBatchNorm('proj.1.bn', this.outDim);
    this.built = true;
  }

  override computeOutputShape(inputShape: Array<number | null>): Array<number | null> {
    return [inputShape[0], this.biasIndex.numQueries, this.outDim];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const x = singleInput(inputs, this.name);
      expectTokenGrid(x, this.biasIndex, this.resolution, this.name);
      const training = isTraining(kwargs);
      const kv = splitHeads(linearBatchNorm(x, this.kvKernel, this.kvBn, training), this.numHeads);
      const [k, v] = tf.split(kv, [this.keyDim, this.valueDim], 3) as tf.Tensor4D[];
      const subsampled = tf.gather(x, tf.tensor1d(this.queryTokens, 'int32'), 1);
      const q = splitHeads(linearBatchNorm(subsampled, this.qKernel, this.qBn, training), this.numHeads);
      const proj = { kernel: this.projKernel, bn: this.projBn };
      return attendAndProject({ q, k, v }, this.biases, this.biasIndex, this.scale, proj, training);
    });
  }

  override getConfig(): serialization.ConfigDict {
    return {
      ...super.getConfig(),
      inDim: this.inDim,
      outDim: this.outDim,
      keyDim: this.keyDim,
      numHeads: this.numHeads,
      attnRatio: this.attnRatio,
      stride: this.stride,
      resolution: this.resolution,
    };
  }
}
serialization.registerClass(AttentionSubsample);
