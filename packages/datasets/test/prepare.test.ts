import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sharedPath } from '@levit-unet/test-utils';
import { describe, expect, it } from 'vitest';
import { BTCV_TO_SYNAPSE, generatePhantomVolume, prepareVolume, transpose } from '../src/index.js';
import {
  prepareDataset,
  readNifti,
  readSynapseList,
  readSynapseSlice,
  readSynapseVolume,
  writeNifti,
  writeSyntheticNifti,
} from '../src/node/index.js';
import { useTempDir } from './temp-dir.js';

describe('prepareDataset (levit-unet prepare --from nifti --format synapse)', () => {
  const tmp = useTempDir('prepare');
  const shape = [5, 40, 32] as const;

  it('windows HU, remaps BTCV labels, splits by the official lists and writes the TransUNet layout', async () => {
    const raw = join(tmp(), 'raw');
    await writeSyntheticNifti(raw, { cases: 4, firstCase: 5, shape, seed: 11 });
    const out = join(tmp(), 'synapse');
    const report = await prepareDataset({ images: join(raw, 'images'), labels: join(raw, 'labels'), out, labelMap: 'btcv' });
    expect(report.split).toBe('synapse-official');
    expect(report.cases.map((c) => [c.name, c.split])).toEqual([
      ['case0005', 'train'],
      ['case0006', 'train'],
      ['case0007', 'train'],
      ['case0008', 'test'],
    ]);
    expect(report.trainSlices).toBe(15);
    expect(await readSynapseList(out, 'test')).toEqual(['case0008']);

    const phantom = generatePhantomVolume({ seed: 11 + 1, shape });
    const plane = 40 * 32;
    const slice = await readSynapseSlice(join(out, 'train_npz/case0006_slice003.npz'));
    for (let p = 0; p < plane; p++) {
      const hu = phantom.image.data[3 * plane + p]!;
      expect(slice.image.data[p]).toBeCloseTo((Math.min(275, Math.max(-125, hu)) + 125) / 400, 6);
    }
    // BTCV ids written by writeSyntheticNifti come back as the Synapse ids of the phantom.
    expect(Array.from(slice.label.data)).toEqual(Array.from(phantom.label.data.subarray(3 * plane, 4 * plane)));
    const test = await readSynapseVolume(join(out, 'test_vol_h5/case0008.npy.h5'));
    expect(test.image.shape).toEqual([5, 40, 32]);
  });

  it('takes the slice axis from the affine (a volume stored sagittally gives the same slices)', async () => {
    const phantom = generatePhantomVolume({ seed: 3, shape });
    const axial = prepareVolume({ ...phantom.image, affine: phantom.affine }, phantom.label);
    // Store with k = patient left-right instead: array [ni', nj', nk'] = old [i, j, k] permuted.
    const perm = [2, 1, 0];
    const sagittalAffine = phantom.affine.map((row) => [row[2]!, row[1]!, row[0]!, row[3]!]);
    const stored = transpose(phantom.image, perm);
    const storedLabel = transpose(phantom.label, perm);
    const sagittal = prepareVolume({ ...stored, affine: sagittalAffine }, storedLabel);
    expect(sagittal.image.shape).toEqual([5, 40, 32]);
    expect(sagittal.image.data).toEqual(axial.image.data);
    expect(sagittal.label.data).toEqual(axial.label.data);
  });

  it('uses a seeded fraction split for other names, and a label-map file', async () => {
    const raw = join(tmp(), 'raw2');
    await writeSyntheticNifti(raw, { cases: 3, firstCase: 101, shape, seed: 1, labels: 'synapse' });
    const mapFile = join(tmp(), 'identity.json');
    await writeFile(mapFile, JSON.stringify(Object.fromEntries([1, 2, 3, 4, 5, 6, 7, 8].map((n) => [n, n]))));
    const run = (out: string) => prepareDataset({ images: join(raw, 'images'), labels: join(raw, 'labels'), out, labelMap: mapFile, seed: 4 });
    const a = await run(join(tmp(), 'a'));
    const b = await run(join(tmp(), 'b'));
    expect(a.split).toBe('fraction');
    expect(a.testVolumes).toBe(1);
    expect(a.cases.map((c) => c.split)).toEqual(b.cases.map((c) => c.split));
  });

  it('refuses a non-empty output, unpaired files and labels out of range, leaving no partial output', async () => {
    const raw = join(tmp(), 'raw3');
    await writeSyntheticNifti(raw, { cases: 2, firstCase: 5, shape, seed: 2 });
    const images = join(raw, 'images');
    const labels = join(raw, 'labels');
    await expect(prepareDataset({ images, labels, out: join(tmp(), 'a'), labelMap: 'btcv' })).rejects.toThrow(/already holds a Synapse dataset folder: pass --force/);
    // raw BTCV ids (up to 11) without a label map do not fit 9 classes
    const out = join(tmp(), 'nomap');
    await expect(prepareDataset({ images, labels, out })).rejects.toThrow(/label value 11 .* outside the class range 0\.\.8/);
    await expect(readdir(out)).rejects.toThrow();
    const label = await readNifti(join(labels, 'label0005.nii.gz'));
    await writeNifti(join(images, 'img0009.nii.gz'), label);
    await expect(prepareDataset({ images, labels, out, labelMap: 'btcv' })).rejects.toThrow(/img0009\.nii\.gz: no matching label map/);
  });
});

