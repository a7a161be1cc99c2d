import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { prepareVolume, SYNAPSE_CLASSES, toAxialStack } from '@levit-unet/datasets';
import { readNifti, readSynapseVolume, writeNifti, writeSyntheticSynapse } from '@levit-unet/datasets/node';
import { evaluateCase, summarize } from '@levit-unet/metrics';
import { sharedPath } from '@levit-unet/test-utils';
import { afterAll, describe, expect, it } from 'vitest';
import { readDatasetCases } from '@levit-unet/datasets/node';
import { evaluateToFolder } from '../src/node/index.js';
import { OracleEngine } from './engines.js';
import { phantomScan, sagittalCopy, scratchDir, writeScanPair } from './scratch.js';

const scratch = await scratchDir();
afterAll(() => scratch.remove());

describe('evaluateToFolder on a Synapse layout', async () => {
  const root = join(scratch.dir, 'Synapse');
  const { testCases } = await writeSyntheticSynapse(root, { trainCases: 0, testCases: 2, shape: [6, 40, 40] });
  const truths = await Promise.all(testCases.map((name) => readSynapseVolume(join(root, 'test_vol_h5', `${name}.npy.h5`))));

  it('writes metrics.json / .md / .csv equal to metrics computed directly, and the predictions', async () => {
    const out = join(scratch.dir, 'eval-synapse');
    const predictions = join(scratch.dir, 'pred-synapse');
    // A perfect engine at the slice size: the predictions are the ground truth.
    const engine = new OracleEngine([40, 40], 9, truths.map((t) => t.label));
    const { evaluation, files } = await evaluateToFolder(engine, { dataRoot: root, dataset: 'synapse', out, savePredictions: predictions, batchSize: 4 });
    const direct = summarize(truths.map((t, k) => ({ name: testCases[k]!, evaluation: evaluateCase(t.label, t.label, { numClasses: 9 }) })));
    const json = JSON.parse(await readFile(files.json, 'utf8'));
    expect(json.protocol).toBe('transunet-test_single_volume');
    expect(json).toMatchObject({ dataset: 'synapse', split: 'test', engine: 'oracle', distanceUnit: 'voxel' });
    expect(json.mean).toMatchObject({ dice: direct.overall.dice.mean, hd95: direct.overall.hd95.mean });
    expect(Object.keys(json.perClass)).toEqual(SYNAPSE_CLASSES.slice(1));
    expect(json.cases.map((c: { name: string }) => c.name)).toEqual(testCases);
    expect(evaluation.mean.dice).toBe(direct.overall.dice.mean);
    const md = await readFile(files.markdown, 'utf8');
    expect(md).toContain('| DSC (%) | HD95 (voxels) | Aorta | Gallbladder | Kidney(L) | Kidney(R) | Liver | Pancreas | Spleen | Stomach |');
    expect((await readFile(files.csv, 'utf8')).split('\n')[0]).toMatch(/^case,class_id,class,dice,/);
    expect(files.predictions).toEqual(testCases.map((name) => join(predictions, `${name}.nii.gz`)));
    const saved = await readNifti(files.predictions[0]!);
    expect(saved.shape).toEqual([6, 40, 40]);
    expect(saved.data).toBeInstanceOf(Uint8Array);
    expect(Array.from(saved.data)).toEqual(Array.from(truths[0]!.label.data));
  });

  it("refuses spacing 'header' (h5 volumes carry no voxel size) and other splits", async () => {
    const engine = new OracleEngine([40, 40], 9, []);
    await expect(evaluateToFolder(engine, { dataRoot: root, dataset: 'synapse', out: scratch.dir, spacing: 'header' })).rejects.toThrow(/carry none; use 'voxel'/);
    await expect(evaluateToFolder(engine, { dataRoot: root, dataset: 'synapse', out: scratch.dir, split: 'train' })).rejects.toThrow(/only for split "test"/);
    await expect(evaluateToFolder(engine, { dataRoot: scratch.dir, dataset: 'synapse', out: scratch.dir })).rejects.toThrow(/list file not found/);
  });
});

