import * as tf from '@tensorflow/tfjs-core';

/** torch.nn.Hardswish: x · min(max(x + 3, 0), 6) / 6. */
export function hardswish(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.div(tf.mul(x, tf.clipByValue(tf.add(x, 3), 0, 6)), 6));
}
