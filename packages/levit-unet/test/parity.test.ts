import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Tensor } from '@tensorflow/tfjs-core';
import { parseNpy } from '@levit-unet/datasets';
import { registerWasmTrainingKernels } from '@levit-unet/levit-blocks';
import { compareToReference, sharedPath } from '@levit-unet/test-utils';
import { useTfBackend } from '@levit-unet/test-utils/tf';
import { readSafetensors, readTorchStateDict, writeSafetensors } from '@levit-unet/torch-io';
import { createLeViTUNet, exportStateDict } from '../src/index.js';
import { importCheckpointFile } from '../src/node/index.js';

let tf: Awaited<ReturnType<typeof useTfBackend>>;
beforeAll(async () => {
  // The tolerance of the issue is for the wasm backend.
  tf = await useTfBackend(registerWasmTrainingKernels, 'wasm');
});

const fixtures = {
  '128s': { dir: sharedPath('fixtures/official/128s'), keys: 360, aliases: 0, idxs: 11 },
  '192': { dir: sharedPath('fixtures/official/192'), keys: 814, aliases: 376, idxs: 14 },
} as const;

describe.each(Object.entries(fixtures))('official LeViT-UNet-%s checkpoint', (variant, fixture) => {
  const dir = fixture.dir;
  it.skipIf(!dir)('imports into a model whose logits match the official float64 output', async () => {
    const { model, report, kind } = await importCheckpointFile(join(dir!, 'state_dict_fp16.pth.gz'), {
      variant: variant as '128s' | '192',
      numClasses: 9,
    });
    expect(kind).toBe('levit-unet');
    expect(report.missing).toEqual([]);
    expect(report.unexpected).toEqual([]);
    expect(report.aliases.length).toBe(fixture.aliases);
    expect(report.verifiedBiasIdxs).toBe(fixture.idxs);
    expect(report.loaded.length + report.verifiedBiasIdxs + report.aliases.length).toBe(fixture.keys);

    const input = parseNpy(readFileSync(join(dir!, 'input.npy')));
    const reference = parseNpy(readFileSync(join(dir!, 'output.npy')));
    expect(input.shape).toEqual([2, 1, 224, 224]);
    const logits = tf.tidy(() => {
      const x = tf.transpose(tf.tensor(input.data as Float32Array, input.shape), [0, 2, 3, 1]);
      return tf.transpose(model.predict(x) as Tensor, [0, 3, 1, 2]);
    });
    expect(logits.shape).toEqual(reference.shape);
    const got = await logits.data();
    const ref = reference.data as Float32Array;
    const { maxError: maxDiff, maxReference: maxRef } = compareToReference(ref, got);
    const ours = await tf.argMax(logits, 1).data();
    const theirs = await tf.argMax(tf.tensor(ref, reference.shape), 1).data();
    let agree = 0;
    for (let i = 0; i < ours.length; i++) if (ours[i] === theirs[i]) agree++;
    console.info(`parity ${variant}: max |diff| ${maxDiff.toExponential(3)} = ${(maxDiff / maxRef).toExponential(3)} · max |ref|; argmax agreement ${((100 * agree) / ours.length).toFixed(4)} %`);
    expect(maxDiff).toBeLessThanOrEqual(1e-4 * maxRef);
    expect(agree / ours.length).toBeGreaterThanOrEqual(0.9999);
    model.dispose();
  });

  it.skipIf(!dir)('exports safetensors whose tensors equal the checkpoint bit for bit, same keys', async () => {
    const { model } = await importCheckpointFile(join(dir!, 'state_dict_fp16.pth.gz'), { variant: variant as '128s' | '192', numClasses: 9 });
    const original = readTorchStateDict(gunzipSync(readFileSync(join(dir!, 'state_dict_fp16.pth.gz')))).tensors;
    const exported = readSafetensors(writeSafetensors(exportStateDict(model))).tensors;
    expect([...exported.keys()].sort()).toEqual([...original.keys()].sort());
    expect([...exportStateDict(model).keys()]).toEqual([...original.keys()]);
    for (const [key, entry] of original) {
      const mine = exported.get(key)!;
      expect(mine.shape, key).toEqual(entry.shape);
      const a = entry.data;
      const b = mine.data;
      expect(b.constructor, key).toBe(a.constructor);
      const differs = Array.prototype.findIndex.call(a, (v: number | bigint, i: number) => !Object.is(v, b[i]));
      expect(differs, `${key} differs at element ${differs}`).toBe(-1);
    }
    model.dispose();
  });
});

describe('importing into the wrong model', () => {
  const dir = fixtures['192'].dir;
  it.skipIf(!dir)('names the tensors whose shapes do not fit and leaves the model unchanged', async () => {
    const tensors = readTorchStateDict(gunzipSync(readFileSync(join(dir!, 'state_dict_fp16.pth.gz')))).tensors;
    const model = createLeViTUNet({ variant: '128s', numClasses: 9 });
    const before = model.getWeights().map((w) => w.dataSync().slice());
    const { importCheckpoint } = await import('../src/index.js');
    expect(() => importCheckpoint(model, tensors)).toThrow(/shape mismatches.*another variant.*cnn_b1\.0\.c\.weight \[24,1,3,3\] vs \[16,1,3,3\]/);
    const after = model.getWeights();
    expect(after.every((w, i) => w.dataSync().every((v, j) => v === before[i][j]))).toBe(true);
    model.dispose();
  });

  it.skipIf(!dir)('refuses attention_bias_idxs that disagree with the recomputed tables', async () => {
    const tensors = readTorchStateDict(gunzipSync(readFileSync(join(dir!, 'state_dict_fp16.pth.gz')))).tensors;
    const idxs = tensors.get('block_1.0.m.attention_bias_idxs')!;
    const broken = BigInt64Array.from(idxs.data as BigInt64Array);
    [broken[5], broken[6]] = [broken[6], broken[5]];
    tensors.set('block_1.0.m.attention_bias_idxs', { ...idxs, data: broken, storage: undefined });
    tensors.set('blocks.0.m.attention_bias_idxs', { ...idxs, data: broken, storage: undefined });
    const model = createLeViTUNet({ variant: '192', numClasses: 9 });
    const { importCheckpoint } = await import('../src/index.js');
    expect(() => importCheckpoint(model, tensors)).toThrow(/block_1\.0\.m\.attention_bias_idxs disagrees.*query 0, key 5/);
    model.dispose();
  });
});
