import { beforeAll, describe, expect, it } from 'vitest';
import type { Tensor } from '@tensorflow/tfjs-core';
import { useTfBackend } from '@levit-unet/test-utils/tf';
import {
  BatchNorm,
  batchNormTraining,
  channelSums,
  LeViTConv2dBN,
  conv2dBatchNorm,
  LeViTLinearBN,
  linearBatchNorm,
  registerWasmTrainingKernels,
  type BatchNormActivation,
  type WeightAdder,
} from '../src/index.js';
import { buildLayer, compareToReference, randomizeWeights } from './helpers.js';

let tf: Awaited<ReturnType<typeof useTfBackend>>;
beforeAll(async () => {
  tf = await useTfBackend(registerWasmTrainingKernels);
});

const EPS = 1e-5;

describe('channelSums', () => {
  it.each([
    [1, 3],
    [7, 2],
    [97, 5],
    [1568, 16],
    [100352, 4],
  ])('%d rows × %d channels: the float64 column sums within 2e-6, no tensor left behind', async (rows, channels) => {
    // All positive, mean 1.25: one long float32 sum would drift by ~1e-5 at 100352 rows.
    const values = Float32Array.from({ length: rows * channels }, (_, i) => 0.5 + ((i * 7919) % 1000) / 666);
    const x = tf.tensor2d(values, [rows, channels]);
    const before = tf.memory().numTensors;
    const sums = channelSums(x);
    expect(tf.memory().numTensors).toBe(before + 1);
    expect(sums.shape).toEqual([channels]);
    const got = await sums.data();
    for (let c = 0; c < channels; c++) {
      let expected = 0;
      for (let r = 0; r < rows; r++) expected += values[r * channels + c];
      expect(Math.abs(got[c] - expected) / expected).toBeLessThan(2e-6);
    }
    tf.dispose([x, sums]);
  });
});

/** The plain formula tfjs differentiates itself (the previous implementation): moments, then (x − μ)·rsqrt(σ² + ε)·γ + β. */
function plainBatchNorm(x: Tensor, gamma: Tensor, beta: Tensor, activation: BatchNormActivation = 'linear'): Tensor {
  const axes = Array.from({ length: x.rank - 1 }, (_, i) => i);
  const { mean, variance } = tf.moments(x, axes);
  const y = tf.add(tf.mul(tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, EPS))), gamma), beta);
  return activation === 'relu' ? tf.relu(y) : y;
}

/** max |got − reference| / max |reference| over every pair of tensors. */
async function relativeErrors(reference: Tensor[], got: Tensor[]): Promise<number[]> {
  return Promise.all(
    reference.map(async (r, i) => {
      expect(got[i].shape).toEqual(r.shape);
      const { maxError, maxReference } = compareToReference(await r.data(), await got[i].data());
      return maxError / maxReference;
    }),
  );
}

/** Random x, γ (one channel γ = 0, as LeViT's zero-initialised BatchNorms), β and an upstream gradient r (loss Σ r·y). */
function inputs(shape: number[], seed: number) {
  const channels = shape[shape.length - 1];
  const x = tf.add(tf.mul(tf.randomNormal(shape, 0, 1, 'float32', seed), 3), 1.5);
  const gammaValues = tf.randomUniform([channels], 0.5, 1.5, 'float32', seed + 1);
  const gamma = tf.mul(gammaValues, tf.concat([tf.zeros([1]), tf.ones([channels - 1])]));
  const beta = tf.randomNormal([channels], 0, 0.5, 'float32', seed + 2);
  const r = tf.randomNormal(shape, 0, 1, 'float32', seed + 3);
  return { x, gamma, beta, r };
}

