import * as tf from '@tensorflow/tfjs-core';
import type { LayerVariable } from '@tensorflow/tfjs-layers';
import { hardswish } from './activations.js';
import type { BatchNorm } from './batch-norm.js';
import { linearBatchNorm } from './conv-bn-ops.js';
import type { AttentionBiasIndex } from './attention-bias-index.js';

/** (B, N, H·d) → (B, H, N, d): heads outermost in the channel axis, as the official `.view(B, N, H, -1)`. */
export function splitHeads(x: tf.Tensor, numHeads: number): tf.Tensor4D {
  const [b, n, c] = x.shape;
  return tf.transpose(tf.reshape(x, [b, n, numHeads, c / numHeads]), [0, 2, 1, 3]) as tf.Tensor4D;
}

/** `attention_biases[:, attention_bias_idxs]` → (H, numQueries, numKeys). */
export function gatherAttentionBias(biases: LayerVariable, index: AttentionBiasIndex): tf.Tensor3D {
  const numHeads = biases.shape[0] as number;
  const idxs = tf.tensor1d(index.idxs, 'int32');
  return tf.reshape(tf.gather(biases.read(), idxs, 1), [numHeads, index.numQueries, index.numKeys]) as tf.Tensor3D;
}

/**
 * softmax(q·kᵀ·scale + bias)·v for (B, H, Nq, D) queries, (B, H, Nk, D) keys and (B, H, Nk, d) values,
 * merged back to (B, Nq, H·d) with heads outermost (`.transpose(1, 2).reshape(B, N, dh)`).
 */
export function biasedAttention(
  q: tf.Tensor4D,
  k: tf.Tensor4D,
  v: tf.Tensor4D,
  bias: tf.Tensor3D,
  scale: number,
): tf.Tensor3D {
  const logits = tf.add(tf.mul(tf.matMul(q, k, false, true), scale), bias);
  const out = tf.matMul(tf.softmax(logits), v);
  const [b, h, n, d] = out.shape;
  return tf.reshape(tf.transpose(out, [0, 2, 1, 3]), [b, n, h * d]) as tf.Tensor3D;
}

/** The attention biases are built for resolution² tokens: any other token count is an error. */
export function expectTokenGrid(x: tf.Tensor, index: AttentionBiasIndex, resolution: number, layerName: string): void {
  if (x.rank !== 3 || x.shape[1] !== index.numKeys) {
    throw new Error(
      `layer ${layerName}: expected tokens of shape [batch, ${index.numKeys}, C] (a ${resolution}×${resolution} grid), got shape [${x.shape}]`,
    );
  }
}

/** The shared tail of both attentions: `proj(hardswish(softmax(q·kᵀ·scale + bias)·v))`, bias = biases[:, idxs], proj = Linear_BN. */
export function attendAndProject(
  heads: { q: tf.Tensor4D; k: tf.Tensor4D; v: tf.Tensor4D },
  bias: tf.Tensor3D,
  scale: number,
  proj: { kernel: LayerVariable; bn: BatchNorm },
  training: boolean,
): tf.Tensor {
  const attended = biasedAttention(heads.q, heads.k, heads.v, bias, scale);
  return linearBatchNorm(hardswish(attended), proj.kernel, proj.bn, training);
}
