import * as tf from '@tensorflow/tfjs-core';
import { serialization } from '@tensorflow/tfjs-core';
import { initializers, type LayerVariable } from '@tensorflow/tfjs-layers';
import { attentionBiasIndex, type AttentionBiasIndex } from './attention-bias-index.js';
import { attendAndProject, expectTokenGrid, gatherAttentionBias } from './attention-core.js';
import type { BatchNorm } from './batch-norm.js';
import { expectChannels, isTraining, singleInput, type Kwargs } from './layer-utils.js';
import { ModuleLayer, type LayerArgs } from './module-layer.js';
import { torchDefaultKernelInit } from './torch-init.js';

/** What both LeViT attentions are made of: widths, heads, the token grid and its bias table. */
export interface AttentionGeometry {
  inDim: number;
  outDim: number;
  keyDim: number;
  numHeads: number;
  attnRatio: number;
  resolution: number;
  /** Query subsampling (1: every token queries, as in `Attention`). */
  stride: number;
  /** γ of the output projection's BatchNorm at initialisation (0 in residual attention blocks). */
  projGammaInit: number;
}

/**
 * The common part of LeViT's `Attention` and `AttentionSubsample`: `attention_biases` gathered by
 * `attention_bias_idxs`, `softmax(q·kᵀ·D^−½ + bias)·v`, hardswish and the `proj` Linear_BN. Subclasses
 * add their input projections (`qkv`, or `kv` and `q`) in `buildInputProjections` and produce the heads
 * in `queryKeyValue`.
 */
export abstract class LeViTAttentionBase extends ModuleLayer {
  readonly keyDim: number;
  readonly numHeads: number;
  readonly attnRatio: number;
  readonly resolution: number;
  readonly stride: number;
  readonly scale: number;
  readonly valueDim: number;
  readonly biasIndex: AttentionBiasIndex;
  protected readonly geometry: AttentionGeometry;
  biases!: LayerVariable;
  projKernel!: LayerVariable;
  projBn!: BatchNorm;
  /** `attention_biases[:, attention_bias_idxs]` for inference, gathered once per bias table. */
  private readonly biasCache = this.addInferenceCache<{ bias: tf.Tensor3D }>();

  protected constructor(args: LayerArgs, geometry: AttentionGeometry) {
    super(args);
    // tfjs checks every input against this before `call`: (B, N, C) with the configured C.
    this.inputSpec = [{ ndim: 3, axes: { [-1]: geometry.inDim } }];
    this.geometry = geometry;
    this.keyDim = geometry.keyDim;
    this.numHeads = geometry.numHeads;
    this.attnRatio = geometry.attnRatio;
    this.resolution = geometry.resolution;
    this.stride = geometry.stride;
    this.scale = geometry.keyDim ** -0.5;
    this.valueDim = Math.trunc(geometry.attnRatio * geometry.keyDim);
    this.biasIndex = attentionBiasIndex(geometry.resolution, geometry.stride);
  }

  /** Adds the input projections' weights, in the official module's registration order. */
  protected abstract buildInputProjections(): void;

  /** The (B, H, Nq, D) queries and (B, H, Nk, D | d) keys and values of tokens `x`. */
  protected abstract queryKeyValue(x: tf.Tensor, training: boolean): { q: tf.Tensor4D; k: tf.Tensor4D; v: tf.Tensor4D };

  override build(inputShape: Array<number | null>): void {
    const { inDim, outDim, projGammaInit } = this.geometry;
    expectChannels(inputShape, inDim, this.name);
    // Registration order of the official modules: their own attention_biases first, then the sub-modules.
    this.biases = this.addTorchWeight('attention_biases', [this.numHeads, this.biasIndex.numOffsets], initializers.zeros(), true);
    this.buildInputProjections();
    this.projKernel = this.addTorchWeight('proj.1.c.weight', [this.numHeads * this.valueDim, outDim], torchDefaultKernelInit(), true);
    this.projBn = this.addBatchNorm('proj.1.bn', outDim, { gammaInit: projGammaInit });
    this.built = true;
  }

  override computeOutputShape(inputShape: Array<number | null>): Array<number | null> {
    return [inputShape[0], this.biasIndex.numQueries, this.geometry.outDim];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const x = singleInput(inputs, this.name);
      expectTokenGrid(x, this.biasIndex, this.resolution, this.name);
      const training = isTraining(kwargs);
      const proj = { kernel: this.projKernel, bn: this.projBn };
      const gather = () => gatherAttentionBias(this.biases, this.biasIndex);
      const bias = training ? gather() : this.biasCache.get([this.biases.read()], () => ({ bias: gather() })).bias;
      return attendAndProject(this.queryKeyValue(x, training), bias, this.scale, proj, training);
    });
  }

  override getConfig(): serialization.ConfigDict {
    return { ...super.getConfig(), keyDim: this.keyDim, numHeads: this.numHeads, attnRatio: this.attnRatio, resolution: this.resolution };
  }
}
