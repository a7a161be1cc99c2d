import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SYNAPSE_CLASSES } from '@levit-unet/datasets';
import { readNifti, writeSyntheticNifti, writeSyntheticSynapse } from '@levit-unet/datasets/node';
import { createLeViTUNet } from '@levit-unet/levit-unet';
import { summarizeOnnxModel } from '@levit-unet/onnx';
import { initBackend, saveModelDir } from '@levit-unet/levit-unet/node';
import { runCliCaptured as cli } from './run-cli.js';

let dir: string;
let modelDir: string;
let data: string;
let raw: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'levit-unet-cli-eval-'));
  modelDir = join(dir, 'model');
  data = join(dir, 'synapse');
  raw = join(dir, 'raw');
  await initBackend('wasm');
  // An untrained 64×64 LeViT-UNet-128s: the point is the pipeline and its files, not the masks.
  const model = createLeViTUNet({ variant: '128s', numClasses: 9, imgSize: 64 });
  await saveModelDir(model, modelDir);
  model.dispose();
  await writeSyntheticSynapse(data, { trainCases: 1, testCases: 2, shape: [3, 80, 72], seed: 5 });
  await writeSyntheticNifti(raw, { cases: 1, shape: [3, 50, 60], labels: 'synapse', seed: 2 });
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('levit-unet evaluate', () => {
  it("writes metrics.json (organ keys), the papers' table and the CSV for the held-out volumes", async () => {
    const out = join(dir, 'eval');
    const { code, stdout, stderr } = await cli('evaluate', '--model', modelDir, '--data', data, '--dataset', 'synapse', '--out', out, '--save-predictions', join(dir, 'pred'));
    expect(stderr).not.toMatch(/levit-unet:/);
    expect(code).toBe(0);
    expect(stdout).toMatch(/mean DSC \d+\.\d\d %, HD95 [\d.]+ voxels over 2 cases/);
    const json = JSON.parse(await readFile(join(out, 'metrics.json'), 'utf8'));
    expect(json.protocol).toBe('transunet-test_single_volume');
    expect(Object.keys(json.perClass)).toEqual(SYNAPSE_CLASSES.slice(1));
    expect(json.cases).toHaveLength(2);
    expect(await readFile(join(out, 'metrics.md'), 'utf8')).toMatch(/\| DSC \(%\) \| HD95 \(voxels\) \| Aorta \| Gallbladder \| Kidney\(L\) \| Kidney\(R\) \| Liver \| Pancreas \| Spleen \| Stomach \|/);
    expect(existsSync(join(out, 'metrics.csv'))).toBe(true);
    expect((await readdir(join(dir, 'pred'))).sort()).toEqual(json.cases.map((c: { name: string }) => `${c.name}.nii.gz`).sort());
  });

  it('names a missing dataset folder in one line', async () => {
    const { code, stderr } = await cli('evaluate', '--model', modelDir, '--data', join(dir, 'nope'), '--dataset', 'synapse', '--out', join(dir, 'x'));
    expect(code).toBe(1);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/^levit-unet: .*nope/);
  });
});

describe('levit-unet predict (scans)', () => {
  it("segments a NIfTI scan of another in-plane size into a label NIfTI with the input's shape and affine, with overlays", async () => {
    const input = join(raw, 'images', 'img0001.nii.gz');
    const out = join(dir, 'mask.nii.gz');
    const { code, stdout } = await cli('predict', '--model', modelDir, '--input', input, '--out', out, '--overlay', join(dir, 'overlays'), '--batch-size', '2');
    expect(code).toBe(0);
    expect(stdout).toContain(`${out}: labels (3, 50, 60)`);
    const [scan, mask] = await Promise.all([readNifti(input), readNifti(out)]);
    expect(mask.shape).toEqual(scan.shape);
    expect(mask.affine).toEqual(scan.affine);
    expect(mask.data).toBeInstanceOf(Uint8Array);
    expect(Math.max(...mask.data)).toBeLessThan(9);
  });

  it('gives the same labels with the onnxruntime engine as with tfjs', async () => {
    const input = join(raw, 'images', 'img0001.nii.gz');
    const masks = [];
    for (const engine of ['tfjs', 'onnxruntime']) {
      const out = join(dir, `mask-${engine}.nii.gz`);
      const { code, stderr } = await cli('predict', '--model', modelDir, '--input', input, '--out', out, '--engine', engine, '--threads', '2');
      expect(code, stderr).toBe(0);
      masks.push((await readNifti(out)).data);
    }
    let same = 0;
    for (let i = 0; i < masks[0]!.length; i++) if (masks[0]![i] === masks[1]![i]) same++;
    expect(same / masks[0]!.length).toBeGreaterThan(0.999);
  });

  it('exports the model directory as ONNX with the PyTorch signature', async () => {
    const out = join(dir, 'model.onnx');
    const { code, stdout } = await cli('export', '--model', modelDir, '--format', 'onnx', '--out', out);
    expect(code).toBe(0);
    expect(stdout).toContain('input "image" NCHW, output "logits"');
    const summary = summarizeOnnxModel(new Uint8Array(await readFile(out)));
    expect(summary.inputs[0]).toMatchObject({ name: 'image' });
    expect(summary.outputs[0]).toMatchObject({ name: 'logits' });
  });

  it('refuses to write over its input', async () => {
    const input = join(raw, 'images', 'img0001.nii.gz');
    const { code, stderr } = await cli('predict', '--model', modelDir, '--input', input, '--out', input);
    expect(code).toBe(1);
    expect(stderr).toMatch(/is the input/);
    expect(existsSync(input)).toBe(true);
  });
});
