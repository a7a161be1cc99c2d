/**
 * The browser-safe trainer core: with a runtime that writes pre-allocated outputs (onnxruntime-node) and
 * with one that returns its own arrays (onnxruntime-web's behaviour), the same steps; and `syncModel`
 * hands the tfjs model its own copy (tfjs's cpu backend keeps the arrays it is given).
 */
import * as ort from 'onnxruntime-node';
import { describe, expect, it } from 'vitest';
import { registerWasmTrainingKernels } from '@levit-unet/levit-blocks';
import { useTfBackend } from '@levit-unet/test-utils/tf';
import { ConvEncoder, createUNet } from '@levit-unet/unet-decoder';
import { createOnnxTrainer, type OnnxRuntimeLike } from '../src/index.js';

const tf = await useTfBackend(registerWasmTrainingKernels, 'cpu');
const make = () => createUNet({ encoder: new ConvEncoder({ channels: [4, 8] }), inputShape: [16, 16, 1], numClasses: 2, decoderChannels: [4] });
const labels = Int32Array.from({ length: 512 }, (_, i) => ((i >> 2) + (i % 16)) % 2);
const batch = { images: Float32Array.from(labels, (l, i) => l + 0.1 * Math.sin(i)), labels, labelShape: [2, 16, 16] as const };
const runtime = ort as unknown as OnnxRuntimeLike;
const options = { batchSize: 2, optimizer: { name: 'adam' as const }, device: 'cpu', sessionOptions: { executionProviders: ['cpu'], intraOpNumThreads: 1 } };
const snapshot = (m: ReturnType<typeof make>) => m.weights.map((w) => Float32Array.from(w.read().dataSync()));

describe('createOnnxTrainer', () => {
  it('trains the same with pre-allocated outputs and with outputs fetched by name', async () => {
    const a = make();
    const b = make();
    b.setWeights(a.getWeights());
    const inPlace = await createOnnxTrainer(runtime, a, { ...options, preallocatedOutputs: true });
    const byName = await createOnnxTrainer(runtime, b, options);
    for (let k = 0; k < 3; k++) {
      const [x, y] = [await inPlace.step(batch, 1e-2), await byName.step(batch, 1e-2)];
      expect(y.loss).toBe(x.loss);
    }
    inPlace.syncModel();
    byName.syncModel();
    const [wa, wb] = [snapshot(a), snapshot(b)];
    wa.forEach((w, k) => expect(Array.from(wb[k]!)).toEqual(Array.from(w)));
    await inPlace.dispose();
    await byName.dispose();
  });

  it('syncModel gives the model a copy: later steps do not change it until the next sync', async () => {
    expect(tf.getBackend()).toBe('cpu');
    const model = make();
    const trainer = await createOnnxTrainer(runtime, model, { ...options, preallocatedOutputs: true });
    await trainer.step(batch, 1e-2);
    trainer.syncModel();
    const synced = snapshot(model);
    await trainer.step(batch, 1e-2);
    await trainer.step(batch, 1e-2);
    snapshot(model).forEach((w, k) => expect(Array.from(w)).toEqual(Array.from(synced[k]!)));
    trainer.syncModel();
    expect(snapshot(model).some((w, k) => w.some((v, i) => v !== synced[k]![i]))).toBe(true);
    await trainer.dispose();
  });
});
