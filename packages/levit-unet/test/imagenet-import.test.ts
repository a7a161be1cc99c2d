import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { registerWasmTrainingKernels } from '@levit-unet/levit-blocks';
import { sharedPath } from '@levit-unet/test-utils';
import { useTfBackend } from '@levit-unet/test-utils/tf';
import type { TensorEntry } from '@levit-unet/torch-io';
import { createLeViTUNet, exportStateDict, importImageNetLeViT } from '../src/index.js';
import { readWeightsFile } from '../src/node/index.js';

beforeAll(async () => {
  await useTfBackend(registerWasmTrainingKernels);
});

const dir = sharedPath('fixtures/official/imagenet-128s');

interface AfterLoadKey {
  key: string;
  shape: number[];
  sha256_f32: string;
  source_imagenet_key: string | null;
}

/** The fixture's hash rule: sha256 of the tensor as float32 little-endian bytes, PyTorch layout, C order. */
function sha256F32(entry: TensorEntry): string {
  const values = entry.data instanceof Float32Array ? entry.data : Float32Array.from(entry.data as ArrayLike<number | bigint>, Number);
  return createHash('sha256').update(new Uint8Array(values.buffer, values.byteOffset, values.byteLength)).digest('hex');
}

describe.skipIf(!dir)('ImageNet LeViT-128S → LeViT-UNet-128s', () => {
  const afterLoad = dir ? JSON.parse(readFileSync(join(dir, 'after_load.json'), 'utf8')) : null;

  it('puts every tensor where the official loading path puts it (stem "random", as official)', async () => {
    const tensors = await readWeightsFile(join(dir!, 'levit_128s_imagenet_fp16.pth.gz'));
    expect(tensors.size).toBe(336);
    const model = createLeViTUNet({ variant: '128s', numClasses: 9 });
    const before = exportStateDict(model);
    const report = importImageNetLeViT(model, tensors, { stem: 'random' });
    const after = exportStateDict(model);
    const keys = afterLoad.unet_keys as AfterLoadKey[];
    expect(keys.map((k) => k.key).sort()).toEqual([...after.keys()].sort());
    let copied = 0;
    for (const k of keys) {
      const mine = after.get(k.key)!;
      expect(mine.shape, k.key).toEqual(k.shape);
      if (k.source_imagenet_key) {
        copied++;
        expect(sha256F32(mine), `${k.key} ← ${k.source_imagenet_key}`).toBe(k.sha256_f32);
      } else {
        // not loaded officially: keeps its own initialisation here too
        expect(sha256F32(mine), `${k.key} should be untouched`).toBe(sha256F32(before.get(k.key)!));
      }
    }
    expect(copied).toBe(afterLoad.summary.unet_keys_overwritten_from_checkpoint);
    expect(report.dropped.sort()).toEqual([...afterLoad.summary.imagenet_keys_dropped].sort());
    expect(report.mismatched).toEqual([]);
    expect(report.unexpected).toEqual([]);
    expect(report.missing.filter((key) => !key.startsWith('cnn_b1.0.'))).toEqual([]);
    model.dispose();
  });

  it('with stem "rgb-sum" adapts the RGB conv by summing over the colour channels and loads its BatchNorm', async () => {
    const tensors = await readWeightsFile(join(dir!, 'levit_128s_imagenet_fp16.pth.gz'));
    const model = createLeViTUNet({ variant: '128s', numClasses: 9 });
    const report = importImageNetLeViT(model, tensors, { stem: 'rgb-sum' });
    const after = exportStateDict(model);
    const rgb = tensors.get('patch_embed.0.c.weight')!;
    expect(rgb.shape).toEqual([16, 3, 3, 3]);
    const summed = after.get('cnn_b1.0.c.weight')!;
    expect(summed.shape).toEqual([16, 1, 3, 3]);
    const src = rgb.data as Float32Array;
    for (let o = 0; o < 16; o++) {
      for (let k = 0; k < 9; k++) {
        const expected = Math.fround(Math.fround(src[(o * 3) * 9 + k] + src[(o * 3 + 1) * 9 + k]) + src[(o * 3 + 2) * 9 + k]);
        expect((summed.data as Float32Array)[o * 9 + k]).toBe(expected);
      }
    }
    for (const name of ['weight', 'bias', 'running_mean', 'running_var']) {
      expect(Array.from(after.get(`cnn_b1.0.bn.${name}`)!.data as Float32Array)).toEqual(Array.from(tensors.get(`patch_embed.0.bn.${name}`)!.data as Float32Array));
    }
    expect(report.dropped.every((key) => key.startsWith('head'))).toBe(true);
    expect(report.missing).toEqual([]);
    model.dispose();
  });

  it('fails on shape mismatches unless asked not to (ImageNet 128S into UNet-192)', async () => {
    const tensors = await readWeightsFile(join(dir!, 'levit_128s_imagenet_fp16.pth.gz'));
    const model = createLeViTUNet({ variant: '192', numClasses: 9 });
    expect(() => importImageNetLeViT(model, tensors)).toThrow(/shape mismatches.*cnn_b2\.0\.c\.weight \[32,16,3,3\] vs \[48,24,3,3\]/);
    const report = importImageNetLeViT(model, tensors, { allowShapeMismatch: true });
    expect(report.mismatched.length).toBeGreaterThan(10);
    expect(report.loaded.every((key) => !report.mismatched.some((m) => m.key === key))).toBe(true);
    model.dispose();
  });
});
