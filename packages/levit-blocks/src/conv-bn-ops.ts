import * as tf from '@tensorflow/tfjs-core';
import type { LayerVariable } from '@tensorflow/tfjs-layers';
import type { BatchNorm } from './batch-norm.js';

export type FusedActivation = 'linear' | 'relu';

/** PyTorch `Conv2d(stride, padding=p, bias=False)` + BatchNorm2d (+ ReLU) on NHWC tensors. */
export function conv2dBatchNorm(
  x: tf.Tensor4D,
  kernel: LayerVariable,
  bn: BatchNorm,
  stride: number,
  padding: number,
  training: boolean,
  activation: FusedActivation = 'linear',
): tf.Tensor4D {
  if (training) {
    const y = bn.apply(tf.conv2d(x, kernel.read() as tf.Tensor4D, stride, padding), true);
    return (activation === 'relu' ? tf.relu(y) : y) as tf.Tensor4D;
  }
  // Inference folds BN into the convolution: conv(x, W)·s + t = conv(x, W·s) + t (s, t per output channel).
  const { scale, shift } = bn.scaleShift();
  return tf.fused.conv2d({
    x,
    filter: tf.mul(kernel.read(), scale) as tf.Tensor4D,
    strides: stride,
    pad: padding,
    bias: shift,
    activation,
  });
}

/** PyTorch `Linear(bias=False)` + BatchNorm1d over the tokens flattened to (B·N, C) (LeViT's Linear_BN). */
export function linearBatchNorm(x: tf.Tensor, kernel: LayerVariable, bn: BatchNorm, training: boolean): tf.Tensor {
  const inDim = x.shape[x.rank - 1];
  const flat = tf.reshape(x, [-1, inDim]) as tf.Tensor2D;
  const w = kernel.read() as tf.Tensor2D;
  const y = training
    ? bn.apply(tf.matMul(flat, w), true)
    : (() => {
        const { scale, shift } = bn.scaleShift();
        return tf.fused.matMul({ a: flat, b: tf.mul(w, scale) as tf.Tensor2D, bias: shift });
      })();
  return tf.reshape(y, [...x.shape.slice(0, -1), bn.channels]);
}
