import * as tf from '@tensorflow/tfjs-core';
import { releaseBackwardInputs } from './batch-norm-gradient.js';

/** torch.nn.Hardswish's derivative: 0 below −3, x/3 + ½ on [−3, 3], 1 above 3 (as `hardswish_backward`). */
export function hardswishDerivative(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => {
    const middle = tf.logicalAnd(tf.greaterEqual(x, -3), tf.lessEqual(x, 3));
    return tf.add(tf.mul(tf.cast(middle, 'float32'), tf.add(tf.div(x, 3), 0.5)), tf.cast(tf.greater(x, 3), 'float32'));
  });
}

/**
 * torch.nn.Hardswish x · relu6(x + 3) / 6 as one op whose gradient keeps only x (tfjs's autograd of the
 * formula keeps about four tensors of x's size and the gradient of each until the backward pass ends).
 */
export const hardswishWithGradient: (x: tf.Tensor) => tf.Tensor = tf.customGrad((xIn, save) => {
  const x = xIn as tf.Tensor;
  (save as tf.GradSaveFunc)([x]);
  return {
    value: tf.div(tf.mul(x, tf.relu6(tf.add(x, 3))), 6),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
      const dx = tf.tidy(() => tf.mul(dy, hardswishDerivative(saved[0])));
      releaseBackwardInputs(dy, saved);
      return dx;
    },
  };
});
