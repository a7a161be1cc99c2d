import { beforeAll, describe, expect, it } from 'vitest';
import type { Tensor } from '@tensorflow/tfjs-core';
import type { SymbolicTensor } from '@tensorflow/tfjs-layers';
import { useTfBackend } from '@levit-unet/test-utils/tf';
import { registerWasmTrainingKernels } from '@levit-unet/levit-blocks';
import { ConvEncoder, createUNet, DecoderBlock, SegmentationHead, UNetDecoder, validatePyramid } from '../src/index.js';

let tf: Awaited<ReturnType<typeof useTfBackend>>;
beforeAll(async () => {
  tf = await useTfBackend(registerWasmTrainingKernels);
});

describe('DecoderBlock', () => {
  it('upsamples ×2 (bilinear, align_corners=True) before two conv-BN-ReLU, official weight names', async () => {
    const input = tf.input({ shape: [3, 3, 4] });
    const block = new DecoderBlock({ outChannels: 6, name: 'decoderBlock_1' });
    const out = block.apply(input) as SymbolicTensor;
    expect(out.shape).toEqual([null, 6, 6, 6]);
    expect(block.weights.map((w) => w.originalName).sort()).toEqual(
      ['0.weight', '1.weight', '1.bias', '1.running_mean', '1.running_var', '1.num_batches_tracked']
        .flatMap((s) => [`decoderBlock_1/conv1.${s}`, `decoderBlock_1/conv2.${s}`])
        .sort(),
    );
    // conv1: 3·3·4·6 + BN 2·6; conv2: 3·3·6·6 + 2·6
    expect(block.countParams() - 2 * (2 * 6 + 1)).toBe(9 * 4 * 6 + 12 + 9 * 6 * 6 + 12);
    const y = (tf.model({ inputs: input, outputs: out }).predict(tf.randomNormal([1, 3, 3, 4])) as Tensor);
    expect(Math.min(...(await y.data()))).toBeGreaterThanOrEqual(0);
  });
});

describe('SegmentationHead', () => {
  it('is a 3×3 conv with bias then ×2 bilinear upsampling', async () => {
    const head = new SegmentationHead({ numClasses: 3, name: 'segmentation_head' });
    const input = tf.input({ shape: [4, 4, 2] });
    const out = head.apply(input) as SymbolicTensor;
    expect(out.shape).toEqual([null, 8, 8, 3]);
    head.setWeights([tf.zeros([3, 3, 2, 3]), tf.tensor1d([1, -2, 0.5])]);
    const y = await (tf.model({ inputs: input, outputs: out }).predict(tf.randomNormal([1, 4, 4, 2])) as Tensor).data();
    for (let i = 0; i < y.length; i++) expect(y[i]).toBeCloseTo([1, -2, 0.5][i % 3], 6);
  });
});

describe('feature pyramid', () => {
  it('names the wrong field', () => {
    expect(() => validatePyramid({ strides: [2, 4], channels: [1] })).toThrow(/same length/);
    expect(() => validatePyramid({ strides: [2, 4, 16], channels: [1, 2, 3] })).toThrow(/twice the previous.*strides\[2\] = 16/);
    expect(() => validatePyramid({ strides: [2, 4], channels: [8, 0] })).toThrow(/channels\[1\]/);
    expect(() => new UNetDecoder({ pyramid: { strides: [2, 4, 8], channels: [4, 8, 16] }, numClasses: 2, decoderChannels: [8] })).toThrow(
      /decoderChannels must hold 2/,
    );
  });

  it('checks the feature maps it is given against the pyramid', () => {
    const decoder = new UNetDecoder({ pyramid: { strides: [2, 4], channels: [4, 8] }, numClasses: 2 });
    const a = tf.input({ shape: [8, 8, 4] });
    const b = tf.input({ shape: [4, 4, 9] });
    expect(() => decoder.apply([a, b])).toThrow(/feature 1 \(stride 4\) must be NHWC with 8 channels/);
    expect(() => decoder.apply([a])).toThrow(/expected 2 feature maps/);
  });
});

describe('a CNN encoder with UNetDecoder (encoder swap)', () => {
  it('builds, predicts full-resolution logits and trains a step', async () => {
    const encoder = new ConvEncoder({ channels: [8, 16, 24, 32] });
    const net = createUNet({ encoder, inputShape: [32, 32, 1], numClasses: 3, decoderChannels: [32, 16, 8] });
    expect(net.outputs[0].shape).toEqual([null, 32, 32, 3]);
    expect(net.getLayer('decoderBlock_1')).toBeInstanceOf(DecoderBlock);
    // Seeded He-normal kernels (tfjs's initialisers are not seeded; biases and BatchNorm start at constants)
    // and labels the network can learn (intensity bands of x), so the loss check is deterministic, not luck.
    net.trainableWeights.forEach((w, i) => {
      const shape = w.shape as number[];
      if (shape.length < 2) return;
      const fanIn = shape.slice(0, -1).reduce((p, q) => p * q, 1);
      tf.tidy(() => {
        w.write(tf.randomNormal(shape, 0, Math.sqrt(2 / fanIn), 'float32', 100 + i));
      });
    });
    const x = tf.randomNormal([2, 32, 32, 1], 0, 1, 'float32', 7);
    const labels = tf.tidy(() => tf.oneHot(tf.add(tf.greater(x, -0.5).asType('int32'), tf.greater(x, 0.5).asType('int32')).reshape([2, 32, 32]) as Tensor, 3));
    net.compile({ optimizer: tf.train.adam(1e-2), loss: (yTrue: Tensor, yPred: Tensor) => tf.losses.softmaxCrossEntropy(yTrue, yPred) });
    const before = net.trainableWeights.map((w) => w.read().dataSync().slice());
    const history = await net.fit(x, labels, { epochs: 3, batchSize: 2, verbose: 0 });
    const losses = history.history.loss as number[];
    expect(losses[2]).toBeLessThan(losses[0]);
    const changed = net.trainableWeights.filter((w, i) => w.read().dataSync().some((v, j) => v !== before[i][j]));
    expect(changed.length).toBe(net.trainableWeights.length);
  });

  it('rejects an input size the coarsest stride does not divide', () => {
    expect(() => createUNet({ encoder: new ConvEncoder(), inputShape: [40, 40, 1], numClasses: 2 })).toThrow(/multiples of the encoder's coarsest stride 16/);
  });
});
