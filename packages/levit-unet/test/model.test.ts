import { mkdtemp, readdir, rm, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tensor } from '@tensorflow/tfjs-core';
import type { LayersModel, SymbolicTensor } from '@tensorflow/tfjs-layers';
import { registerWasmTrainingKernels } from '@levit-unet/levit-blocks';
import { createUNet } from '@levit-unet/unet-decoder';
import { SeededRandom } from '@levit-unet/datasets';
import { useTfBackend } from '@levit-unet/test-utils/tf';
import { createLeViTEncoder, createLeViTUNet, describeLeViTUNet, getLeViTUNetConfig } from '../src/index.js';
import { loadLeViTUNet, saveModelDir } from '../src/node/index.js';

let tf: Awaited<ReturnType<typeof useTfBackend>>;
let scratch: string;
beforeAll(async () => {
  tf = await useTfBackend(registerWasmTrainingKernels);
  scratch = await mkdtemp(join(tmpdir(), 'levit-unet-model-'));
});
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

/** Non-trivial values for every weight (γ = 0 initialisations would hide whole branches). */
function randomizeModel(model: LayersModel, seed: number): void {
  const rand = SeededRandom.stream(seed);
  model.setWeights(
    model.weights.map((w) => {
      const shape = w.shape as number[];
      const n = shape.reduce((a, b) => a * b, 1);
      if (w.dtype === 'int32') return tf.zeros(shape, 'int32');
      const name = w.originalName;
      const fanIn = shape.length > 1 ? n / shape[shape.length - 1] : 1;
      const values = Float32Array.from({ length: n }, () => {
        if (/(bn|\.1)\.weight$/.test(name)) return 0.5 + rand();
        if (name.endsWith('running_var')) return 0.5 + 1.5 * rand();
        if (name.endsWith('running_mean') || name.endsWith('bias')) return 0.2 * (rand() - 0.5);
        return (2 * rand() - 1) / Math.sqrt(fanIn);
      });
      return tf.tensor(values, shape);
    }),
  );
}

