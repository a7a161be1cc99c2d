import * as tf from '@tensorflow/tfjs-core';
import { serialization } from '@tensorflow/tfjs-core';
import { layers } from '@tensorflow/tfjs-layers';
import { hardswish } from './activations.js';
import { singleInput, type Kwargs } from './layer-utils.js';

/** `torch.nn.Hardswish` as a layer: x · relu6(x + 3) / 6. */
export class LeViTHardswish extends layers.Layer {
  static readonly className = 'LeViTHardswish';

  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor {
    return hardswish(singleInput(inputs, this.name));
  }
}
serialization.registerClass(LeViTHardswish);
