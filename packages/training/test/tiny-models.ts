import * as tf from '@tensorflow/tfjs';
import { ConvEncoder, createUNet } from '@levit-unet/unet-decoder';

/** A small UNet (ConvEncoder + the LeViT-UNet decoder) for fast training tests. */
export function tinyUNet(size = 32, numClasses = 3): tf.LayersModel {
  return createUNet({
    encoder: new ConvEncoder({ channels: [4, 8, 8, 8] }),
    inputShape: [size, size, 1],
    numClasses,
    decoderChannels: [8, 8, 4],
  });
}

/** logits = x·w + b per pixel (a 1×1 convolution from 1 to C channels): a model with a closed-form gradient. */
export function pixelLinearModel(numClasses: number, kernel: number[], bias: number[]): tf.LayersModel {
  const input = tf.input({ shape: [null, null, 1] as unknown as number[] });
  const conv = tf.layers.conv2d({ filters: numClasses, kernelSize: 1, useBias: true, name: 'pixel_linear' });
  const model = tf.model({ inputs: input, outputs: conv.apply(input) as tf.SymbolicTensor });
  tf.tidy(() => conv.setWeights([tf.tensor4d(kernel, [1, 1, 1, numClasses]), tf.tensor1d(bias)]));
  return model;
}
