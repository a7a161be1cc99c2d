import type * as tf from '@tensorflow/tfjs-core';
import { hardswishWithGradient } from './hardswish-gradient.js';

/** torch.nn.Hardswish: x · min(max(x + 3, 0), 6) / 6, with a closed-form gradient that keeps only x. */
export function hardswish(x: tf.Tensor): tf.Tensor {
  return hardswishWithGradient(x);
}
