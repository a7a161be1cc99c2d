import * as tf from '@tensorflow/tfjs-core';
import { serialization } from '@tensorflow/tfjs-core';
import type { LayerVariable } from '@tensorflow/tfjs-layers';
import {
  ModuleLayer,
  torchDefaultBiasInit,
  torchDefaultKernelInit,
  type LayerArgs,
  nhwcChannels,
  singleInput,
  type Kwargs,
} from '@levit-unet/levit-blocks';

/** Options of a `SegmentationHead`. */
export interface SegmentationHeadArgs extends LayerArgs {
  numClasses: number;
  kernelSize?: number;
  /** Bilinear (align_corners=True) upsampling after the convolution; 1 = none. */
  upsampling?: number;
}

/**
 * The official `SegmentationHead`: a k×k convolution with bias (padding k // 2) giving one logit per
 * class, then `UpsamplingBilinear2d(scale_factor=upsampling)`. Weights: `0.weight`, `0.bias`.
 */
export class SegmentationHead extends ModuleLayer {
  static readonly className = 'LeViTUNetSegmentationHead';
  readonly numClasses: number;
  readonly kernelSize: number;
  readonly upsampling: number;
  private kernel!: LayerVariable;
  private bias!: LayerVariable;

  constructor(args: SegmentationHeadArgs) {
    super(args);
    if (!Number.isInteger(args.numClasses) || args.numClasses < 1) {
      throw new Error(`SegmentationHead: numClasses must be a positive integer, got ${args.numClasses}`);
    }
    this.numClasses = args.numClasses;
    this.kernelSize = args.kernelSize ?? 3;
    this.upsampling = args.upsampling ?? 2;
  }

  override build(inputShape: Array<number | null>): void {
    const inChannels = nhwcChannels(inputShape, this.name);
    const k = this.kernelSize;
    const fanIn = inChannels * k * k;
    this.kernel = this.addTorchWeight('0.weight', [k, k, inChannels, this.numClasses], torchDefaultKernelInit(), true);
    this.bias = this.addTorchWeight('0.bias', [this.numClasses], torchDefaultBiasInit(fanIn), true);
    this.built = true;
  }

  override computeOutputShape(inputShape: Array<number | null>): Array<number | null> {
    const up = (size: number | null) => (size == null ? null : size * this.upsampling);
    return [inputShape[0], up(inputShape[1]), up(inputShape[2]), this.numClasses];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const x = singleInput(inputs, this.name) as tf.Tensor4D;
      const logits = tf.fused.conv2d({
        x,
        filter: this.kernel.read() as tf.Tensor4D,
        strides: 1,
        pad: Math.floor(this.kernelSize / 2),
        bias: this.bias.read(),
      });
      if (this.upsampling === 1) return logits;
      const [, h, w] = logits.shape;
      return tf.image.resizeBilinear(logits, [h * this.upsampling, w * this.upsampling], true);
    });
  }

  override getConfig(): serialization.ConfigDict {
    return { ...super.getConfig(), numClasses: this.numClasses, kernelSize: this.kernelSize, upsampling: this.upsampling };
  }
}
serialization.registerClass(SegmentationHead);
