import { beforeAll, describe, expect, it } from 'vitest';
import type { Tensor } from '@tensorflow/tfjs-core';
import { useTfBackend } from '@levit-unet/test-utils/tf';
import { LeViTConv2dBN, LeViTLinearBN, registerWasmTrainingKernels } from '../src/index.js';
import { bnParams, buildLayer, randomizeWeights, weightsBySuffix } from './helpers.js';

let tf: Awaited<ReturnType<typeof useTfBackend>>;
beforeAll(async () => {
  tf = await useTfBackend(registerWasmTrainingKernels);
});

/** PyTorch Conv2d(stride s, padding p, bias=False) on NHWC in float64: out[y][x] = Σ w·in[y·s − p + i][x·s − p + j]. */
function refConv(x: Float64Array, [b, h, w, c]: number[], k: Float64Array, kernel: number, outC: number, s: number, p: number) {
  const oh = Math.floor((h + 2 * p - kernel) / s) + 1;
  const ow = Math.floor((w + 2 * p - kernel) / s) + 1;
  const out = new Float64Array(b * oh * ow * outC);
  for (let n = 0; n < b; n++)
    for (let y = 0; y < oh; y++)
      for (let xx = 0; xx < ow; xx++)
        for (let o = 0; o < outC; o++) {
          let sum = 0;
          for (let i = 0; i < kernel; i++)
            for (let j = 0; j < kernel; j++) {
              const iy = y * s - p + i;
              const ix = xx * s - p + j;
              if (iy < 0 || ix < 0 || iy >= h || ix >= w) continue;
              for (let ci = 0; ci < c; ci++) sum += x[((n * h + iy) * w + ix) * c + ci] * k[((i * kernel + j) * c + ci) * outC + o];
            }
          out[((n * oh + y) * ow + xx) * outC + o] = sum;
        }
  return { out, shape: [b, oh, ow, outC] };
}

describe('Conv2dBN', () => {
  it('pads like PyTorch (padding=1 on both sides, not TF "same") and folds BN exactly in inference', async () => {
    const layer = new LeViTConv2dBN({ filters: 5, kernelSize: 3, strides: 2, padding: 1, name: 'cnn_b1.0' });
    buildLayer(layer, [8, 6, 3]);
    randomizeWeights(tf, layer, 11);
    const x = tf.randomNormal([2, 8, 6, 3], 0, 1, 'float32', 12);
    const y = layer.apply(x) as Tensor;
    expect(y.shape).toEqual([2, 4, 3, 5]);
    const w = await weightsBySuffix(layer);
    const { out } = refConv(Float64Array.from(await x.data()), [2, 8, 6, 3], w.get('c.weight')!, 3, 5, 2, 1);
    const bn = bnParams(w, 'bn');
    const got = await y.data();
    for (let i = 0; i < out.length; i++) {
      const o = i % 5;
      const ref = ((out[i] - bn.mean[o]) / Math.sqrt(bn.variance[o] + 1e-5)) * bn.gamma[o] + bn.beta[o];
      expect(got[i]).toBeCloseTo(ref, 4);
    }
  });

  it('normalises with batch statistics in training and updates the running statistics as PyTorch (momentum 0.1, unbiased variance)', async () => {
    const layer = new LeViTConv2dBN({ filters: 4, kernelSize: 1, strides: 1, padding: 0, name: 'c' });
    buildLayer(layer, [3, 3, 2]);
    randomizeWeights(tf, layer, 21);
    const before = await weightsBySuffix(layer);
    const x = tf.randomNormal([2, 3, 3, 2], 0, 2, 'float32', 22);
    const y = layer.apply(x, { training: true }) as Tensor;
    const { out } = refConv(Float64Array.from(await x.data()), [2, 3, 3, 2], before.get('c.weight')!, 1, 4, 1, 0);
    const count = 18;
    const after = await weightsBySuffix(layer);
    const got = await y.data();
    for (let o = 0; o < 4; o++) {
      const vals = Array.from({ length: count }, (_, i) => out[i * 4 + o]);
      const mean = vals.reduce((a, b) => a + b, 0) / count;
      const biased = vals.reduce((a, b) => a + (b - mean) ** 2, 0) / count;
      const { gamma, beta } = bnParams(before, 'bn');
      for (let i = 0; i < count; i++) {
        expect(got[i * 4 + o]).toBeCloseTo(((vals[i] - mean) / Math.sqrt(biased + 1e-5)) * gamma[o] + beta[o], 4);
      }
      expect(after.get('bn.running_mean')![o]).toBeCloseTo(0.9 * before.get('bn.running_mean')![o] + 0.1 * mean, 5);
      expect(after.get('bn.running_var')![o]).toBeCloseTo(0.9 * before.get('bn.running_var')![o] + 0.1 * biased * (count / (count - 1)), 5);
    }
    expect(after.get('bn.num_batches_tracked')![0]).toBe(before.get('bn.num_batches_tracked')![0] + 1);
  });

  it('leaves the running statistics alone in inference', async () => {
    const layer = new LeViTConv2dBN({ filters: 2, name: 'c2' });
    buildLayer(layer, [4, 4, 1]);
    const before = await weightsBySuffix(layer);
    layer.apply(tf.randomNormal([1, 4, 4, 1]));
    const after = await weightsBySuffix(layer);
    expect(after).toEqual(before);
  });

  it('refuses training with a single value per channel, as PyTorch does', () => {
    const layer = new LeViTLinearBN({ units: 3, name: 'l' });
    expect(() => layer.apply(tf.ones([1, 4]), { training: true })).toThrow(/more than 1 value per channel/);
  });

  it('serialises its config and weights through a model round trip', async () => {
    const input = (await import('@tensorflow/tfjs-layers')).input({ shape: [6, 6, 2] });
    const layer = new LeViTConv2dBN({ filters: 3, strides: 2, padding: 1, bnWeightInit: 0, name: 'cnn_b2.0' });
    const model = tf.model({ inputs: input, outputs: layer.apply(input) as import('@tensorflow/tfjs-layers').SymbolicTensor });
    randomizeWeights(tf, layer, 3);
    const restored = await tf.models.modelFromJSON({ modelTopology: model.toJSON(null, false) as never });
    restored.setWeights(model.getWeights());
    const x = tf.randomNormal([1, 6, 6, 2]);
    const a = await (model.predict(x) as Tensor).data();
    const b = await (restored.predict(x) as Tensor).data();
    expect(Array.from(b)).toEqual(Array.from(a));
    expect(restored.getLayer('cnn_b2.0').getConfig()).toMatchObject({ filters: 3, strides: 2, padding: 1, bnWeightInit: 0 });
  });
});
