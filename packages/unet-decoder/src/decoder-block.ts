import * as tf from '@tensorflow/tfjs-core';
import { serialization } from '@tensorflow/tfjs-core';
import type { LayerVariable } from '@tensorflow/tfjs-layers';
import {
  conv2dBatchNorm,
  ModuleLayer,
  torchDefaultKernelInit,
  type BatchNorm,
  type LayerArgs,
  isTraining,
  nhwcChannels,
  singleInput,
  type Kwargs,
} from '@levit-unet/levit-blocks';

/** Options of a `DecoderBlock`. */
export interface DecoderBlockArgs extends LayerArgs {
  outChannels: number;
  /** Upsampling factor before the convolutions (bilinear, align_corners=True). */
  scale?: number;
}

/**
 * The official LeViT-UNet / TransUNet `DecoderBlock`: bilinear ×2 upsampling with align_corners=True
 * (`nn.UpsamplingBilinear2d`), then twice [3×3 conv without bias, BatchNorm, ReLU]. The skip is
 * concatenated by the caller *before* the block, as the official forward does.
 * Weights: `conv1.0.weight`, `conv1.1.*` (BN), `conv2.0.weight`, `conv2.1.*`.
 */
export class DecoderBlock extends ModuleLayer {
  static readonly className = 'LeViTUNetDecoderBlock';
  readonly outChannels: number;
  readonly scale: number;
  private kernel1!: LayerVariable;
  private bn1!: BatchNorm;
  private kernel2!: LayerVariable;
  private bn2!: BatchNorm;

  constructor(args: DecoderBlockArgs) {
    super(args);
    this.outChannels = args.outChannels;
    this.scale = args.scale ?? 2;
  }

  override build(inputShape: Array<number | null>): void {
    const inChannels = nhwcChannels(inputShape, this.name);
    const out = this.outChannels;
    this.kernel1 = this.addTorchWeight('conv1.0.weight', [3, 3, inChannels, out], torchDefaultKernelInit(), true);
    this.bn1 = this.addBatchNorm('conv1.1', out);
    this.kernel2 = this.addTorchWeight('conv2.0.weight', [3, 3, out, out], torchDefaultKernelInit(), true);
    this.bn2 = this.addBatchNorm('conv2.1', out);
    this.built = true;
  }

  override computeOutputShape(inputShape: Array<number | null>): Array<number | null> {
    const up = (size: number | null) => (size == null ? null : size * this.scale);
    return [inputShape[0], up(inputShape[1]), up(inputShape[2]), this.outChannels];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor {
    return tf.tidy(() => {
      const x = singleInput(inputs, this.name) as tf.Tensor4D;
      const training = isTraining(kwargs);
      const up = tf.image.resizeBilinear(x, [x.shape[1] * this.scale, x.shape[2] * this.scale], true);
      const y = conv2dBatchNorm(up, this.kernel1, this.bn1, 1, 1, training, 'relu');
      return conv2dBatchNorm(y, this.kernel2, this.bn2, 1, 1, training, 'relu');
    });
  }

  override getConfig(): serialization.ConfigDict {
    return { ...super.getConfig(), outChannels: this.outChannels, scale: this.scale };
  }
}
serialization.registerClass(DecoderBlock);
