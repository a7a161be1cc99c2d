import * as tf from '@tensorflow/tfjs-core';

/** TransUNet's Dice smoothing term (`utils.DiceLoss._dice_loss`: smooth = 1e-5). */
export const DICE_SMOOTH = 1e-5;

/** TransUNet's `0.5 * CrossEntropyLoss + 0.5 * DiceLoss`. */
export const TRANSUNET_LOSS_WEIGHTS: readonly [number, number] = [0.5, 0.5];

/** TransUNet's loss and its parts, as scalars. */
export interface TransUNetLoss {
  /** weights[0]·ce + weights[1]·dice. */
  loss: tf.Scalar;
  /** Softmax cross-entropy, mean over every pixel of the batch (`nn.CrossEntropyLoss()`). */
  ce: tf.Scalar;
  /** TransUNet's `DiceLoss(softmax=True)`: mean over all classes, background included. */
  dice: tf.Scalar;
}

/**
 * Σ over the leading axes [0, 1, 2] one axis at a time (innermost first). Backends such as wasm add a
 * reduction's elements one after another in float32; summing 100 000 pixels in one go loses ~1e-6
 * relative, summing ≤ 224 at a time keeps the loss at float32 rounding.
 */
function sumBatchHeightWidth(x: tf.Tensor): tf.Tensor {
  return tf.sum(tf.sum(tf.sum(x, 2), 1), 0);
}

/**
 * TransUNet's training loss on NHWC logits `(B, H, W, C)` and integer labels `(B, H, W)`:
 * - ce = mean over pixels of −log softmax(logits)[label];
 * - dice = mean over every class c (background too) of 1 − (2·Σ p_c·t_c + 1e-5) / (Σ p_c² + Σ t_c² + 1e-5),
 *   p = softmax(logits), t = one-hot(labels), sums over the whole batch (not per image);
 * - loss = weights[0]·ce + weights[1]·dice.
 * Differentiable (use inside `tf.variableGrads`); the caller disposes the three scalars.
 */
export function transunetLoss(
  logits: tf.Tensor,
  labels: tf.Tensor,
  numClasses: number,
  weights: readonly [number, number] = TRANSUNET_LOSS_WEIGHTS,
): TransUNetLoss {
  if (logits.rank !== 4 || logits.shape[3] !== numClasses) {
    throw new Error(`transunetLoss: logits must be NHWC (B, H, W, ${numClasses}), got [${logits.shape}]`);
  }
  const [b, h, w] = logits.shape;
  if (labels.rank !== 3 || labels.shape[0] !== b || labels.shape[1] !== h || labels.shape[2] !== w) {
    throw new Error(`transunetLoss: labels must be (B, H, W) = [${b},${h},${w}] like the logits, got [${labels.shape}]`);
  }
  if (labels.dtype !== 'int32') throw new Error(`transunetLoss: labels must be int32, got ${labels.dtype}`);
  if (weights.length !== 2 || !weights.every(Number.isFinite)) {
    throw new Error(`transunetLoss: weights must be two finite numbers [ce, dice], got [${weights}]`);
  }
  return tf.tidy(() => {
    const target = tf.oneHot(labels, numClasses) as tf.Tensor4D;
    const logProbs = tf.logSoftmax(logits);
    const pixels = b * h * w;
    const ce = tf.div(tf.neg(sumBatchHeightWidth(tf.sum(tf.mul(target, logProbs), -1))), pixels) as tf.Scalar;
    const probs = tf.softmax(logits);
    const intersect = sumBatchHeightWidth(tf.mul(probs, target));
    const zSum = sumBatchHeightWidth(tf.square(probs));
    const ySum = sumBatchHeightWidth(target); // t² = t for a one-hot target
    const perClass = tf.sub(1, tf.div(tf.add(tf.mul(intersect, 2), DICE_SMOOTH), tf.add(tf.add(zSum, ySum), DICE_SMOOTH)));
    const dice = tf.mean(perClass) as tf.Scalar;
    const loss = tf.add(tf.mul(ce, weights[0]), tf.mul(dice, weights[1])) as tf.Scalar;
    return { loss, ce, dice };
  });
}