describe('batchNormTraining (closed-form gradient)', () => {
  it.each([
    ['NHWC', [4, 6, 5, 8], 'linear'],
    ['NHWC + ReLU', [4, 6, 5, 8], 'relu'],
    ['tokens (B·N, C)', [98, 16], 'linear'],
  ] as const)('matches tfjs autograd of the plain formula on %s for dx, dγ, dβ', async (_, shape, activation) => {
    const { x, gamma, beta, r } = inputs([...shape], 7);
    const loss = (f: typeof plainBatchNorm) => (a: Tensor, g: Tensor, b: Tensor) => tf.sum(tf.mul(f(a, g, b, activation), r));
    const custom = (a: Tensor, g: Tensor, b: Tensor) => batchNormTraining(a, g, b, { epsilon: EPS, activation });
    const reference = tf.grads(loss(plainBatchNorm))([x, gamma, beta]);
    const got = tf.grads(loss(custom))([x, gamma, beta]);
    for (const e of await relativeErrors(reference, got)) expect(e).toBeLessThan(1e-5);
    // The forward is the same function.
    const [y0, y1] = [plainBatchNorm(x, gamma, beta, activation), custom(x, gamma, beta)];
    expect((await relativeErrors([y0], [y1]))[0]).toBeLessThan(1e-6);
    // γ = 0 channel: no gradient reaches x through it, yet (without the ReLU, which may mask it) dγ = Σ dy·x̂ ≠ 0.
    const dx0 = await tf.gather(tf.reshape(got[0], [-1, shape[shape.length - 1]]), [0], 1).data();
    expect(Math.max(...Array.from(dx0, Math.abs))).toBe(0);
    if (activation === 'linear') expect(Math.abs((await got[1].data())[0])).toBeGreaterThan(0);
  });

  it('matches the cpu backend (plain formula, tfjs autograd) on NHWC input', async () => {
    const { x, gamma, beta, r } = inputs([3, 7, 7, 6], 31);
    const values = await Promise.all([x, gamma, beta, r].map((t) => t.data()));
    const shapes = [x, gamma, beta, r].map((t) => t.shape);
    const got = tf.grads((a: Tensor, g: Tensor, b: Tensor) => tf.sum(tf.mul(batchNormTraining(a, g, b, { epsilon: EPS, activation: 'relu' }), r)))([x, gamma, beta]);
    const gotValues = await Promise.all(got.map((t) => t.data()));
    await tf.setBackend('cpu');
    try {
      const [xc, gc, bc, rc] = values.map((v, i) => tf.tensor(v, shapes[i]));
      const reference = tf.grads((a: Tensor, g: Tensor, b: Tensor) => tf.sum(tf.mul(plainBatchNorm(a, g, b, 'relu'), rc)))([xc, gc, bc]);
      for (let i = 0; i < 3; i++) {
        const { maxError, maxReference } = compareToReference(await reference[i].data(), gotValues[i]);
        expect(maxError / maxReference).toBeLessThan(1e-5);
      }
    } finally {
      await tf.setBackend('wasm');
    }
  });

  it('leaves a caller-supplied output gradient alone (tf.grad(f)(x, dy))', async () => {
    const { x, gamma, beta, r } = inputs([6, 4], 51);
    const dx = tf.grad((a: Tensor) => batchNormTraining(a, gamma, beta, { epsilon: EPS }))(x, r);
    expect(r.isDisposed).toBe(false);
    const reference = tf.grad((a: Tensor) => plainBatchNorm(a, gamma, beta))(x, r);
    expect((await relativeErrors([reference], [dx]))[0]).toBeLessThan(1e-5);
  });

  it('accumulates the gradient of an output used twice, and leaks no tensor', async () => {
    const { x, gamma, beta, r } = inputs([2, 4, 4, 3], 41);
    const f = (bn: typeof plainBatchNorm) => (a: Tensor, g: Tensor, b: Tensor) => {
      const y = bn(a, g, b);
      return tf.add(tf.sum(tf.mul(y, r)), tf.sum(tf.square(y)));
    };
    const before = tf.memory().numTensors;
    const got = tf.grads(f((a, g, b) => batchNormTraining(a, g, b, { epsilon: EPS })))([x, gamma, beta]);
    expect(tf.memory().numTensors).toBe(before + 3);
    const reference = tf.grads(f(plainBatchNorm))([x, gamma, beta]);
    for (const e of await relativeErrors(reference, got)) expect(e).toBeLessThan(1e-5);
    tf.dispose([...got, ...reference]);
    expect(tf.memory().numTensors).toBe(before);
  });
});

