import * as tf from '@tensorflow/tfjs-core';

/** What follows the BatchNorm inside the same fused op. */
export type BatchNormActivation = 'linear' | 'relu';

/** Per-channel batch statistics over every axis but the last; `variance` is biased (÷ count), as PyTorch normalises. */
export interface BatchStatistics {
  mean: tf.Tensor1D;
  variance: tf.Tensor1D;
  /** Values per channel (the product of every axis but the last). */
  count: number;
}

/** Options of the training-mode BatchNorm with its closed-form gradient. */
export interface BatchNormTrainingOptions {
  epsilon: number;
  activation?: BatchNormActivation;
  /** Called once in the forward pass with the batch statistics (to update the running statistics). */
  onStatistics?: (statistics: BatchStatistics) => void;
}

/** The most row blocks channelSums splits a (rows, C) matrix into: room for threads, a short final sum. */
const MAX_ROW_BLOCKS = 64;

/**
 * Σ over the rows of a (rows, C) matrix. Read as (blocks, rows/blocks, 1, C) and average-pooled over each
 * block (XNNPACK's multi-pass pooling, threaded on wasm), then the few block sums added: on wasm ~15×
 * faster than ones(1, rows)·X (which repacks X as matrix weights on every call) and than a sum over the
 * leading axis (which transposes X first), and ~20× more accurate than either's one long float32 sum.
 */
export function channelSums(x: tf.Tensor2D): tf.Tensor1D {
  const [rows, channels] = x.shape;
  let blocks = Math.min(MAX_ROW_BLOCKS, rows);
  while (rows % blocks !== 0) blocks--;
  const blockRows = rows / blocks;
  return tf.tidy(() => {
    const blockMeans = tf.avgPool(tf.reshape(x, [blocks, blockRows, 1, channels]) as tf.Tensor4D, [blockRows, 1], 1, 'valid');
    return tf.mul(tf.sum(tf.reshape(blockMeans, [blocks, channels]), 0), blockRows) as tf.Tensor1D;
  });
}

function asRows(x: tf.Tensor): tf.Tensor2D {
  const channels = x.shape[x.rank - 1];
  return tf.reshape(x, [x.size / channels, channels]);
}

/** Batch mean and biased variance per channel, two-pass (Σ(x − μ)²) like `tf.moments`. */
export function batchStatistics(x: tf.Tensor): BatchStatistics {
  const rows = asRows(x);
  const count = rows.shape[0];
  return tf.tidy(() => {
    const mean = tf.div(channelSums(rows), count) as tf.Tensor1D;
    const variance = tf.div(channelSums(tf.squaredDifference(rows, mean)), count) as tf.Tensor1D;
    return { mean, variance, count };
  });
}

/**
 * act(γ·(x − μ)/√(σ² + ε) + β) in one pass (tfjs's batchNorm kernel). The backward recomputes the ReLU
 * mask with this same call, so it matches the forward bit for bit without keeping y.
 */
function normalise(
  x: tf.Tensor,
  statistics: BatchStatistics,
  gamma: tf.Tensor,
  beta: tf.Tensor,
  epsilon: number,
  activation: BatchNormActivation,
): tf.Tensor {
  const y = tf.batchNorm(x, statistics.mean, statistics.variance, beta as tf.Tensor1D, gamma as tf.Tensor1D, epsilon);
  if (activation === 'linear') return y;
  const activated = tf.relu(y);
  y.dispose();
  return activated;
}

/** BatchNorm(+ReLU) forward with batch statistics; returns y and the statistics the backward needs. */
export function batchNormForward(
  x: tf.Tensor,
  gamma: tf.Tensor,
  beta: tf.Tensor,
  epsilon: number,
  activation: BatchNormActivation = 'linear',
): { y: tf.Tensor; statistics: BatchStatistics } {
  const statistics = batchStatistics(x);
  return { y: normalise(x, statistics, gamma, beta, epsilon, activation), statistics };
}

/**
 * Closed-form gradients of y = act(γ·x̂ + β), x̂ = (x − μ)·rstd, with batch statistics (N values per
 * channel): with g = dy·act′, dβ = Σg, dγ = Σg·x̂ and
 * dx = γ·rstd/N · (N·g − Σg − x̂·Σ(g·x̂)) = γ·rstd·g + x̂·(−γ·rstd·dγ/N) + (−γ·rstd·dβ/N).
 * Needs only x and the per-channel statistics. Temporaries are freed as soon as they are used, so at
 * most about four tensors of x's size are alive at once (a tidy around the formula would hold ten).
 */
