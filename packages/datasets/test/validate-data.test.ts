import { readFile, rm, writeFile, appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeH5, encodeNpz } from '../src/index.js';
import { readNifti, validateDataset, writeNifti, writeSyntheticNifti, writeSyntheticSynapse } from '../src/node/index.js';
import { useTempDir } from './temp-dir.js';

describe('validateDataset', () => {
  const tmp = useTempDir('validate');
  const shape = [3, 32, 24] as const;

  it('finds nothing wrong in a freshly written Synapse dataset', async () => {
    const root = join(tmp(), 'clean');
    await writeSyntheticSynapse(root, { trainCases: 1, testCases: 1, shape });
    const report = await validateDataset(root);
    expect(report.layout).toBe('synapse');
    expect(report.checked).toBe(4);
    expect(report.problems).toEqual([]);
  });

  it('lists every problem of a damaged Synapse dataset with its file', async () => {
    const root = join(tmp(), 'damaged');
    await writeSyntheticSynapse(root, { trainCases: 2, testCases: 1, shape });
    const train = (name: string) => join(root, 'train_npz', `${name}.npz`);
    const bytes = await readFile(train('case0031_slice000'));
    await writeFile(train('case0031_slice000'), bytes.subarray(0, bytes.length - 100));
    await rm(train('case0031_slice001'));
    const image = { data: new Float32Array(32 * 24), shape: [32, 24] };
    await writeFile(train('case0031_slice002'), encodeNpz({ image, label: { data: new Uint8Array(32 * 24).fill(12), shape: [32, 24] } }));
    const nan = new Float32Array(32 * 24);
    nan[5] = Infinity;
    await writeFile(train('case0007_slice000'), encodeNpz({ image: { data: nan, shape: [32, 24] }, label: { data: new Uint8Array(32 * 24), shape: [32, 24] } }));
    await writeFile(train('case0007_slice001'), encodeNpz({ image, label: { data: new Uint8Array(32 * 23), shape: [32, 23] } }));
    await writeFile(train('case0007_slice002'), encodeNpz({ image }));
    await writeFile(train('stray'), encodeNpz({ image }));
    await writeFile(join(root, 'test_vol_h5/case0008.npy.h5'), await encodeH5({ image: { data: new Float32Array(8), shape: [2, 2, 2] } }));

    const report = await validateDataset(root);
    const found = report.problems.map((p) => `${p.file.slice(root.length + 1)}: ${p.problem}`);
    expect(found).toEqual([
      expect.stringMatching(/^train_npz\/case0031_slice000\.npz: unreadable \.npz archive/),
      expect.stringMatching(/^train_npz\/case0031_slice001\.npz: file not found/),
      'train_npz/case0031_slice002.npz: label value 12 at flat index 0 is outside the class range 0..8',
      'train_npz/case0007_slice000.npz: image has a non-finite value (Infinity) at flat index 5',
      'train_npz/case0007_slice001.npz: image shape [32, 24] and label shape [32, 23] differ',
      "train_npz/case0007_slice002.npz: missing array 'label' (archive has: image)",
      'train_npz/stray.npz: not listed in lists_Synapse/train.txt',
      "test_vol_h5/case0008.npy.h5: missing dataset 'label' (file has: image)",
    ]);
  });

  it('checks NIfTI folders: unpaired files, grid mismatch, labels out of range, corrupt files', async () => {
    const root = join(tmp(), 'nifti');
    await writeSyntheticNifti(root, { cases: 4, shape, labels: 'btcv' });
    await rm(join(root, 'labels/label0002.nii.gz'));
    const image3 = await readNifti(join(root, 'images/img0003.nii.gz'));
    await writeNifti(join(root, 'labels/label0003.nii.gz'), { data: new Uint8Array(2 * 32 * 24), shape: [2, 32, 24], affine: image3.affine });
    await appendFile(join(root, 'labels/label0099.nii.gz'), 'not a nifti');
    const cut = await readFile(join(root, 'images/img0004.nii.gz'));
    await writeFile(join(root, 'images/img0004.nii.gz'), cut.subarray(0, 200));

    const report = await validateDataset(root, { numClasses: 9 });
    expect(report.layout).toBe('nifti-folders');
    const found = report.problems.map((p) => `${p.file.slice(root.length + 1)}: ${p.problem}`);
    expect(found).toEqual([
      'images/img0002.nii.gz: image without a label map',
      'labels/label0099.nii.gz: label map without an image',
      // BTCV ids 11 (pancreas) do not fit 9 classes
      expect.stringMatching(/^labels\/label0001\.nii\.gz: label value 11 at flat index \d+ is outside the class range 0\.\.8$/),
      'labels/label0003.nii.gz: image shape [3, 32, 24] and label shape [2, 32, 24] differ',
      expect.stringMatching(/^images\/img0004\.nii\.gz: corrupt gzip stream/),
      expect.stringMatching(/^labels\/label0004\.nii\.gz: label value 11 /),
    ]);
  });

  it('reads MSD dataset.json for the class count and pairs', async () => {
    const root = join(tmp(), 'msd');
    await writeSyntheticNifti(join(tmp(), 'msd-src'), { cases: 1, shape, labels: 'synapse' });
    const image = await readNifti(join(tmp(), 'msd-src/images/img0001.nii.gz'));
    const label = await readNifti(join(tmp(), 'msd-src/labels/label0001.nii.gz'));
    await writeNifti(join(root, 'imagesTr/abd_001.nii.gz'), image);
    await writeNifti(join(root, 'labelsTr/abd_001.nii.gz'), label);
    const json = { name: 'Abd', modality: { 0: 'CT' }, labels: { 0: 'background', 1: 'aorta', 2: 'gallbladder', 3: 'kidney_left' } };
    await writeFile(join(root, 'dataset.json'), JSON.stringify({ ...json, training: [{ image: './imagesTr/abd_001.nii.gz', label: './labelsTr/abd_001.nii.gz' }] }));
    const report = await validateDataset(root);
    expect(report.layout).toBe('msd');
    expect(report.problems).toEqual([
      expect.objectContaining({ problem: expect.stringMatching(/outside the class range 0\.\.3$/) }),
    ]);
  });

  it('refuses a folder with no known layout', async () => {
    await expect(validateDataset(tmp())).rejects.toThrow(/no known dataset layout/);
  });
});
