/**
 * The main job end to end on a real CT (../shared/data, TotalSegmentator's example scan with Synapse
 * labels): prepare → train a few iterations → evaluate → predict, through the CLI.
 */
import { copyFile, mkdir, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SYNAPSE_CLASSES } from '@levit-unet/datasets';
import { readNifti } from '@levit-unet/datasets/node';
import { sharedPath } from '@levit-unet/test-utils';
import { runCliCaptured as cli } from './run-cli.js';

const ct = sharedPath('data/totalseg_example_3mm_ct.nii.gz');
const labels = sharedPath('data/totalseg_example_3mm_label_synapse.nii.gz');
let dir = '';
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe.skipIf(!ct || !labels)('the main job on a real CT', () => {
  it('prepares, trains (loss goes down), evaluates and segments it', async () => {
    dir = await mkdtemp(join(tmpdir(), 'levit-unet-real-ct-'));
    // The one scan twice, so the prepared dataset has a training case and a held-out case.
    for (const sub of ['images', 'labels']) await mkdir(join(dir, 'raw', sub), { recursive: true });
    for (const id of ['0001', '0002']) {
      await copyFile(ct!, join(dir, 'raw', 'images', `img${id}.nii.gz`));
      await copyFile(labels!, join(dir, 'raw', 'labels', `label${id}.nii.gz`));
    }
    const data = join(dir, 'synapse');
    const prepared = await cli('prepare', '--images', join(dir, 'raw', 'images'), '--labels', join(dir, 'raw', 'labels'), '--out', data, '--label-map', 'none', '--test-cases', 'case0002');
    expect(prepared.stderr).toBe('');
    expect(prepared.code).toBe(0);

    const run = join(dir, 'run');
    const trained = await cli(
      'train', '--data', data, '--dataset', 'synapse', '--variant', '128s', '--out', run, '--img-size', '64', '--batch-size', '4',
      '--max-steps', '8', '--lr', '1e-3', '--augment', 'none', '--seed', '1', '--workers', '0', '--backend', 'wasm',
    );
    expect(trained.code, trained.stderr).toBe(0);
    const log = (await readFile(join(run, 'log.jsonl'), 'utf8')).trim().split('\n').map((l) => JSON.parse(l)).filter((r) => r.type === 'train');
    expect(log.map((r) => r.iteration)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    const mean = (rs: Array<{ loss: number }>) => rs.reduce((s, r) => s + r.loss, 0) / rs.length;
    expect(mean(log.slice(-3))).toBeLessThan(mean(log.slice(0, 3)));
    expect((await readdir(run)).sort()).toEqual(['config.json', 'curves.png', 'last', 'log.csv', 'log.jsonl']);

    const evaluation = join(dir, 'eval');
    const evaluated = await cli('evaluate', '--model', join(run, 'last'), '--data', data, '--dataset', 'synapse', '--out', evaluation);
    expect(evaluated.code, evaluated.stderr).toBe(0);
    const metrics = JSON.parse(await readFile(join(evaluation, 'metrics.json'), 'utf8'));
    expect(Object.keys(metrics.perClass)).toEqual(SYNAPSE_CLASSES.slice(1));
    expect(metrics.cases.map((c: { name: string }) => c.name)).toEqual(['case0002']);

    const mask = join(dir, 'mask.nii.gz');
    const predicted = await cli('predict', '--model', join(run, 'last'), '--input', ct!, '--out', mask);
    expect(predicted.code, predicted.stderr).toBe(0);
    const [scan, out] = await Promise.all([readNifti(ct!), readNifti(mask)]);
    expect(out.shape).toEqual(scan.shape);
    expect(out.affine).toEqual(scan.affine);
    expect(out.data).toBeInstanceOf(Uint8Array);
  });
});