describe('evaluateToFolder on NIfTI folders', async () => {
  const root = join(scratch.dir, 'nifti');
  const axial = phantomScan(3);
  const sagittal = sagittalCopy(phantomScan(4));
  const files = [await writeScanPair(root, 'img0001', axial, 'label0001'), await writeScanPair(root, 'img0002', sagittal, 'label0002')];

  it('stacks each scan axially from its affine, scores it, and saves predictions on the source grid', async () => {
    // Independent ground truth: prepareVolume on the files as read.
    const stacked = await Promise.all(
      files.map(async (f) => {
        const [image, label] = await Promise.all([readNifti(f.image), readNifti(f.label)]);
        return prepareVolume(image, label).label;
      }),
    );
    expect(stacked[1]!.shape).toEqual([6, 40, 40]);
    const out = join(scratch.dir, 'eval-nifti');
    const predictions = join(scratch.dir, 'pred-nifti');
    const engine = new OracleEngine([40, 40], 9, stacked);
    const { evaluation, files: written } = await evaluateToFolder(engine, { dataRoot: root, dataset: 'nifti', out, savePredictions: predictions, spacing: 'header' });
    expect(evaluation.cases.map((c) => c.name)).toEqual(['0001', '0002']);
    expect(evaluation.distanceUnit).toBe('mm');
    const direct = summarize(stacked.map((label, k) => ({ name: String(k), evaluation: evaluateCase(label, label, { numClasses: 9 }) })));
    expect(evaluation.mean).toEqual({ dice: direct.overall.dice.mean, hd95: direct.overall.hd95.mean });
    // A perfect prediction written back on each source grid is the label file itself, with its affine.
    for (const [k, f] of files.entries()) {
      const [saved, label] = await Promise.all([readNifti(written.predictions[k]!), readNifti(f.label)]);
      expect(saved.shape).toEqual(label.shape);
      expect(saved.affine).toEqual(label.affine);
      expect(Array.from(saved.data)).toEqual(Array.from(label.data));
    }
  });

  it('gives the held-out cases the voxel size along the stacked axes', async () => {
    const held = await readDatasetCases({ dataRoot: root, dataset: 'nifti', numClasses: 9 });
    const spacings: number[][] = [];
    for await (const c of held.cases) spacings.push([...c.spacingMm!]);
    // pixdim is float32 in the header.
    const expected = axial.spacing.map(Math.fround);
    expect(spacings).toEqual([expected, expected]);
  });

  it('refuses to save a prediction over an input file', async () => {
    const same = join(scratch.dir, 'same-names');
    const pair = await writeScanPair(same, 'a', axial);
    const engine = new OracleEngine([40, 40], 9, [axial.label]);
    await expect(
      evaluateToFolder(engine, { dataRoot: same, dataset: 'nifti', out: join(scratch.dir, 'x'), savePredictions: join(same, 'labels') }),
    ).rejects.toThrow(`output path is the input ${pair.label}`);
  });
});

