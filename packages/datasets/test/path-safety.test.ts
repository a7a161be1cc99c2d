import { mkdir, readdir, readFile, symlink, writeFile, appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  listMsdCases,
  listNiftiPairs,
  prepareDataset,
  readSynapseList,
  synapseTestFiles,
  synapseTrainFiles,
  writeSyntheticNifti,
  writeSyntheticSynapse,
} from '../src/node/index.js';
import { useTempDir } from './temp-dir.js';

const shape = [3, 40, 36] as const;

describe('Synapse list files name files inside the dataset only', () => {
  const tmp = useTempDir('list-safety');

  it.each([
    ['train', 'train.txt', '../../../../etc/passwd', 'contains ".."'],
    ['train', 'train.txt', '/etc/passwd', 'is absolute'],
    ['test', 'test_vol.txt', 'case0008/../../../secret', 'contains ".."'],
  ] as const)('%s list (%s) entry %j is refused with its line number', async (split, file, entry, why) => {
    const root = join(tmp(), `ds-${split}-${why.length}-${entry.length}`);
    await writeSyntheticSynapse(root, { trainCases: 1, testCases: 1, shape });
    const list = join(root, 'lists_Synapse', file);
    const lines = (await readFile(list, 'utf8')).split('\n').filter((l) => l.length > 0).length;
    await appendFile(list, `${entry}\n`);
    const message = `${list} line ${lines + 1}: entry ${JSON.stringify(entry + (split === 'train' ? '.npz' : '.npy.h5'))} ${why}`;
    await expect(readSynapseList(root, split)).rejects.toThrow(message);
    await expect((split === 'train' ? synapseTrainFiles : synapseTestFiles)(root)).rejects.toThrow(message);
  });

  it('refuses an entry whose file is a symbolic link leading outside the dataset', async () => {
    const root = join(tmp(), 'ds-symlink');
    await writeSyntheticSynapse(root, { trainCases: 1, testCases: 1, shape });
    await writeFile(join(tmp(), 'outside.npz'), 'not yours');
    await symlink(join(tmp(), 'outside.npz'), join(root, 'train_npz', 'evil.npz'));
    await appendFile(join(root, 'lists_Synapse', 'train.txt'), 'evil\n');
    await expect(synapseTrainFiles(root)).rejects.toThrow('is a symbolic link leading outside');
  });

  it('dataset.json training paths stay inside the MSD folder', async () => {
    const root = join(tmp(), 'msd');
    await mkdir(root, { recursive: true });
    const json = { name: 'x', modality: { '0': 'CT' }, labels: { '0': 'background', '1': 'organ' }, training: [{ image: './imagesTr/a.nii.gz', label: '../../secret.nii.gz' }] };
    await writeFile(join(root, 'dataset.json'), JSON.stringify(json));
    await expect(listMsdCases(root)).rejects.toThrow(`${join(root, 'dataset.json')}: training[0].label "../../secret.nii.gz" contains ".."`);
  });
});

describe('pairing NIfTI folders', () => {
  const tmp = useTempDir('pairing');

  it('refuses x.nii next to x.nii.gz (and lists unmatched files in the same error) instead of using one twice', async () => {
    const raw = join(tmp(), 'raw');
    await writeSyntheticNifti(raw, { cases: 2, shape, seed: 1 });
    const images = join(raw, 'images');
    const labels = join(raw, 'labels');
    await writeFile(join(images, 'img0001.nii'), await readFile(join(images, 'img0001.nii.gz')));
    await writeFile(join(labels, 'label0007.nii.gz'), await readFile(join(labels, 'label0002.nii.gz')));
    const error = (await listNiftiPairs(images, labels).catch((e: Error) => e)) as Error;
    expect(error.message).toContain(`img0001.nii and img0001.nii.gz in ${images} are the same case "0001"`);
    expect(error.message).toContain(`${join(labels, 'label0007.nii.gz')} has no image`);
    expect(error.message).not.toContain('\n');
  });

  it('reports unmatched files without duplicates as fields', async () => {
    const raw = join(tmp(), 'raw2');
    await writeSyntheticNifti(raw, { cases: 2, shape, seed: 1 });
    await writeFile(join(raw, 'labels', 'label0009.nii.gz'), await readFile(join(raw, 'labels', 'label0002.nii.gz')));
    const collection = await listNiftiPairs(join(raw, 'images'), join(raw, 'labels'));
    expect(collection.cases.map((c) => c.key)).toEqual(['0001', '0002']);
    expect(collection.unmatchedLabels).toEqual([join(raw, 'labels', 'label0009.nii.gz')]);
  });
});

describe('prepareDataset output folder', () => {
  const tmp = useTempDir('prepare-out');

  it('refuses an --out that contains its inputs, even with overwrite, and deletes nothing', async () => {
    const raw = join(tmp(), 'raw');
    await writeSyntheticNifti(raw, { cases: 2, shape, seed: 3 });
    const before = await readdir(join(raw, 'images'));
    for (const out of [raw, join(raw, 'images')]) {
      await expect(
        prepareDataset({ images: join(raw, 'images'), labels: join(raw, 'labels'), out, labelMap: 'btcv', overwrite: true }),
      ).rejects.toThrow(`--out ${out} contains the input --images ${join(raw, 'images')}`);
    }
    expect(await readdir(join(raw, 'images'))).toEqual(before);
  });

  it('refuses a non-empty folder that is not a dataset even with overwrite; replaces a prepared dataset with it', async () => {
    const raw = join(tmp(), 'raw2');
    await writeSyntheticNifti(raw, { cases: 2, shape, seed: 4 });
    const inputs = { images: join(raw, 'images'), labels: join(raw, 'labels'), labelMap: 'btcv' };
    const home = join(tmp(), 'home');
    await mkdir(home);
    await writeFile(join(home, 'thesis.tex'), 'years');
    await expect(prepareDataset({ ...inputs, out: home, overwrite: true })).rejects.toThrow(`${home} is a non-empty folder that is not a Synapse dataset folder`);
    expect(await readdir(home)).toEqual(['thesis.tex']);
    const out = join(tmp(), 'prepared');
    await prepareDataset({ ...inputs, out });
    await expect(prepareDataset({ ...inputs, out })).rejects.toThrow(`${out} already holds a Synapse dataset folder: pass --force`);
    await prepareDataset({ ...inputs, out, overwrite: true });
    expect(await readdir(out)).toContain('lists_Synapse');
    expect((await readdir(tmp())).filter((n) => n.startsWith('.'))).toEqual([]);
  });
});