describe('createLeViTUNet', () => {
  it.each([
    ['128s', 15_904_715, 41_696],
    ['192', 19_904_670, 57_424],
    ['384', 52_166_029, 106_912],
  ] as const)('LeViT-UNet-%s has the official trainable parameter count for 9 classes', (variant, trainable, runningStats) => {
    const model = createLeViTUNet({ variant, numClasses: 9 });
    const info = describeLeViTUNet(model);
    expect(info.trainableParams).toBe(trainable);
    expect(info.runningStatElements).toBe(runningStats);
    expect(info.outputShape).toEqual([1, 224, 224, 9]);
    model.dispose();
  });

  it('gives each stage the official shape (128s and 192 at 224×224)', () => {
    const expected = {
      '128s': { s1: 128, s2: 256, s3: 384, last: ['block_1.3', 'block_2.11', 'block_3.21'], stem: 128, bottleneck: 896 },
      '192': { s1: 192, s2: 288, s3: 384, last: ['block_1.7', 'block_2.17', 'block_3.27'], stem: 192, bottleneck: 1056 },
    } as const;
    for (const [variant, e] of Object.entries(expected)) {
      const model = createLeViTUNet({ variant: variant as '128s' | '192', numClasses: 9 });
      const shape = (name: string) => (model.getLayer(name).output as SymbolicTensor).shape;
      const n = e.stem;
      expect(shape('cnn_b1.1')).toEqual([null, 112, 112, n / 8]);
      expect(shape('cnn_b2.1')).toEqual([null, 56, 56, n / 4]);
      expect(shape('cnn_b3.1')).toEqual([null, 28, 28, n / 2]);
      expect(shape('cnn_b4.0')).toEqual([null, 14, 14, n]);
      expect(shape(e.last[0])).toEqual([null, 196, e.s1]);
      expect(shape(e.last[1])).toEqual([null, 49, e.s2]);
      expect(shape(e.last[2])).toEqual([null, 16, e.s3]);
      expect(shape('block_2_up')).toEqual([null, 14, 14, e.s2]);
      expect(shape('block_3_up2')).toEqual([null, 16, 16, e.s3]);
      expect(shape('block_3_resize')).toEqual([null, 14, 14, e.s3]);
      expect(shape('bottleneck')).toEqual([null, 14, 14, e.bottleneck]);
      expect(shape('decoderBlock_1')).toEqual([null, 28, 28, 512]);
      expect(shape('decoderBlock_2')).toEqual([null, 56, 56, 256]);
      expect(shape('decoderBlock_3')).toEqual([null, 112, 112, 128]);
      expect(shape('segmentation_head')).toEqual([null, 224, 224, 9]);
      // concatenation order: stem, stage 1, stage 2 up, stage 3 up
      const inbound = (model.getLayer('bottleneck').inboundNodes[0].inboundLayers).map((l) => l.name);
      expect(inbound).toEqual(['cnn_b4.0', 'block_1_map', 'block_2_up', 'block_3_resize']);
      expect(model.getLayer('decoderBlock_2_input').inboundNodes[0].inboundLayers.map((l) => l.name)).toEqual(['decoderBlock_1', 'cnn_b3.1']);
      expect(model.getLayer('segmentation_head_input').inboundNodes[0].inboundLayers.map((l) => l.name)).toEqual(['decoderBlock_3', 'cnn_b1.1']);
      model.dispose();
    }
  });

  it('gives every trainable weight a non-zero gradient on a batch', async () => {
    // 96×96: the stage grids are 6, 3 and 2 tokens per side (a 1-token stage would make softmax constant).
    const model = createLeViTUNet({ variant: '128s', numClasses: 3, imgSize: 96 });
    randomizeModel(model, 1);
    const x = tf.randomUniform([2, 96, 96, 1], 0, 1, 'float32', 2);
    const labels = tf.oneHot(tf.randomUniform([2, 96, 96], 0, 3, 'int32', 3), 3);
    const vars = model.trainableWeights.map((w) => w.read() as import('@tensorflow/tfjs-core').Variable);
    const { grads, value } = tf.variableGrads(
      () => tf.losses.softmaxCrossEntropy(labels, model.apply(x, { training: true }) as Tensor) as import('@tensorflow/tfjs-core').Scalar,
      vars,
    );
    expect(Number.isFinite((await value.data())[0])).toBe(true);
    const zero: string[] = [];
    for (const w of model.trainableWeights) {
      const g = grads[(w.read() as import('@tensorflow/tfjs-core').Variable).name];
      const max = (await tf.max(tf.abs(g)).data())[0];
      if (!(max > 0) || !Number.isFinite(max)) zero.push(w.originalName);
    }
    expect(zero).toEqual([]);
    expect(Object.keys(grads).length).toBe(model.trainableWeights.length);
    model.dispose();
  });

  it('uses drop-path only in training (384 has drop_path 0.1)', async () => {
    const model = createLeViTUNet({ variant: '384', numClasses: 2, imgSize: 64 });
    expect(getLeViTUNetConfig(model).dropPath).toBe(0.1);
    randomizeModel(model, 4);
    const x = tf.randomUniform([4, 64, 64, 1], 0, 1, 'float32', 5);
    const a = await (model.predict(x) as Tensor).data();
    const b = await (model.predict(x) as Tensor).data();
    const c = await (model.apply(x, { training: false }) as Tensor).data();
    expect(Array.from(b)).toEqual(Array.from(a));
    expect(Array.from(c)).toEqual(Array.from(a));
    const t1 = await (model.apply(x, { training: true }) as Tensor).data();
    const t2 = await (model.apply(x, { training: true }) as Tensor).data();
    expect(Array.from(t1)).not.toEqual(Array.from(t2));
    model.dispose();
  });

  it('normalises with batch statistics in training and updates the running statistics only then', async () => {
    const model = createLeViTUNet({ variant: '128s', numClasses: 2, imgSize: 64 });
    randomizeModel(model, 6);
    const stat = () => model.getLayer('decoderBlock_1').weights.find((w) => w.originalName.endsWith('conv1.1.running_mean'))!.read().dataSync().slice();
    const x = tf.randomUniform([2, 64, 64, 1], 0, 1, 'float32', 7);
    const s0 = stat();
    const inference = await (model.predict(x) as Tensor).data();
    expect(Array.from(stat())).toEqual(Array.from(s0));
    const training = await (model.apply(x, { training: true }) as Tensor).data();
    expect(Array.from(stat())).not.toEqual(Array.from(s0));
    expect(Array.from(training)).not.toEqual(Array.from(inference));
    model.dispose();
  });

  it('saves to a model directory atomically and loads with identical outputs', async () => {
    const model = createLeViTUNet({ variant: '128s', numClasses: 4, imgSize: 64 });
    randomizeModel(model, 8);
    const dir = join(scratch, 'saved');
    await saveModelDir(model, dir);
    await saveModelDir(model, dir, { force: true });
    expect((await readdir(dir)).sort()).toEqual(['model.json', 'weights.bin']);
    expect((await readdir(scratch)).filter((f) => f.startsWith('.'))).toEqual([]);
    const loaded = await loadLeViTUNet(dir);
    expect(getLeViTUNetConfig(loaded)).toEqual(getLeViTUNetConfig(model));
    const x = tf.randomUniform([2, 64, 64, 1], 0, 1, 'float32', 9);
    const a = await (model.predict(x) as Tensor).data();
    const b = await (loaded.predict(x) as Tensor).data();
    expect(Array.from(b)).toEqual(Array.from(a));
    await truncate(join(dir, 'weights.bin'), 1000);
    await expect(loadLeViTUNet(dir)).rejects.toThrow(/weight files hold 1000 bytes but model\.json describes/);
    await expect(loadLeViTUNet(join(scratch, 'missing'))).rejects.toThrow(/model\.json not found/);
    model.dispose();
    loaded.dispose();
  });

  it('does not leak tensors over repeated predictions', async () => {
    const model = createLeViTUNet({ variant: '128s', numClasses: 2, imgSize: 64 });
    const x = tf.zeros([1, 64, 64, 1]);
    tf.tidy(() => model.predict(x));
    const before = tf.memory().numTensors;
    for (let i = 0; i < 30; i++) tf.dispose(model.predict(x));
    expect(tf.memory().numTensors).toBe(before);
    model.dispose();
  });

  it('explains bad input clearly', () => {
    const model = createLeViTUNet({ variant: '128s', numClasses: 2 });
    expect(() => model.predict(tf.zeros([1, 256, 256, 1]))).toThrow(/expected image to have shape \[null,224,224,1\]/);
    expect(() => model.predict(tf.zeros([1, 224, 224, 3]))).toThrow(/\[null,224,224,1\].*\[1,224,224,3\]/);
    model.dispose();
    expect(() => createLeViTUNet({ variant: '128s', numClasses: 2, imgSize: 100 })).toThrow(/imgSize must be a positive multiple of 32.*imgSize\/16 tokens/);
    expect(() => createLeViTUNet({ variant: '128s', numClasses: 0 })).toThrow(/numClasses must be a positive integer/);
    expect(() => createLeViTUNet({ variant: '256' as '128s', numClasses: 2 })).toThrow(/unknown LeViT-UNet variant "256"/);
  });
});