/** A BatchNorm whose weights are plain variables, with the previous implementation's running-statistics update beside it. */
function standaloneBatchNorm(channels: number) {
  const weights = new Map<string, import('@tensorflow/tfjs-core').Variable>();
  const add: WeightAdder = (name, shape, initializer, _trainable, dtype = 'float32') => {
    const v = tf.variable(initializer.apply(shape, dtype), true, `bn_${channels}_${name}_${Math.random()}`, dtype);
    weights.set(name, v);
    return { read: () => v, write: (t: Tensor) => v.assign(t), shape, dtype, originalName: name } as never;
  };
  return { bn: new BatchNorm(add, channels, { gammaInit: 1 }), weights };
}

describe('BatchNorm.apply in training', () => {
  it('updates the running statistics exactly as the previous implementation (momentum 0.1, unbiased variance)', async () => {
    const { bn, weights } = standaloneBatchNorm(5);
    weights.get('running_mean')!.assign(tf.randomNormal([5], 0, 1, 'float32', 3));
    weights.get('running_var')!.assign(tf.randomUniform([5], 0.5, 2, 'float32', 4));
    const previous = { mean: weights.get('running_mean')!.clone(), variance: weights.get('running_var')!.clone() };
    for (const shape of [[3, 4, 4, 5], [20, 5]]) {
      const x = tf.add(tf.mul(tf.randomNormal(shape, 0, 1, 'float32', shape.length), 2), 0.7);
      const before = tf.memory().numTensors;
      tf.dispose(bn.apply(x, true));
      expect(tf.memory().numTensors).toBe(before);
      // The previous implementation's update: moments over every axis but the last, then the torch formula.
      const count = x.size / 5;
      const { mean, variance } = tf.moments(x, Array.from({ length: x.rank - 1 }, (_, i) => i));
      const expectedMean = tf.add(tf.mul(previous.mean, 0.9), tf.mul(mean, 0.1));
      const expectedVar = tf.add(tf.mul(previous.variance, 0.9), tf.mul(tf.mul(variance, count / (count - 1)), 0.1));
      const [em, ev] = await relativeErrors([expectedMean, expectedVar], [weights.get('running_mean')!, weights.get('running_var')!]);
      expect(em).toBeLessThan(1e-6);
      expect(ev).toBeLessThan(1e-6);
      previous.mean = weights.get('running_mean')!.clone();
      previous.variance = weights.get('running_var')!.clone();
    }
    expect(Array.from(await weights.get('num_batches_tracked')!.data())).toEqual([2]);
  });

  it('leaves the running statistics alone in inference and applies ReLU when asked', async () => {
    const { bn, weights } = standaloneBatchNorm(3);
    const x = tf.randomNormal([4, 3], 0, 2, 'float32', 9);
    const y = await bn.apply(x, false, 'relu').data();
    const expected = await tf.relu(tf.div(x, Math.sqrt(1 + EPS))).data();
    expect(compareToReference(expected, y).maxError).toBeLessThan(1e-6);
    expect(Array.from(await weights.get('num_batches_tracked')!.data())).toEqual([0]);
  });
});