describe('evaluateToFolder on ACDC as distributed', async () => {
  const root = join(scratch.dir, 'ACDC', 'training');
  const shape = [3, 16, 12];
  const truths = new Map<string, Uint8Array>();
  // patient001 is in the training split, patient002 and patient003 in the test split (ACDC_SPLIT).
  for (const patient of [1, 2, 3]) {
    const name = `patient${String(patient).padStart(3, '0')}`;
    await mkdir(join(root, name), { recursive: true });
    await writeFile(join(root, name, 'Info.cfg'), 'ED: 1\nES: 7\nGroup: NOR\nHeight: 180\nNbFrame: 30\nWeight: 80\n');
    for (const frame of [1, 7]) {
      const base = join(root, name, `${name}_frame${String(frame).padStart(2, '0')}`);
      const label = Uint8Array.from({ length: 3 * 16 * 12 }, (_, i) => ((i >> 2) + patient + frame) % 4);
      const image = Float32Array.from({ length: label.length }, (_, i) => 100 * label[i]! + (i % 7));
      const geometry = { spacing: [10, 1.5, 1.5], affine: [[1.5, 0, 0, 0], [0, 1.5, 0, 0], [0, 0, 10, 0], [0, 0, 0, 1]] };
      await writeNifti(`${base}.nii.gz`, { data: image, shape, ...geometry });
      await writeNifti(`${base}_gt.nii.gz`, { data: label, shape, ...geometry });
      truths.set(`${name}_frame${String(frame).padStart(2, '0')}`, label);
    }
  }

  it('evaluates the ED and ES frames of the test patients with RV, Myo, LV', async () => {
    const names = ['patient002_frame01', 'patient002_frame07', 'patient003_frame01', 'patient003_frame07'];
    const engine = new OracleEngine([16, 12], 4, names.map((n) => ({ data: truths.get(n)!, shape })));
    const out = join(scratch.dir, 'eval-acdc');
    const { evaluation, files } = await evaluateToFolder(engine, { dataRoot: join(scratch.dir, 'ACDC'), dataset: 'acdc', out, spacing: 'header' });
    expect(evaluation.cases.map((c) => c.name)).toEqual(names);
    expect(evaluation.mean).toEqual({ dice: 1, hd95: 0 });
    const json = JSON.parse(await readFile(files.json, 'utf8'));
    expect(Object.keys(json.perClass)).toEqual(['RV', 'Myo', 'LV']);
    expect(json).toMatchObject({ dataset: 'acdc', split: 'test', distanceUnit: 'mm' });
    expect(await readFile(files.markdown, 'utf8')).toContain('| DSC (%) | HD95 (mm) | RV | Myo | LV |');
  });

  it('normalises each frame as MRI (0.5th–99.5th percentiles → [0, 1]) and keeps the stored slice axis', async () => {
    const held = await readDatasetCases({ dataRoot: join(scratch.dir, 'ACDC'), dataset: 'acdc', split: 'train', numClasses: 4 });
    expect(held.names).toEqual(['patient001_frame01', 'patient001_frame07']);
    for await (const c of held.cases) {
      expect(c.image.shape).toEqual(shape);
      expect(c.spacingMm).toEqual([10, 1.5, 1.5]);
      expect(Math.min(...c.image.data)).toBe(0);
      expect(Math.max(...c.image.data)).toBe(1);
    }
  });
});

const ct = sharedPath('data/totalseg_example_3mm_ct.nii.gz');
const ctLabel = sharedPath('data/totalseg_example_3mm_label_synapse.nii.gz');

describe.skipIf(!ct || !ctLabel)('evaluateToFolder on the real CT (shared/data) as a NIfTI folder', () => {
  it('scores a perfect engine 1 / 0 in mm and writes its prediction back as the reference label file', async () => {
    const root = join(scratch.dir, 'real');
    await mkdir(join(root, 'images'), { recursive: true });
    await mkdir(join(root, 'labels'), { recursive: true });
    await symlink(ct!, join(root, 'images', 'abdomen.nii.gz'));
    await symlink(ctLabel!, join(root, 'labels', 'abdomen.nii.gz'));
    const label = await readNifti(ctLabel!);
    const engine = new OracleEngine([224, 224], 9, [toAxialStack(label, label.affine)]);
    const predictions = join(scratch.dir, 'real-pred');
    const { evaluation, files } = await evaluateToFolder(engine, { dataRoot: root, dataset: 'nifti', out: join(scratch.dir, 'real-eval'), savePredictions: predictions, spacing: 'header' });
    // 101 x 122 slices go up to 224 x 224 and back with order 0: nearest-neighbour up then down is exact here.
    expect(evaluation.mean).toEqual({ dice: 1, hd95: 0 });
    expect(evaluation.cases[0]!.slices).toBe(112);
    const saved = await readNifti(files.predictions[0]!);
    expect(saved.affine).toEqual(label.affine);
    expect(Array.from(saved.data)).toEqual(Array.from(label.data));
  });
});
