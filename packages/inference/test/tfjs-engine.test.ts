import { registerWasmTrainingKernels } from '@levit-unet/levit-blocks';
import { useTfBackend } from '@levit-unet/test-utils/tf';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { describe, expect, it } from 'vitest';
import { argmaxLabels, createTfjsEngine, predictLogitsArray, predictVolumeLabels } from '../src/index.js';
import { thresholdLabel } from './engines.js';

const tf = await useTfBackend(registerWasmTrainingKernels);

/** A 1x1 convolution with logits [0, 10x − 3, 20x − 12] per pixel: a model whose output is known in closed form. */
function thresholdModel(size: number): LayersModel {
  return tf.sequential({
    layers: [
      tf.layers.conv2d({
        inputShape: [size, size, 1],
        filters: 3,
        kernelSize: 1,
        weights: [tf.tensor4d([0, 10, 20], [1, 1, 1, 3]), tf.tensor1d([0, -3, -12])],
      }),
    ],
  });
}

function randomImages(n: number, seed = 1): Float32Array {
  let s = seed;
  return Float32Array.from({ length: n }, () => ((s = (s * 16807) % 2147483647) / 2147483647) * 1.2 - 0.1);
}

describe('TfjsEngine', () => {
  it('reads the input size and class count, returns NHWC logits of the model, batches as given', async () => {
    const model = thresholdModel(8);
    const engine = createTfjsEngine(model);
    expect(engine.name).toBe('tfjs');
    expect(engine.inputSize).toEqual([8, 8]);
    expect(engine.numClasses).toBe(3);
    const images = randomImages(5 * 64);
    const logits = await engine.predictLogits(images, 5);
    expect(logits).toBeInstanceOf(Float32Array);
    expect(logits.length).toBe(5 * 64 * 3);
    for (let p = 0; p < images.length; p += 37) {
      expect(logits[p * 3 + 1]).toBeCloseTo(10 * images[p]! - 3, 5);
      expect(logits[p * 3 + 2]).toBeCloseTo(20 * images[p]! - 12, 5);
    }
    await expect(engine.predictLogits(images, 4)).rejects.toThrow(/expected 4 images of 8x8/);
    engine.dispose();
    model.dispose();
  });

  it('leaks no tensors, and disposes the model only when it owns it', async () => {
    const model = thresholdModel(8);
    const engine = createTfjsEngine(model);
    const before = tf.memory().numTensors;
    await predictVolumeLabels(engine, { data: randomImages(7 * 64), shape: [7, 8, 8] }, { batchSize: 3 });
    await predictVolumeLabels(engine, { data: randomImages(3 * 100), shape: [3, 10, 10] }, { batchSize: 2 });
    expect(tf.memory().numTensors).toBe(before);
    engine.dispose();
    expect(tf.memory().numTensors).toBe(before);
    const owned = createTfjsEngine(model, { ownsModel: true });
    owned.dispose();
    expect(tf.memory().numTensors).toBe(before - 2);
    await expect(owned.predictLogits(randomImages(64), 1)).rejects.toThrow(/after dispose/);
  });

  it('refuses models that are not (h, w, 1) → (h, w, C)', () => {
    const rgb = tf.sequential({ layers: [tf.layers.conv2d({ inputShape: [8, 8, 3], filters: 2, kernelSize: 1 })] });
    expect(() => createTfjsEngine(rgb)).toThrow(/one input of shape \[null, h, w, 1\]/);
    const pooled = tf.sequential({ layers: [tf.layers.conv2d({ inputShape: [8, 8, 1], filters: 2, kernelSize: 2, strides: 2 })] });
    expect(() => createTfjsEngine(pooled)).toThrow(/logits of shape \[null, 8, 8, C\]/);
    rgb.dispose();
    pooled.dispose();
  });
});

describe('predictLogitsArray / argmaxLabels (copied from levit-unet)', () => {
  it('gives the same logits in NCHW and NHWC, and argmax matches the closed form', async () => {
    const model = thresholdModel(4);
    const before = tf.memory().numTensors;
    const n = 3;
    const data = randomImages(n * 16, 7);
    const batches: number[] = [];
    const nhwc = await predictLogitsArray(model, { data, shape: [n, 4, 4, 1] }, { layout: 'nhwc', batchSize: 2, onBatch: (done) => batches.push(done) });
    const nchw = await predictLogitsArray(model, { data, shape: [n, 1, 4, 4] }, { layout: 'nchw' });
    expect(tf.memory().numTensors).toBe(before);
    expect(batches).toEqual([2, 3]);
    expect(nhwc.shape).toEqual([n, 4, 4, 3]);
    expect(nchw.shape).toEqual([n, 3, 4, 4]);
    for (let i = 0; i < n; i++) {
      for (let p = 0; p < 16; p++) {
        for (let k = 0; k < 3; k++) expect(nchw.data[(i * 3 + k) * 16 + p]).toBe(nhwc.data[(i * 16 + p) * 3 + k]);
      }
    }
    const expected = Array.from(data, thresholdLabel);
    expect(Array.from(argmaxLabels(nhwc, 'nhwc').data)).toEqual(expected);
    expect(Array.from(argmaxLabels(nchw, 'nchw').data)).toEqual(expected);
    await expect(predictLogitsArray(model, { data, shape: [n, 4, 4, 1] }, { source: 'x.npy' })).rejects.toThrow(
      /x.npy: expected a float32 array of shape \(n, 1, 4, 4\) \(NCHW\)/,
    );
    model.dispose();
  });
});
