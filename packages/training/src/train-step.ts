import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { NonFiniteLossError } from './non-finite-loss-error.js';
import type { TorchOptimizer } from './torch-optimizer.js';
import type { TrainBatch } from './train-batch.js';
import { transunetLoss, TRANSUNET_LOSS_WEIGHTS } from './transunet-loss.js';

export interface TrainStepOptions {
  lr: number;
  numClasses: number;
  /** [ce, dice] weights; default TransUNet's [0.5, 0.5]. */
  lossWeights?: readonly [number, number];
  /** Also return the L2 norm of every variable's gradient, keyed by variable name (one more read-back). */
  gradNorms?: boolean;
}

export interface TrainStepResult {
  loss: number;
  ce: number;
  dice: number;
  gradNorms?: Map<string, number>;
}

function checkBatch(batch: TrainBatch, channels: number, numClasses: number): [number, number, number, number] {
  const [b, h, w] = batch.labelShape;
  const pixels = b * h * w;
  if (!batch.labelShape.every((d) => Number.isInteger(d) && d > 0)) {
    throw new Error(`trainStep: labelShape must be three positive integers (B, H, W), got [${batch.labelShape}]`);
  }
  if (batch.labels.length !== pixels) {
    throw new Error(`trainStep: labels hold ${batch.labels.length} values, labelShape (${b}, ${h}, ${w}) needs ${pixels}`);
  }
  if (batch.images.length !== pixels * channels) {
    throw new Error(`trainStep: images hold ${batch.images.length} values, the model wants (${b}, ${h}, ${w}, ${channels}) = ${pixels * channels}`);
  }
  for (let i = 0; i < pixels; i++) {
    const label = batch.labels[i]!;
    if (!(label >= 0 && label < numClasses)) {
      throw new Error(`trainStep: label ${label} at flat index ${i} is outside 0..${numClasses - 1} (numClasses ${numClasses})`);
    }
  }
  return [b, h, w, channels];
}

/**
 * One TransUNet training step: forward in training mode (BatchNorm uses batch statistics and updates
 * its running statistics), loss = w0·CE + w1·Dice, gradients of the optimizer's variables, and
 * `optimizer.step(grads, lr)` — `optimizer.zero_grad(); loss.backward(); optimizer.step()`. A non-finite
 * loss throws `NonFiniteLossError` before any update of the trainable weights. Leaks no tensors.
 */
export function trainStep(model: LayersModel, optimizer: TorchOptimizer, batch: TrainBatch, options: TrainStepOptions): TrainStepResult {
  const channels = model.inputs[0]?.shape[3] ?? 1;
  if (typeof channels !== 'number') throw new Error('trainStep: the model input must have a fixed channel count (NHWC)');
  const shape = checkBatch(batch, channels, options.numClasses);
  let ce: tf.Scalar | null = null;
  let dice: tf.Scalar | null = null;
  const { value, grads } = tf.variableGrads(() => {
    const x = tf.tensor4d(batch.images, shape);
    const y = tf.tensor3d(batch.labels, batch.labelShape as [number, number, number], 'int32');
    const logits = model.apply(x, { training: true }) as tf.Tensor;
    const parts = transunetLoss(logits, y, options.numClasses, options.lossWeights ?? TRANSUNET_LOSS_WEIGHTS);
    ce = tf.keep(parts.ce);
    dice = tf.keep(parts.dice);
    return parts.loss;
  }, optimizer.variables as tf.Variable[]);
  try {
    const [loss, ceValue, diceValue] = tf.tidy(() => tf.stack([value, ce!, dice!]).dataSync());
    if (!Number.isFinite(loss)) throw new NonFiniteLossError(loss!, ceValue!, diceValue!);
    let gradNorms: Map<string, number> | undefined;
    if (options.gradNorms) {
      const names = Object.keys(grads).filter((name) => grads[name]);
      const norms = tf.tidy(() => tf.stack(names.map((name) => tf.norm(grads[name]!))).dataSync());
      gradNorms = new Map(names.map((name, i) => [name, norms[i]!]));
    }
    optimizer.step(grads, options.lr);
    return { loss: loss!, ce: ceValue!, dice: diceValue!, ...(gradNorms ? { gradNorms } : {}) };
  } finally {
    tf.dispose([value, ce!, dice!, ...Object.values(grads).filter((g): g is tf.Tensor => g != null)]);
  }
}
