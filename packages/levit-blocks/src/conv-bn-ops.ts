import * as tf from '@tensorflow/tfjs-core';
import { Conv2D, getGradient, type NamedAttrMap } from '@tensorflow/tfjs-core';
import type { LayerVariable } from '@tensorflow/tfjs-layers';
import type { BatchNorm } from './batch-norm.js';
import { productBatchNormTraining, type BatchNormProduct } from './batch-norm-gradient.js';

/** The activation fused after a Conv2dBN / LinearBN product. */
export type FusedActivation = 'linear' | 'relu';

/** A bias-free NHWC convolution with PyTorch's symmetric padding, and its gradients as tfjs computes them. */
function convolution(stride: number, padding: number): BatchNormProduct {
  const attrs = { strides: stride, pad: padding, dataFormat: 'NHWC', dilations: 1 } as unknown as NamedAttrMap;
  return {
    forward: (x, w) => tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, stride, padding),
    backward: (dz, x, w) => {
      // The registered Conv2D gradient (conv2DBackpropInput / conv2DBackpropFilter, wasm's from registerWasmTrainingKernels).
      const gradient = getGradient(Conv2D);
      if (!gradient) throw new Error(`conv2dBatchNorm: no Conv2D gradient registered; import '@tensorflow/tfjs' before training`);
      const grads = gradient.gradFunc(dz, [x, w], attrs);
      return [grads.x(), grads.filter()];
    },
  };
}

/** x·W for (rows, in) inputs and [in, out] weights; explicit transposes, as wasm's BatchMatMul is ~10× slower with transposeA. */
const linear: BatchNormProduct = {
  forward: (x, w) => tf.matMul(x as tf.Tensor2D, w as tf.Tensor2D),
  backward: (dz, x, w) => [
    tf.matMul(dz as tf.Tensor2D, tf.transpose(w as tf.Tensor2D)),
    tf.matMul(tf.transpose(x as tf.Tensor2D), dz as tf.Tensor2D),
  ],
};

/**
 * PyTorch `Conv2d(stride, padding=p, bias=False)` + BatchNorm2d (+ ReLU) on NHWC tensors. Training runs
 * the three as one op with a closed-form gradient that keeps only the input, the convolution's output
 * and per-channel statistics (see `productBatchNormTraining`).
 */
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
    const [b, h, w] = x.shape;
    const [kh, kw] = kernel.shape as number[];
    const outSize = (size: number, k: number) => Math.floor((size + 2 * padding - k) / stride) + 1;
    bn.checkTrainingInput([b, outSize(h, kh), outSize(w, kw), bn.channels]);
    return productBatchNormTraining(convolution(stride, padding), x, kernel.read(), bn.gamma.read(), bn.beta.read(), {
      epsilon: bn.epsilon,
      activation,
      onStatistics: (statistics) => bn.updateRunningStatistics(statistics),
    }) as tf.Tensor4D;
  }
  // Inference folds BN into the convolution: conv(x, W)·s + t = conv(x, W·s) + t (s, t per output channel), once per weights.
  const folded = bn.foldInto(kernel.read());
  return tf.fused.conv2d({
    x,
    filter: folded.kernel as tf.Tensor4D,
    strides: stride,
    pad: padding,
    bias: folded.shift,
    activation,
  });
}

/** PyTorch `Linear(bias=False)` + BatchNorm1d over the tokens flattened to (B·N, C) (LeViT's Linear_BN). */
export function linearBatchNorm(x: tf.Tensor, kernel: LayerVariable, bn: BatchNorm, training: boolean): tf.Tensor {
  const inDim = x.shape[x.rank - 1];
  const flat = tf.reshape(x, [-1, inDim]) as tf.Tensor2D;
  const w = kernel.read() as tf.Tensor2D;
  let y: tf.Tensor;
  if (training) {
    bn.checkTrainingInput([flat.shape[0], bn.channels]);
    y = productBatchNormTraining(linear, flat, w, bn.gamma.read(), bn.beta.read(), {
      epsilon: bn.epsilon,
      onStatistics: (statistics) => bn.updateRunningStatistics(statistics),
    });
  } else {
    const folded = bn.foldInto(w);
    y = tf.fused.matMul({ a: flat, b: folded.kernel as tf.Tensor2D, bias: folded.shift });
  }
  return tf.reshape(y, [...x.shape.slice(0, -1), bn.channels]);
}
