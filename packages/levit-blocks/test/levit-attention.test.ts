import { beforeAll, describe, expect, it } from 'vitest';
import { useTfBackend } from '@levit-unet/test-utils/tf';
import { LeViTAttentionSubsample, LeViTAttention, LeViTMLP, registerWasmTrainingKernels } from '../src/index.js';
import { bnParams, buildLayer, compareToReference, randomizeWeights, refAttention, refHardswish, refLinearBN, weightsBySuffix } from './helpers.js';

let tf: Awaited<ReturnType<typeof useTfBackend>>;
beforeAll(async () => {
  tf = await useTfBackend(registerWasmTrainingKernels);
});

function randomTokens(shape: number[], seed: number) {
  return tf.randomNormal(shape, 0, 1, 'float32', seed);
}

describe('LeViTAttention', () => {
  it('computes the official forward (float64 reference) in inference', async () => {
    const [batch, r, dim, keyDim, numHeads] = [2, 4, 32, 8, 3];
    const layer = new LeViTAttention({ dim, keyDim, numHeads, attnRatio: 2, resolution: r, name: 'block_1.0.m' });
    buildLayer(layer, [r * r, dim]);
    randomizeWeights(tf, layer, 1);
    const x = randomTokens([batch, r * r, dim], 2);
    const y = layer.apply(x) as import('@tensorflow/tfjs-core').Tensor;
    expect(y.shape).toEqual([batch, r * r, dim]);
    const got = await y.data();
    const w = await weightsBySuffix(layer);
    const xs = Float64Array.from(await x.data());
    const n = r * r;
    const dv = 2 * keyDim;
    const perHead = 2 * keyDim + dv;
    for (let b = 0; b < batch; b++) {
      const xb = xs.subarray(b * n * dim, (b + 1) * n * dim);
      const qkv = refLinearBN(xb, n, w.get('qkv.c.weight')!, numHeads * perHead, bnParams(w, 'qkv.bn'));
      const attended = refAttention({
        x: xb, numTokens: n, queries: xb, numQueries: n, numHeads, keyDim, valueDim: dv, kv: qkv, kvPerHead: perHead,
        qOffset: 0, kOffset: keyDim, vOffset: 2 * keyDim, q: null,
        biases: w.get('attention_biases')!, numOffsets: layer.biasIndex.numOffsets, idxs: layer.biasIndex.idxs,
      });
      const ref = refLinearBN(refHardswish(attended), n, w.get('proj.1.c.weight')!, dim, bnParams(w, 'proj.1.bn'));
      const { maxError, maxReference } = compareToReference(ref, got, b * n * dim);
      expect(maxReference).toBeGreaterThan(0.1);
      expect(maxError / maxReference).toBeLessThan(1e-5);
    }
  });

  it('names its weights after the PyTorch state_dict and counts the official parameters', () => {
    const layer = new LeViTAttention({ dim: 128, keyDim: 16, numHeads: 4, resolution: 14, name: 'block_1.0.m' });
    buildLayer(layer, [196, 128]);
    expect(layer.weights.map((w) => w.originalName.slice('block_1.0.m/'.length)).sort()).toEqual([
      'qkv.c.weight', 'qkv.bn.weight', 'qkv.bn.bias', 'qkv.bn.running_mean', 'qkv.bn.running_var', 'qkv.bn.num_batches_tracked',
      'proj.1.c.weight', 'proj.1.bn.weight', 'proj.1.bn.bias', 'proj.1.bn.running_mean', 'proj.1.bn.running_var', 'proj.1.bn.num_batches_tracked',
      'attention_biases',
    ].sort());
    // qkv: 128·256 + 2·256; proj: 128·128 + 2·128; biases 4 × 196 (LeViT-128S block 0).
    const trainable = layer.trainableWeights.reduce((a, w) => a + w.shape.reduce((p: number, q) => p * (q as number), 1), 0);
    expect(trainable).toBe(128 * 256 + 512 + 128 * 128 + 256 + 4 * 196);
  });

  it('rejects a token count other than resolution²', () => {
    const layer = new LeViTAttention({ dim: 16, keyDim: 4, numHeads: 2, resolution: 4, name: 'a' });
    expect(() => layer.apply(tf.zeros([1, 9, 16]))).toThrow(/expected tokens of shape \[batch, 16, C\].*4×4/);
    expect(() => layer.apply(tf.zeros([1, 16, 8]))).toThrow(/expected axis -1 of input shape to have value 16/);
  });
});

