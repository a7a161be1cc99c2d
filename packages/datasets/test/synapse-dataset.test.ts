import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeH5, encodeNpz, generatePhantomVolume, SYNAPSE_TEST_CASES, SYNAPSE_TRAIN_CASES, windowIntensities } from '../src/index.js';
import { readSynapseList, readSynapseSlice, readSynapseVolume, writeSyntheticSynapse } from '../src/node/index.js';
import { useTempDir } from './temp-dir.js';

describe('Synapse layout written by writeSyntheticSynapse', () => {
  const tmp = useTempDir('synapse');
  const shape = [4, 64, 48] as const;

  it('writes TransUNet file names, list files and readable slices/volumes', async () => {
    const root = join(tmp(), 'Synapse');
    const written = await writeSyntheticSynapse(root, { trainCases: 2, testCases: 1, shape, seed: 5 });
    expect(written.trainSlices.slice(0, 2)).toEqual(['case0031_slice000', 'case0031_slice001']);
    expect(written.trainSlices).toHaveLength(8);
    expect(written.testCases).toEqual(['case0008']);
    expect(await readFile(join(root, 'lists_Synapse/test_vol.txt'), 'utf8')).toBe('case0008\n');
    expect(await readSynapseList(root, 'train')).toEqual(written.trainSlices);

    // Case 0 is phantom seed 5 run through the CT window: slice z of train case 1 is its plane z.
    const phantom = generatePhantomVolume({ seed: 5, shape });
    const plane = 64 * 48;
    const expectedImage = windowIntensities(phantom.image.data.subarray(2 * plane, 3 * plane));
    const slice = await readSynapseSlice(join(root, 'train_npz/case0031_slice002.npz'));
    expect(slice.image.shape).toEqual([64, 48]);
    expect(slice.image.data).toEqual(expectedImage);
    expect(Array.from(slice.label.data)).toEqual(Array.from(phantom.label.data.subarray(2 * plane, 3 * plane)));

    const volume = await readSynapseVolume(join(root, 'test_vol_h5/case0008.npy.h5'));
    expect(volume.image.shape).toEqual([4, 64, 48]);
    expect(volume.label.data).toBeInstanceOf(Int32Array);
    const phantom2 = generatePhantomVolume({ seed: 7, shape });
    expect(Array.from(volume.label.data)).toEqual(Array.from(phantom2.label.data));
  });

  it('uses the official case numbers', () => {
    expect(SYNAPSE_TRAIN_CASES).toHaveLength(18);
    expect(SYNAPSE_TEST_CASES).toHaveLength(12);
    expect(new Set([...SYNAPSE_TRAIN_CASES, ...SYNAPSE_TEST_CASES])).toEqual(
      new Set([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40]),
    );
  });

  it('names the file and the problem for bad slices and volumes', async () => {
    const image = { data: new Float32Array(12), shape: [3, 4] };
    const cases: Array<[string, Uint8Array, RegExp]> = [
      ['nolabel.npz', encodeNpz({ image }), /nolabel\.npz: missing array 'label' \(archive has: image\)/],
      [
        'mismatch.npz',
        encodeNpz({ image, label: { data: new Uint8Array(6), shape: [2, 3] } }),
        /mismatch\.npz: image shape \[3, 4\] and label shape \[2, 3\] differ/,
      ],
      [
        'range.npz',
        encodeNpz({ image, label: { data: new Uint8Array(12).fill(9), shape: [3, 4] } }),
        /range\.npz: label value 9 at flat index 0 is outside the class range 0\.\.8/,
      ],
      [
        'nan.npz',
        encodeNpz({ image: { data: new Float32Array(12).fill(NaN), shape: [3, 4] }, label: { data: new Uint8Array(12), shape: [3, 4] } }),
        /nan\.npz: image has a non-finite value \(NaN\) at flat index 0/,
      ],
      [
        'fraction.npz',
        encodeNpz({ image, label: { data: new Float32Array(12).fill(1.5), shape: [3, 4] } }),
        /fraction\.npz: label map has a non-integer value \(1\.5\)/,
      ],
    ];
    for (const [name, bytes, message] of cases) {
      await writeFile(join(tmp(), name), bytes);
      await expect(readSynapseSlice(join(tmp(), name))).rejects.toThrow(message);
    }
    const good = encodeNpz({ image, label: { data: new Uint8Array(12), shape: [3, 4] } });
    await writeFile(join(tmp(), 'cut.npz'), good.subarray(0, good.length - 30));
    await expect(readSynapseSlice(join(tmp(), 'cut.npz'))).rejects.toThrow(/cut\.npz: unreadable \.npz archive/);
    await expect(readSynapseSlice(join(tmp(), 'absent.npz'))).rejects.toThrow(/absent\.npz: file not found/);
    const flat = await encodeH5({ image: { data: new Float32Array(12), shape: [3, 4] }, label: { data: new Uint8Array(12), shape: [3, 4] } });
    await writeFile(join(tmp(), 'flat.npy.h5'), flat);
    await expect(readSynapseVolume(join(tmp(), 'flat.npy.h5'))).rejects.toThrow(/flat\.npy\.h5: image should be 3-D, got shape \[3, 4\]/);
  });
});
