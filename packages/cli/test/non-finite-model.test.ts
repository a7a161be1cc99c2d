/**
 * A model whose weights hold NaN used to predict all background with exit 0. evaluate and predict must
 * fail with one line that says the logits are not finite (inference's checkFiniteLogits) and how many.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeSyntheticNifti, writeSyntheticSynapse } from '@levit-unet/datasets/node';
import { encodeNpy } from '@levit-unet/datasets';
import { createLeViTUNet } from '@levit-unet/levit-unet';
import { initBackend, saveModelDir } from '@levit-unet/levit-unet/node';
import { writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { runCliCaptured as cli } from './run-cli.js';

let dir: string;
let modelDir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'levit-unet-cli-nan-'));
  modelDir = join(dir, 'model');
  await initBackend('wasm');
  const model = createLeViTUNet({ variant: '128s', numClasses: 9, imgSize: 64 });
  // One NaN in the stem convolution's kernel: it spreads to every logit.
  const weights = model.getWeights();
  const stem = weights.findIndex((w) => w.shape.length === 4);
  const values = weights[stem]!.dataSync().slice();
  values[0] = NaN;
  const poisoned = tf.tensor(values, weights[stem]!.shape);
  model.setWeights(weights.map((w, i) => (i === stem ? poisoned : w)));
  poisoned.dispose();
  await saveModelDir(model, modelDir);
  model.dispose();
  await writeSyntheticSynapse(join(dir, 'synapse'), { trainCases: 1, testCases: 1, shape: [2, 64, 64], seed: 3 });
  await writeSyntheticNifti(join(dir, 'raw'), { cases: 1, shape: [2, 64, 64], labels: 'synapse', seed: 4 });
}, 300_000);

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const nonFinite = /^levit-unet: .*: the \w+ engine returned \d+ non-finite logits \(NaN\/Inf\) of \d+; the model's weights or input are broken$/;

describe('a model with NaN weights', () => {
  it('makes evaluate fail with one line counting the non-finite logits', async () => {
    const { code, stderr } = await cli('evaluate', '--model', modelDir, '--data', join(dir, 'synapse'), '--dataset', 'synapse', '--out', join(dir, 'eval'));
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr.trim()).toMatch(nonFinite);
  }, 300_000);

  it('makes predict on scans fail the same way', async () => {
    const { code, stderr } = await cli('predict', '--model', modelDir, '--input', join(dir, 'raw', 'images', 'img0001.nii.gz'), '--out', join(dir, 'pred.nii.gz'));
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr.trim()).toMatch(nonFinite);
  }, 300_000);

  it('makes predict on a .npy batch fail rather than write all-background labels', async () => {
    const input = join(dir, 'x.npy');
    await writeFile(input, encodeNpy({ data: new Float32Array(2 * 64 * 64).fill(0.5), shape: [2, 1, 64, 64] }));
    const { code, stderr } = await cli('predict', '--model', modelDir, '--input', input, '--out', join(dir, 'y.npy'));
    expect(stderr).toMatch(/non-finite/);
    expect(code).toBe(1);
  }, 300_000);

  it('makes export refuse it in either format, writing nothing', async () => {
    for (const [format, out] of [['safetensors', join(dir, 'nan.safetensors')], ['onnx', join(dir, 'nan.onnx')]] as const) {
      const { code, stderr } = await cli('export', '--model', modelDir, '--format', format, '--out', out);
      expect(code).toBe(1);
      expect(stderr.trim().split('\n')).toHaveLength(1);
      expect(stderr.trim()).toMatch(/^levit-unet: .*model: non-finite weights \(NaN\/Inf\): 1 of [\d.]+ M values in 1 tensor \(first: .+, 1 of \d+\); nothing exported$/);
      expect(existsSync(out)).toBe(false);
    }
  }, 300_000);
});