describe('AttentionSubsample', () => {
  it('computes the official shrink attention (float64 reference) in inference', async () => {
    const [batch, r, inDim, outDim, keyDim, numHeads] = [2, 5, 24, 40, 4, 6];
    const layer = new LeViTAttentionSubsample({ inDim, outDim, keyDim, numHeads, attnRatio: 4, stride: 2, resolution: r, name: 'block_2.4' });
    buildLayer(layer, [r * r, inDim]);
    randomizeWeights(tf, layer, 3);
    const x = randomTokens([batch, r * r, inDim], 4);
    const y = layer.apply(x) as import('@tensorflow/tfjs-core').Tensor;
    const rOut = 3;
    expect(layer.resolutionOut).toBe(rOut);
    expect(y.shape).toEqual([batch, rOut * rOut, outDim]);
    const got = await y.data();
    const w = await weightsBySuffix(layer);
    const xs = Float64Array.from(await x.data());
    const n = r * r;
    const nq = rOut * rOut;
    const dv = 4 * keyDim;
    for (let b = 0; b < batch; b++) {
      const xb = xs.subarray(b * n * inDim, (b + 1) * n * inDim);
      const kv = refLinearBN(xb, n, w.get('kv.c.weight')!, numHeads * (keyDim + dv), bnParams(w, 'kv.bn'));
      // Subsample: x.view(B, r, r, C)[:, ::2, ::2]
      const sub = new Float64Array(nq * inDim);
      let t = 0;
      for (let yy = 0; yy < r; yy += 2) for (let xx = 0; xx < r; xx += 2) sub.set(xb.subarray((yy * r + xx) * inDim, (yy * r + xx + 1) * inDim), inDim * t++);
      const q = refLinearBN(sub, nq, w.get('q.1.c.weight')!, numHeads * keyDim, bnParams(w, 'q.1.bn'));
      const attended = refAttention({
        x: xb, numTokens: n, queries: sub, numQueries: nq, numHeads, keyDim, valueDim: dv, kv, kvPerHead: keyDim + dv,
        qOffset: null, kOffset: 0, vOffset: keyDim, q,
        biases: w.get('attention_biases')!, numOffsets: layer.biasIndex.numOffsets, idxs: layer.biasIndex.idxs,
      });
      const ref = refLinearBN(refHardswish(attended), nq, w.get('proj.1.c.weight')!, outDim, bnParams(w, 'proj.1.bn'));
      const { maxError, maxReference } = compareToReference(ref, got, b * nq * outDim);
      expect(maxReference).toBeGreaterThan(0.1);
      expect(maxError / maxReference).toBeLessThan(1e-5);
    }
  });
});

describe('LeViTMLP', () => {
  it('is Linear_BN → Hardswish → Linear_BN (float64 reference), second BN initialised to γ = 0', async () => {
    const layer = new LeViTMLP({ dim: 12, mlpRatio: 2, name: 'block_1.1.m' });
    buildLayer(layer, [4, 12]);
    const gammaInit = await layer.weights.find((w) => w.originalName.endsWith('2.bn.weight'))!.read().data();
    expect(Array.from(gammaInit).every((v) => v === 0)).toBe(true);
    randomizeWeights(tf, layer, 5);
    const x = randomTokens([1, 4, 12], 6);
    const got = await (layer.apply(x) as import('@tensorflow/tfjs-core').Tensor).data();
    const w = await weightsBySuffix(layer);
    const hidden = refHardswish(refLinearBN(Float64Array.from(await x.data()), 4, w.get('0.c.weight')!, 24, bnParams(w, '0.bn')));
    const ref = refLinearBN(hidden, 4, w.get('2.c.weight')!, 12, bnParams(w, '2.bn'));
    for (let i = 0; i < ref.length; i++) expect(got[i]).toBeCloseTo(ref[i], 4);
  });
});
