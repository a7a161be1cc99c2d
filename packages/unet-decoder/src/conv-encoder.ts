import { layers, type SymbolicTensor } from '@tensorflow/tfjs-layers';
import { torchDefaultKernelInit } from '@levit-unet/levit-blocks';
import type { Encoder } from './encoder.js';
import type { FeaturePyramid } from './feature-pyramid.js';

/** Options of `ConvEncoder`: channels per level and layer names. */
export interface ConvEncoderOptions {
  /** Channels per level; level i has stride 2^(i+1). Default [16, 32, 64, 128]. */
  channels?: number[];
  namePrefix?: string;
}

/**
 * A small ResNet-like CNN encoder made only of stock tfjs layers: per level a 3×3 stride-2
 * conv + BN + ReLU, then one basic residual block (two 3×3 conv + BN, identity shortcut).
 * A baseline to compare LeViT against, and a template for plugging any encoder into `UNetDecoder`.
 */
export class ConvEncoder implements Encoder {
  readonly pyramid: FeaturePyramid;
  private readonly prefix: string;

  constructor(options: ConvEncoderOptions = {}) {
    const channels = options.channels ?? [16, 32, 64, 128];
    this.pyramid = { strides: channels.map((_, i) => 2 ** (i + 1)), channels };
    this.prefix = options.namePrefix ?? 'conv_encoder';
  }

  /** The features of `input` at every level, finest first. */
  apply(input: SymbolicTensor): SymbolicTensor[] {
    const features: SymbolicTensor[] = [];
    let x = input;
    this.pyramid.channels.forEach((filters, level) => {
      const name = `${this.prefix}.${level}`;
      x = this.convBn(x, filters, 2, `${name}.down`, true);
      const branch = this.convBn(this.convBn(x, filters, 1, `${name}.block.0`, true), filters, 1, `${name}.block.1`, false);
      x = layers.reLU({ name: `${name}.out` }).apply(layers.add({ name: `${name}.add` }).apply([x, branch])) as SymbolicTensor;
      features.push(x);
    });
    return features;
  }

  private convBn(x: SymbolicTensor, filters: number, strides: number, name: string, relu: boolean): SymbolicTensor {
    let y = layers
      // PyTorch's nn.Conv2d init, seeded by a `withInitSeed` scope (tfjs's default glorot draws are not).
      .conv2d({ filters, kernelSize: 3, strides, padding: 'same', useBias: false, kernelInitializer: torchDefaultKernelInit(), name: `${name}.conv` })
      .apply(x) as SymbolicTensor;
    y = layers.batchNormalization({ name: `${name}.bn` }).apply(y) as SymbolicTensor;
    return relu ? (layers.reLU({ name: `${name}.relu` }).apply(y) as SymbolicTensor) : y;
  }
}
