import { beforeAll, describe, expect, it } from 'vitest';
import type { Tensor } from '@tensorflow/tfjs-core';
import type { layers, SymbolicTensor } from '@tensorflow/tfjs-layers';
import { useTfBackend } from '@levit-unet/test-utils/tf';
import {
  LeViTAttentionSubsample,
  LeViTConv2dBN,
  LeViTAttention,
  LeViTMLP,
  LeViTLinearBN,
  registerWasmTrainingKernels,
} from '../src/index.js';
import { buildLayer, randomizeWeights } from './helpers.js';

let tf: Awaited<ReturnType<typeof useTfBackend>>;
beforeAll(async () => {
  tf = await useTfBackend(registerWasmTrainingKernels);
});

/** A layer kind with the input it takes: `make(name)` builds a fresh, unweighted one. */
interface Case {
  kind: string;
  make: (name: string) => layers.Layer;
  /** Input shape without the batch axis. */
  shape: number[];
  /** A kernel the inference call runs only when nothing is cached: Rsqrt (BN fold), GatherV2 (bias gather). */
  uncachedKernels: string[];
}

const cases: Case[] = [
  { kind: 'Conv2dBN', make: (name) => new LeViTConv2dBN({ filters: 6, kernelSize: 3, strides: 2, padding: 1, name }), shape: [9, 8, 4], uncachedKernels: ['Rsqrt'] },
  { kind: 'LinearBN', make: (name) => new LeViTLinearBN({ units: 12, name }), shape: [10, 7], uncachedKernels: ['Rsqrt'] },
  { kind: 'LeViTMLP', make: (name) => new LeViTMLP({ dim: 12, name }), shape: [4, 12], uncachedKernels: ['Rsqrt'] },
  {
    kind: 'LeViTAttention',
    make: (name) => new LeViTAttention({ dim: 16, keyDim: 4, numHeads: 2, resolution: 4, name }),
    shape: [16, 16],
    uncachedKernels: ['Rsqrt', 'GatherV2'],
  },
  {
    kind: 'AttentionSubsample',
    make: (name) => new LeViTAttentionSubsample({ inDim: 16, outDim: 24, keyDim: 4, numHeads: 2, resolution: 4, name }),
    shape: [16, 16],
    // GatherV2 also picks the subsampled queries on every call.
    uncachedKernels: ['Rsqrt'],
  },
];

let serial = 0;
function built(c: Case, seed: number): layers.Layer {
  const layer = c.make(`${c.kind}_${serial++}`);
  buildLayer(layer, c.shape);
  randomizeWeights(tf, layer, seed);
  return layer;
}

/** A freshly built layer of the same kind holding copies of `layer`'s current weights: the uncached computation. */
function freshCopy(c: Case, layer: layers.Layer): layers.Layer {
  const copy = c.make(`${c.kind}_${serial++}`);
  buildLayer(copy, c.shape);
  const weights = layer.getWeights().map((w) => w.clone());
  copy.setWeights(weights);
  tf.dispose(weights);
  return copy;
}

async function infer(layer: layers.Layer, x: Tensor): Promise<Float32Array> {
  const y = layer.apply(x) as Tensor;
  const data = (await y.data()) as Float32Array;
  y.dispose();
  return data;
}

async function kernelNames(f: () => Tensor): Promise<string[]> {
  const profile = await tf.profile(() => tf.dispose(f()));
  return profile.kernels.map((k) => k.name);
}

function input(c: Case, seed: number, batch = 2): Tensor {
  return tf.randomNormal([batch, ...c.shape], 0, 1, 'float32', seed);
}

function expectSame(got: Float32Array, expected: Float32Array): void {
  expect(got.length).toBe(expected.length);
  let maxReference = 0;
  for (let i = 0; i < got.length; i++) {
    maxReference = Math.max(maxReference, Math.abs(expected[i]));
    if (got[i] !== expected[i]) throw new Error(`element ${i}: ${got[i]} ≠ ${expected[i]}`);
  }
  expect(maxReference).toBeGreaterThan(0.1);
}

function expectDifferent(a: Float32Array, b: Float32Array): void {
  expect(a.some((v, i) => Math.abs(v - b[i]) > 1e-3)).toBe(true);
}