describe('the LeViT encoder with another decoder (encoder swap)', () => {
  it('builds, runs and trains a step with a slimmer decoder', async () => {
    const encoder = createLeViTEncoder({ variant: '128s', imgSize: 64 });
    expect(encoder.pyramid).toEqual({ strides: [2, 4, 8, 16], channels: [16, 32, 64, 896] });
    const net = createUNet({ encoder, inputShape: [64, 64, 1], numClasses: 3, decoderChannels: [64, 32, 16] });
    expect(net.outputs[0].shape).toEqual([null, 64, 64, 3]);
    net.compile({ optimizer: tf.train.adam(1e-3), loss: (yTrue: Tensor, yPred: Tensor) => tf.losses.softmaxCrossEntropy(yTrue, yPred) });
    const x = tf.randomUniform([2, 64, 64, 1], 0, 1, 'float32', 10);
    const y = tf.oneHot(tf.randomUniform([2, 64, 64], 0, 3, 'int32', 11), 3);
    const before = net.getLayer('decoderBlock_1').getWeights()[0].dataSync().slice();
    const history = await net.fit(x, y, { epochs: 1, batchSize: 2, verbose: 0 });
    expect(Number.isFinite(history.history.loss[0] as number)).toBe(true);
    const after = net.getLayer('decoderBlock_1').getWeights()[0].dataSync();
    expect(after.some((v, i) => v !== before[i])).toBe(true);
    net.dispose();
  });
});
