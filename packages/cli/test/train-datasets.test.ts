/** `levit-unet train` on ACDC as distributed and on a NIfTI folder, with validation on their held-out cases. */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACDC_SPLIT } from '@levit-unet/datasets';
import { writeNifti, writeSyntheticNifti } from '@levit-unet/datasets/node';
import { runCliCaptured as cli } from './run-cli.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'levit-unet-train-datasets-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const train = (...args: string[]) =>
  cli('train', '--img-size', '32', '--batch-size', '2', '--max-steps', '3', '--lr', '1e-3', '--augment', 'none', '--val-every', '1', '--workers', '0', '--backend', 'wasm', ...args);

async function records(run: string): Promise<Array<Record<string, unknown>>> {
  return (await readFile(join(run, 'log.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
}

describe('levit-unet train on ACDC and NIfTI folders', () => {
  it('trains on the ED/ES frames of ACDC training patients and validates on the valid patients', async () => {
    const root = join(dir, 'ACDC', 'training');
    const patients = [ACDC_SPLIT.train[0], ACDC_SPLIT.valid[0], ACDC_SPLIT.test[0]];
    for (const patient of patients) {
      const name = `patient${String(patient).padStart(3, '0')}`;
      await mkdir(join(root, name), { recursive: true });
      await writeFile(join(root, name, 'Info.cfg'), 'ED: 1\nES: 7\nGroup: NOR\nHeight: 180\nNbFrame: 30\nWeight: 80\n');
      for (const frame of [1, 7]) {
        const base = join(root, name, `${name}_frame${String(frame).padStart(2, '0')}`);
        const label = Uint8Array.from({ length: 3 * 20 * 24 }, (_, i) => ((i >> 3) + patient + frame) % 4);
        const image = Float32Array.from(label, (l, i) => 100 * l + (i % 5));
        const geometry = { spacing: [10, 1.5, 1.5], affine: [[1.5, 0, 0, 0], [0, 1.5, 0, 0], [0, 0, 10, 0], [0, 0, 0, 1]] };
        await writeNifti(`${base}.nii.gz`, { data: image, shape: [3, 20, 24], ...geometry });
        await writeNifti(`${base}_gt.nii.gz`, { data: label, shape: [3, 20, 24], ...geometry });
      }
    }
    const run = join(dir, 'acdc-run');
    const { code, stderr, stdout } = await train('--data', join(dir, 'ACDC'), '--dataset', 'acdc', '--out', run);
    expect(code, stderr).toBe(0);
    expect(stdout).toMatch(/best validation Dice/);
    const config = JSON.parse(await readFile(join(run, 'config.json'), 'utf8'));
    // Two frames of one training patient, three short-axis slices each: 6 slices; 4 classes by default for ACDC.
    expect(config.data).toEqual({ kind: 'custom', length: 6 });
    expect(config.train.numClasses).toBe(4);
    const log = await records(run);
    expect(log.filter((r) => r.type === 'train')).toHaveLength(3);
    // Validated on the valid patient's two frames.
    expect(log.filter((r) => r.type === 'validation').every((r) => r.cases === 2)).toBe(true);
    expect(existsSync(join(run, 'best', 'model.json'))).toBe(true);
  });

  it('trains on a NIfTI folder and validates on its held-out fifth; --resume of a finished run returns at once', async () => {
    const raw = join(dir, 'nifti');
    await writeSyntheticNifti(raw, { cases: 3, shape: [3, 40, 40], labels: 'synapse', seed: 4 });
    const run = join(dir, 'nifti-run');
    const { code, stderr } = await train('--data', raw, '--dataset', 'nifti', '--out', run);
    expect(code, stderr).toBe(0);
    const config = JSON.parse(await readFile(join(run, 'config.json'), 'utf8'));
    expect(config.data).toEqual({ kind: 'custom', length: 6 });
    const log = await records(run);
    expect(log.filter((r) => r.type === 'validation').every((r) => r.cases === 1)).toBe(true);
    const again = await cli('train', '--resume', run, '--backend', 'wasm');
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toMatch(/finished: 3\/3 iterations/);
  });
});