describe.each(cases)('$kind: inference folds BatchNorm and gathers biases once per weights', (c) => {
  it('reuses the fold from the second call on, with bitwise the uncached output and no new tensors', async () => {
    const layer = built(c, 1);
    const x = input(c, 2);
    const first = await kernelNames(() => layer.apply(x) as Tensor);
    for (const k of c.uncachedKernels) expect(first).toContain(k);
    const before = tf.memory().numTensors;
    const second = await kernelNames(() => layer.apply(x) as Tensor);
    for (const k of c.uncachedKernels) expect(second).not.toContain(k);
    expect(second.length).toBeLessThan(first.length);
    const cached = await infer(layer, x);
    for (let i = 0; i < 3; i++) tf.dispose(layer.apply(x) as Tensor);
    expect(tf.memory().numTensors).toBe(before);
    const fresh = freshCopy(c, layer);
    expectSame(cached, await infer(fresh, x));
    tf.dispose([x]);
    layer.dispose();
    fresh.dispose();
  });

  it('follows every weight: setWeights, Variable.assign of each weight, a training call, an optimizer step', async () => {
    const layer = built(c, 3);
    const x = input(c, 4);
    let previous = await infer(layer, x);
    const check = async (what: string) => {
      const got = await infer(layer, x);
      const fresh = freshCopy(c, layer);
      try {
        expectSame(got, await infer(fresh, x));
        expectDifferent(got, previous);
      } catch (error) {
        throw new Error(`after ${what}: ${(error as Error).message}`);
      }
      fresh.dispose();
      previous = got;
    };

    randomizeWeights(tf, layer, 5);
    await check('setWeights');
    for (const [i, w] of layer.weights.entries()) {
      if (w.dtype !== 'float32') continue;
      // Positive and away from the old values, so that γ, running_var and every bias change the output.
      const value = tf.tidy(() => tf.add(tf.abs(w.read()), tf.randomUniform(w.shape as number[], 0.5, 1, 'float32', 10 + i)));
      w.write(value);
      value.dispose();
      await check(`assigning ${w.originalName}`);
    }
    const batch = input(c, 6, 4);
    tf.dispose(layer.apply(batch, { training: true }) as Tensor);
    batch.dispose();
    await check('a training call (running statistics)');
    const optimizer = tf.train.sgd(0.5);
    const trainable = layer.trainableWeights.map((w) => w.read() as import('@tensorflow/tfjs-core').Variable);
    optimizer.minimize(() => tf.sum(tf.square(layer.apply(x, { training: true }) as Tensor)) as never, true, trainable)?.dispose();
    await check('an SGD step');
    optimizer.dispose();
    x.dispose();
    layer.dispose();
  });

  it('holds one set of cached tensors across setWeights and frees it with the layer', async () => {
    const baseline = tf.memory().numTensors;
    const layer = built(c, 7);
    const withWeights = tf.memory().numTensors;
    const x = input(c, 8);
    tf.dispose(layer.apply(x) as Tensor);
    const withCache = tf.memory().numTensors;
    expect(withCache).toBeGreaterThan(withWeights + 1);
    for (let seed = 9; seed < 12; seed++) {
      randomizeWeights(tf, layer, seed);
      tf.dispose(layer.apply(x) as Tensor);
      expect(tf.memory().numTensors).toBe(withCache);
    }
    x.dispose();
    layer.dispose();
    expect(tf.memory().numTensors).toBe(baseline);
  });

  it('computes afresh under a gradient tape, so gradients reach the weights in inference too', async () => {
    const layer = built(c, 13);
    const x = input(c, 14);
    const cached = await infer(layer, x);
    const before = tf.memory().numTensors;
    const vars = layer.trainableWeights.map((w) => w.read() as import('@tensorflow/tfjs-core').Variable);
    const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(layer.apply(x, { training: false }) as Tensor)) as never, vars);
    for (const v of vars) {
      const g = grads[v.name];
      expect(g, v.name).toBeDefined();
      expect(tf.tidy(() => g!.abs().max().dataSync()[0]), v.name).toBeGreaterThan(0);
    }
    tf.dispose([value, ...Object.values(grads)]);
    // The tape freed the cached copy (training is about to change the weights); the next inference computes it again.
    expect(tf.memory().numTensors).toBeLessThan(before);
    expectSame(await infer(layer, x), cached);
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    layer.dispose();
  });
});

describe('inference caches in a model', () => {
  it('a LayersModel of these layers leaks nothing across predict and setWeights, and model.dispose frees the caches', async () => {
    const baseline = tf.memory().numTensors;
    const image = tf.input({ shape: [8, 8, 3] });
    let y = new LeViTConv2dBN({ filters: 16, kernelSize: 3, strides: 2, padding: 1, name: 'm_conv' }).apply(image) as SymbolicTensor;
    y = tf.layers.reshape({ targetShape: [16, 16], name: 'm_tokens' }).apply(y) as SymbolicTensor;
    y = new LeViTAttention({ dim: 16, keyDim: 4, numHeads: 2, resolution: 4, name: 'm_attn' }).apply(y) as SymbolicTensor;
    y = new LeViTMLP({ dim: 16, name: 'm_mlp' }).apply(y) as SymbolicTensor;
    y = new LeViTAttentionSubsample({ inDim: 16, outDim: 8, keyDim: 4, numHeads: 2, resolution: 4, name: 'm_shrink' }).apply(y) as SymbolicTensor;
    y = new LeViTLinearBN({ units: 5, name: 'm_head' }).apply(y) as SymbolicTensor;
    const model = tf.model({ inputs: image, outputs: y });
    randomizeWeights(tf, model, 15);
    const x = tf.randomNormal([2, 8, 8, 3], 0, 1, 'float32', 16);
    const withInput = tf.memory().numTensors;
    const first = await infer(model, x);
    // Two per BatchNorm (folded kernel, shift), one per attention (gathered biases).
    expect(tf.memory().numTensors - withInput).toBe(2 * 9 + 2);
    const withCache = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) tf.dispose(model.predict(x) as Tensor);
    expect(tf.memory().numTensors).toBe(withCache);
    randomizeWeights(tf, model, 17);
    expectDifferent(await infer(model, x), first);
    expect(tf.memory().numTensors).toBe(withCache);
    x.dispose();
    model.dispose();
    expect(tf.memory().numTensors).toBe(baseline);
  });
});
