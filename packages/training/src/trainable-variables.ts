import type * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';

/**
 * The variables training updates: the model's trainable weights (PyTorch's parameters). BatchNorm
 * running statistics and counters are non-trainable (updated by the forward pass in training mode), and
 * LeViT's attention_bias_idxs are index tables, not weights.
 */
export function trainableVariables(model: LayersModel): tf.Variable[] {
  return model.trainableWeights.map((weight) => weight.read() as tf.Variable);
}
