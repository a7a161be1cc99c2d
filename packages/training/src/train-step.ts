import * as tf from '@tensorflow/tfjs-core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { NonFiniteLossError } from './non-finite-loss-error.js';
import type { TorchOptimizer } from './torch-optimizer.js';
import type { TrainBatch } from './train-batch.js';
import { transunetLoss, TRANSUNET_LOSS_WEIGHTS } from './transunet-loss.js';

/** Options of `trainStep`: learning rate, classes, loss weights. */
export interface TrainStepOptions {
  lr: number;
  numClasses: number;
  /** [ce, dice] weights; default TransUNet's [0.5, 0.5]. */
  lossWeights?: readonly [number, number];
  /** Also return the L2 norm of every variable's gradient, keyed by variable name (one more read-back). */
  gradNorms?: boolean;
}

/** One step's loss and its parts. */
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

/** The forward and backward pass of one step: loss parts and gradients, to be read back and applied. */
interface PendingStep {
  value: tf.Scalar;
  ce: tf.Scalar;
  dice: tf.Scalar;
  grads: tf.NamedTensorMap;
}

function forwardBackward(model: LayersModel, optimizer: TorchOptimizer, batch: TrainBatch, options: TrainStepOptions): PendingStep {
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
  return { value, ce: ce!, dice: dice!, grads };
}

/** What a step reads back: [loss, ce, dice], then the gradient norms (when asked for) of `names`. */
function readbackTensor(step: PendingStep, names: string[]): tf.Tensor1D {
  return tf.tidy(() => tf.concat([tf.stack([step.value, step.ce, step.dice]), ...(names.length > 0 ? [tf.stack(names.map((name) => tf.norm(step.grads[name]!)))] : [])]) as tf.Tensor1D);
}

function gradientNames(step: PendingStep, options: TrainStepOptions): string[] {
  return options.gradNorms ? Object.keys(step.grads).filter((name) => step.grads[name]) : [];
}

/** Checks the loss and applies the update; `values` is `readbackTensor`'s content. */
function finishStep(step: PendingStep, values: ArrayLike<number>, names: string[], optimizer: TorchOptimizer, options: TrainStepOptions): TrainStepResult {
  const [loss, ce, dice] = [values[0]!, values[1]!, values[2]!];
  if (!Number.isFinite(loss)) throw new NonFiniteLossError(loss, ce, dice);
  optimizer.step(step.grads, options.lr);
  return { loss, ce, dice, ...(options.gradNorms ? { gradNorms: new Map(names.map((name, i) => [name, values[3 + i]!])) } : {}) };
}

function disposeStep(step: PendingStep): void {
  tf.dispose([step.value, step.ce, step.dice, ...Object.values(step.grads).filter((g): g is tf.Tensor => g != null)]);
}

/**
 * One TransUNet training step: forward in training mode (BatchNorm uses batch statistics and updates
 * its running statistics), loss = w0·CE + w1·Dice, gradients of the optimizer's variables, and
 * `optimizer.step(grads, lr)` — `optimizer.zero_grad(); loss.backward(); optimizer.step()`. A non-finite
 * loss throws `NonFiniteLossError` before any update of the trainable weights. Leaks no tensors.
 * Reads the loss back synchronously: on a backend that cannot (webgpu in Node) use `trainStepAsync`.
 */
export function trainStep(model: LayersModel, optimizer: TorchOptimizer, batch: TrainBatch, options: TrainStepOptions): TrainStepResult {
  const step = forwardBackward(model, optimizer, batch, options);
  try {
    const names = gradientNames(step, options);
    const values = tf.tidy(() => readbackTensor(step, names).dataSync());
    return finishStep(step, values, names, optimizer, options);
  } finally {
    disposeStep(step);
  }
}

/** `trainStep` with an asynchronous read-back of the loss: the same results, on every backend (webgpu included). */
export async function trainStepAsync(model: LayersModel, optimizer: TorchOptimizer, batch: TrainBatch, options: TrainStepOptions): Promise<TrainStepResult> {
  const step = forwardBackward(model, optimizer, batch, options);
  try {
    const names = gradientNames(step, options);
    const readback = readbackTensor(step, names);
    const values = await readback.data().finally(() => readback.dispose());
    return finishStep(step, values, names, optimizer, options);
  } finally {
    disposeStep(step);
  }
}