describe('prepare on the real CT in ../shared/data', () => {
  const tmp = useTempDir('prepare-ct');
  const ct = sharedPath('data/totalseg_example_3mm_ct.nii.gz');
  const synapseLabels = sharedPath('data/totalseg_example_3mm_label_synapse.nii.gz');
  const rawLabels = sharedPath('data/totalseg_example_3mm_label_raw_totalseg_v1.nii.gz');

  it.skipIf(!ct || !synapseLabels || !rawLabels)(
    'prepare -> load -> round trip: 112 axial 101x122 slices, organ voxels preserved, raw ids remapped like the README',
    async () => {
      const images = join(tmp(), 'images');
      const labels = join(tmp(), 'labels');
      const rawDir = join(tmp(), 'labels-raw');
      const ctVolume = await readNifti(ct!);
      await writeNifti(join(images, 'ct.nii.gz'), ctVolume);
      await writeNifti(join(labels, 'ct.nii.gz'), await readNifti(synapseLabels!));
      await writeNifti(join(rawDir, 'ct.nii.gz'), await readNifti(rawLabels!));
      const out = join(tmp(), 'synapse');
      const report = await prepareDataset({ images, labels, out, testCases: [] });
      expect(report.cases[0]!.shape).toEqual([112, 101, 122]);
      expect(report.trainSlices).toBe(112);

      const counts = new Array<number>(9).fill(0);
      let min = Infinity;
      let max = -Infinity;
      for (const name of await readSynapseList(out, 'train')) {
        const slice = await readSynapseSlice(join(out, 'train_npz', `${name}.npz`));
        for (const v of slice.label.data) counts[v]!++;
        for (const v of slice.image.data) {
          min = Math.min(min, v);
          max = Math.max(max, v);
        }
      }
      expect(counts.slice(1)).toEqual([1786, 1300, 5144, 6993, 41602, 818, 9677, 4977]);
      expect([min, max]).toEqual([0, 1]);
      // slice 100 of the stack is k = 100 of the CT, windowed
      const slice100 = await readSynapseSlice(join(out, 'train_npz/case0001_slice100.npz'));
      const plane = 101 * 122;
      for (let p = 0; p < plane; p += 97) {
        const hu = ctVolume.data[100 * plane + p]!;
        expect(slice100.image.data[p]).toBeCloseTo((Math.min(275, Math.max(-125, hu)) + 125) / 400, 6);
      }

      // TotalSegmentator v1 ids through a label-map table give the same organs (README mapping).
      const remapped = await prepareDataset({
        images,
        labels: rawDir,
        out: join(tmp(), 'synapse-raw'),
        testCases: [],
        labelMap: { 7: 1, 4: 2, 3: 3, 2: 4, 5: 5, 10: 6, 1: 7, 6: 8 },
      });
      expect(remapped.trainSlices).toBe(112);
      const again = await readSynapseSlice(join(tmp(), 'synapse-raw/train_npz/case0001_slice090.npz'));
      const reference = await readSynapseSlice(join(out, 'train_npz/case0001_slice090.npz'));
      expect(again.label.data).toEqual(reference.label.data);
      expect(BTCV_TO_SYNAPSE[8]).toBe(1);
    },
  );
});