describe('fused product + BatchNorm in training', () => {
  it('Conv2d_BN(+ReLU): gradients for x, W, γ, β equal tfjs autograd of conv then the plain formula', async () => {
    for (const [stride, activation] of [[1, 'relu'], [2, 'linear']] as const) {
      const layer = new LeViTConv2dBN({ filters: 6, kernelSize: 3, strides: stride, padding: 1, name: `c${stride}` });
      buildLayer(layer, [9, 8, 4]);
      randomizeWeights(tf, layer, 5 + stride);
      const [kernel, gammaVar, betaVar] = layer.trainableWeights;
      const bn = (layer as unknown as { bn: BatchNorm }).bn;
      const x = tf.randomNormal([2, 9, 8, 4], 0, 1, 'float32', 8) as import('@tensorflow/tfjs-core').Tensor4D;
      const r = tf.randomNormal(conv2dBatchNorm(x, kernel, bn, stride, 1, false).shape, 0, 1, 'float32', 10);
      const vars = [kernel, gammaVar, betaVar].map((w) => w.read() as import('@tensorflow/tfjs-core').Variable);
      const xVar = tf.variable(x, true, `x_conv_${stride}`);
      const custom = tf.variableGrads(() => tf.sum(tf.mul(conv2dBatchNorm(xVar as never, kernel, bn, stride, 1, true, activation), r)) as never, [xVar, ...vars]);
      const plain = tf.variableGrads(
        () => tf.sum(tf.mul(plainBatchNorm(tf.conv2d(xVar as never, vars[0] as never, stride, 1), vars[1], vars[2], activation), r)) as never,
        [xVar, ...vars],
      );
      const names = [xVar, ...vars].map((v) => v.name);
      for (const e of await relativeErrors(names.map((n) => plain.grads[n]), names.map((n) => custom.grads[n]))) expect(e).toBeLessThan(1e-5);
      xVar.dispose();
    }
  });

  it('Linear_BN on (B, N, C) tokens: gradients equal tfjs autograd of matMul then the plain formula, through LeViTLinearBN.apply', async () => {
    const layer = new LeViTLinearBN({ units: 12, name: 'lbn' });
    buildLayer(layer, [10, 7]);
    randomizeWeights(tf, layer, 12);
    const [kernel, gammaVar, betaVar] = layer.trainableWeights.map((w) => w.read() as import('@tensorflow/tfjs-core').Variable);
    const xVar = tf.variable(tf.randomNormal([3, 10, 7], 0, 1, 'float32', 13), true, 'x_linear');
    const r = tf.randomNormal([3, 10, 12], 0, 1, 'float32', 14);
    const custom = tf.variableGrads(() => tf.sum(tf.mul(layer.apply(xVar, { training: true }) as Tensor, r)) as never, [xVar, kernel, gammaVar, betaVar]);
    const plain = tf.variableGrads(() => {
      const z = tf.reshape(tf.matMul(tf.reshape(xVar, [30, 7]), kernel), [3, 10, 12]);
      return tf.sum(tf.mul(tf.reshape(plainBatchNorm(tf.reshape(z, [30, 12]), gammaVar, betaVar), [3, 10, 12]), r)) as never;
    }, [xVar, kernel, gammaVar, betaVar]);
    const names = [xVar, kernel, gammaVar, betaVar].map((v) => v.name);
    for (const e of await relativeErrors(names.map((n) => plain.grads[n]), names.map((n) => custom.grads[n]))) expect(e).toBeLessThan(1e-5);
    // linearBatchNorm is what LinearBN runs; its inference path is untouched.
    expect(linearBatchNorm(xVar, layer.trainableWeights[0], (layer as unknown as { bn: BatchNorm }).bn, false).shape).toEqual([3, 10, 12]);
    xVar.dispose();
  });

  it('frees the backward pass as it goes: a conv stack leaks nothing and peaks far below autograd of the plain formula', async () => {
    const layers = [16, 16, 16].map((filters, i) => new LeViTConv2dBN({ filters, name: `stack${i}` }));
    let shape = [16, 16, 8];
    for (const l of layers) {
      buildLayer(l, shape);
      shape = [16, 16, l.filters];
    }
    const x = tf.randomNormal([2, 16, 16, 8], 0, 1, 'float32', 21);
    const weights = layers.map((l) => l.trainableWeights.map((w) => w.read() as import('@tensorflow/tfjs-core').Variable));
    const stack = (custom: boolean) => () => {
      let y: Tensor = x;
      for (const [i, l] of layers.entries()) {
        const [kernel, gamma, beta] = weights[i];
        y = custom
          ? (l.apply(y, { training: true }) as Tensor)
          : tf.relu(plainBatchNorm(tf.conv2d(y as never, kernel as never, 1, 1), gamma, beta));
      }
      return tf.mean(tf.square(y)) as never;
    };
    const peakBytes = async (custom: boolean) => {
      const before = tf.memory().numTensors;
      const profile = await tf.profile(() => {
        const { value, grads } = tf.variableGrads(stack(custom), weights.flat());
        tf.dispose([value, ...Object.values(grads)]);
      });
      expect(tf.memory().numTensors).toBe(before);
      return profile.peakBytes - tf.memory().numBytes;
    };
    const custom = await peakBytes(true);
    const plain = await peakBytes(false);
    expect(custom).toBeLessThan(0.5 * plain);
  });
});