export function batchNormBackward(
  dy: tf.Tensor,
  x: tf.Tensor,
  gamma: tf.Tensor,
  beta: tf.Tensor,
  statistics: BatchStatistics,
  epsilon: number,
  activation: BatchNormActivation = 'linear',
): { dx: tf.Tensor; dgamma: tf.Tensor1D; dbeta: tf.Tensor1D } {
  const rows = asRows(x);
  const upstream = asRows(dy);
  const g: tf.Tensor =
    activation === 'relu'
      ? tf.tidy(() => tf.mul(upstream, tf.step(normalise(rows, statistics, gamma, beta, epsilon, 'linear'))))
      : upstream;
  const dbeta = channelSums(g as tf.Tensor2D);
  const dgamma = tf.tidy(() => {
    const normalised = tf.batchNorm(rows, statistics.mean, statistics.variance, undefined, undefined, epsilon);
    return channelSums(tf.mul(g, normalised) as tf.Tensor2D);
  });
  const dx = tf.tidy(() => {
    const scale = tf.mul(gamma, tf.rsqrt(tf.add(statistics.variance, epsilon))) as tf.Tensor1D;
    const coefficient = tf.div(scale, -statistics.count);
    // x̂·(−γ·rstd·dγ/N) + (−γ·rstd·dβ/N) in one pass, then + g·γ·rstd.
    const affinePart = tf.batchNorm(
      rows,
      statistics.mean,
      statistics.variance,
      tf.mul(coefficient, dbeta) as tf.Tensor1D,
      tf.mul(coefficient, dgamma) as tf.Tensor1D,
      epsilon,
    );
    const gradientPart = tf.mul(g, scale);
    if (g !== upstream) g.dispose();
    return tf.reshape(tf.add(affinePart, gradientPart), x.shape);
  });
  tf.dispose([rows, upstream]);
  return { dx, dgamma, dbeta };
}

/**
 * Frees what a custom gradient was handed once its gradients are computed. tfjs keeps every output
 * gradient and every saved tensor until the whole backward pass ends; these belong to this node only
 * (its output's gradient is read by nobody else, its saved tensors are clones kept for it), so freeing
 * them now lets the backward pass release activations layer by layer. The gradient is freed only when
 * the backward pass made it (a `dy` the caller passed to `tf.grad(f)(x, dy)` is the caller's), and
 * nothing is freed while a higher-order gradient records this backward pass.
 */
export function releaseBackwardInputs(dy: tf.Tensor, saved: tf.Tensor[]): void {
  const { gradientDepth, activeScope } = tf.engine().state;
  if (gradientDepth > 0) return;
  if (!dy.kept && activeScope != null && dy.scopeId === activeScope.id) dy.dispose();
  tf.dispose(saved);
}

/**
 * Training-mode BatchNorm over the last axis (+ an optional ReLU) as one op with a closed-form
 * gradient: the backward keeps only x (and per-channel μ, σ²) instead of tfjs's ~5 autograd copies.
 * γ and β are explicit inputs so that their gradients reach the variables.
 */
export function batchNormTraining(x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, options: BatchNormTrainingOptions): tf.Tensor {
  const { epsilon, activation = 'linear', onStatistics } = options;
  const op = tf.customGrad((xIn, g, b, save) => {
    const [input, scaleIn, offsetIn] = [xIn, g, b] as tf.Tensor[];
    const { y, statistics } = batchNormForward(input, scaleIn, offsetIn, epsilon, activation);
    onStatistics?.(statistics);
    (save as tf.GradSaveFunc)([input, scaleIn, offsetIn, statistics.mean, statistics.variance]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [savedX, savedGamma, savedBeta, mean, variance] = saved;
        const stats = { mean: mean as tf.Tensor1D, variance: variance as tf.Tensor1D, count: statistics.count };
        const { dx, dgamma, dbeta } = batchNormBackward(dy, savedX, savedGamma, savedBeta, stats, epsilon, activation);
        releaseBackwardInputs(dy, saved);
        return [dx, dgamma, dbeta];
      },
    };
  });
  return op(x, gamma, beta);
}

/** A bias-free linear map z = f(x, W) that precedes a BatchNorm (a convolution, a matrix product), with its two gradients. */
export interface BatchNormProduct {
  /** z = x ⊛ w (the product the BatchNorm follows). */
  forward(x: tf.Tensor, w: tf.Tensor): tf.Tensor;
  /** [dL/dx, dL/dW] from dL/dz. */
  backward(dz: tf.Tensor, x: tf.Tensor, w: tf.Tensor): [tf.Tensor, tf.Tensor];
}

/**
 * act(BatchNorm(f(x, W))) in training as ONE op with a closed-form gradient: it keeps x, W, z = f(x, W)
 * and the per-channel statistics, and neither z's nor y's gradient outlives its backward (tfjs would
 * keep the gradient of every intermediate tensor until the end of the backward pass).
 */
export function productBatchNormTraining(
  product: BatchNormProduct,
  x: tf.Tensor,
  w: tf.Tensor,
  gamma: tf.Tensor,
  beta: tf.Tensor,
  options: BatchNormTrainingOptions,
): tf.Tensor {
  const { epsilon, activation = 'linear', onStatistics } = options;
  const op = tf.customGrad((xIn, wIn, g, b, save) => {
    const [input, weight, scaleIn, offsetIn] = [xIn, wIn, g, b] as tf.Tensor[];
    const z = product.forward(input, weight);
    const { y, statistics } = batchNormForward(z, scaleIn, offsetIn, epsilon, activation);
    onStatistics?.(statistics);
    (save as tf.GradSaveFunc)([input, weight, z, scaleIn, offsetIn, statistics.mean, statistics.variance]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [savedX, savedW, savedZ, savedGamma, savedBeta, mean, variance] = saved;
        const stats = { mean: mean as tf.Tensor1D, variance: variance as tf.Tensor1D, count: statistics.count };
        const grads = tf.tidy(() => {
          const { dx: dz, dgamma, dbeta } = batchNormBackward(dy, savedZ, savedGamma, savedBeta, stats, epsilon, activation);
          const [dx, dw] = product.backward(dz, savedX, savedW);
          return [dx, dw, dgamma, dbeta];
        });
        releaseBackwardInputs(dy, saved);
        return grads;
      },
    };
  });
  return op(x, w, gamma, beta);
}
